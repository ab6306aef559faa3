"""One error shape for the API: 400 ``{"field": ["message"]}`` or ``{"detail": "message"}``; never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from practica.lib.errors import ConflictError, RefusedWithStatus


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ConflictError):
        # 409: valid input that clashes with the current state; an edit conflict carries both versions.
        conflict = getattr(exc, "conflict", None)
        data: Any
        if conflict is not None:
            message = exc.messages[0]
            data = {
                "detail": message,
                "body": [message],
                "current": {"version": conflict.current_version, "title": conflict.current_title,
                            "body": conflict.current_body},
                "yours": {"version": None, "title": conflict.your_title, "body": conflict.your_body},
            }
        elif hasattr(exc, "error_dict"):
            data = exc.message_dict
        else:
            data = {"detail": " ".join(exc.messages)}
        return Response(data, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data = exc.message_dict
            if set(data) == {"detail"}:
                data = {"detail": " ".join(data["detail"])}
        else:
            data = {"detail": " ".join(exc.messages)}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RefusedWithStatus):
        return Response({"detail": exc.message}, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "You are not allowed to do this.")
    return drf_exception_handler(exc, context)
