"""Helpers the API views share: who is asking, and the request body checked by a serializer."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from practica.accounts.models import User


def authenticated_user(request: Request) -> User:
    """The signed-in user; 401 for anonymous requests."""
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    return request.user  # type: ignore[return-value]


def validated_data(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """The request body as ``serializer_class`` cleans it; 400 with the field errors otherwise."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
