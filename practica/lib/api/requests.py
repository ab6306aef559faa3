"""Helpers the API views share: the request body checked by a serializer.

Who is asking (``authenticated_user``) is the accounts app's: it answers with its ``User``, which lib cannot know.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request


def validated_data(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """The request body as ``serializer_class`` cleans it; 400 with the field errors otherwise."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
