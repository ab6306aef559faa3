"""The community health API: ``GET /api/v1/communities/{slug}/health/?days=90&end=YYYY-MM-DD`` (whoever may see
the health: 404 for everyone else, as for a community that does not exist) and ``.../health/people/`` (who is
behind the numbers: coordinators; 403 for who sees the numbers only). A bad window is a 400 naming the field."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practica.insights import selectors
from practica.insights.api.serializers import (
    HealthPeopleSerializer,
    HealthQuerySerializer,
    HealthSerializer,
    window_from_query,
)
from practica.insights.dashboard import health_dashboard


class HealthView(APIView):
    """A community's health over a window of UTC days and the window before it."""

    permission_classes = [AllowAny]  # who may see it is the selector's: a 404 for everyone else

    @extend_schema(parameters=[HealthQuerySerializer], responses=HealthSerializer)
    def get(self, request: Request, slug: str) -> Response:
        community, _access = selectors.health_get_allowed(slug=slug, user=request.user)
        window = window_from_query(request.query_params)
        dashboard = health_dashboard(community=community, window=window, people=False)
        return Response(HealthSerializer(dashboard).data)


class HealthPeopleView(APIView):
    """Who is on which level of participation in the window, and the regulars who fell silent in it."""

    permission_classes = [AllowAny]  # the selector: 404 for who may not see the health, 403 for non-coordinators

    @extend_schema(parameters=[HealthQuerySerializer], responses=HealthPeopleSerializer)
    def get(self, request: Request, slug: str) -> Response:
        community, _access = selectors.health_people_allowed(slug=slug, user=request.user)
        window = window_from_query(request.query_params)
        dashboard = health_dashboard(community=community, window=window, people=True)
        return Response(HealthPeopleSerializer(dashboard).data)
