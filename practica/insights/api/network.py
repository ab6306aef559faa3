"""``GET /api/v1/network/health/?days=90&end=YYYY-MM-DD``: the network view (``insights/network.py``) in the API.

Signed-in callers only (401 without credentials); 404 for whoever sees the health of no community, as on the page;
a wrong ``days`` or ``end`` is a 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from practica.insights import network
from practica.insights.api.network_serializers import NetworkHealthQuerySerializer, NetworkHealthSerializer


class NetworkHealthView(generics.GenericAPIView):
    """Every community whose health the caller may see, with its headline metrics for the window and the one before
    it, its organisations and whether it is fading (and why); the brokers for network admins."""

    serializer_class = NetworkHealthSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None

    @extend_schema(
        parameters=[NetworkHealthQuerySerializer],
        responses={
            200: NetworkHealthSerializer,
            400: OpenApiResponse(description="A wrong window: the field and why."),
            404: OpenApiResponse(description="The caller sees the health of no community."),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # An empty value is no value (``?days=90&end=``: today).
        query = NetworkHealthQuerySerializer(data={k: v for k, v in request.query_params.items() if v != ""})
        query.is_valid(raise_exception=True)
        try:
            window = network.network_window(end=query.validated_data.get("end"), days=query.validated_data["days"])
        except ValueError as exc:
            raise ValidationError({"end": [str(exc)]}) from exc
        health = network.network_health(user=request.user, window=window)
        return Response(NetworkHealthSerializer(health).data)
