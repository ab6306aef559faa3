from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.throttling import AnonRateThrottle

from practica.api.parsers import BoundedJSONParser


class TokenThrottle(AnonRateThrottle):
    scope = "token"
    rate = "30/minute"


class TokenView(ObtainAuthToken):
    """``POST {"username", "password"}`` returns ``{"token"}`` for the ``Authorization: Token`` header."""

    throttle_classes = [TokenThrottle]
    # ObtainAuthToken names DRF's plain JSONParser itself: deep nesting must be a 400 here too.
    parser_classes = [FormParser, MultiPartParser, BoundedJSONParser]

    @extend_schema(responses=inline_serializer("Token", {"token": serializers.CharField()}))
    def post(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        return super().post(request, *args, **kwargs)
