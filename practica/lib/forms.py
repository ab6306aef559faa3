"""Form helpers: show a service's ValidationError next to the fields it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from practica.lib.ids import MAX_ID


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Attach a service's errors to the form: to the named field when the form has it, else to the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class TopicsField(forms.CharField):
    """Comma-separated topics, shown and edited as text."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("help_text", "Separate with commas, e.g. well integrity, cementing, barriers")
        super().__init__(**kwargs)  # type: ignore[arg-type]


class ModelMultipleIdsField(forms.ModelMultipleChoiceField):
    """A ``ModelMultipleChoiceField`` that refuses, as an unknown choice, a number no database id can hold: Django
    passes the posted values to an ``id IN (…)`` query, which fails on them instead of finding nothing."""

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, (list, tuple)) else ():
            text = str(pk).strip()
            if text.isascii() and text.isdigit() and int(text) > MAX_ID:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text})
        return super().clean(value)
