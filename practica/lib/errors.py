"""Errors raised by services; views and the API turn them into form errors or 4xx answers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["ConflictError", "PermissionDenied", "ValidationError"]


class ConflictError(ValidationError):
    """The request is valid but clashes with the current state (answered with 409 by the API)."""
