"""The API's error format (practica/lib/api/errors.py), which knows no app: refusals carry their own status."""

from __future__ import annotations

from practica.lib.api.errors import exception_handler
from practica.lib.errors import ConflictError, RefusedWithStatus, ValidationError


def test_a_refusal_is_answered_with_its_own_status_and_message() -> None:
    response = exception_handler(RefusedWithStatus("This link has expired.", status=410), {})

    assert response is not None
    assert (response.status_code, response.data) == (410, {"detail": "This link has expired."})


def test_a_refusal_without_a_status_is_a_400() -> None:
    response = exception_handler(RefusedWithStatus("No."), {})

    assert response is not None and response.status_code == 400


def test_a_conflict_is_a_409_and_a_validation_error_a_400_with_its_fields() -> None:
    conflict = exception_handler(ConflictError("Someone changed it first."), {})
    invalid = exception_handler(ValidationError({"title": ["Give a title."]}), {})

    assert conflict is not None and (conflict.status_code, conflict.data) == (409, {"detail": "Someone changed it first."})
    assert invalid is not None and (invalid.status_code, invalid.data) == (400, {"title": ["Give a title."]})
