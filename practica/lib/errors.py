"""Errors raised by services; views and the API turn them into form errors or 4xx answers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["ConflictError", "PermissionDenied", "RefusedWithStatus", "ValidationError"]


class ConflictError(ValidationError):
    """The request is valid but clashes with the current state (answered with 409 by the API)."""


class RefusedWithStatus(Exception):
    """A refusal that carries its own HTTP status and a message a person understands (an expired link is 410);
    the API answers ``{"detail": message}`` with that status, a page renders the message."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
