"""A metric's daily history in the API: ``GET /api/v1/communities/{slug}/health/history/?metric=NAME&start=&end=``
(JSON), and the same series as CSV with ``?format=csv`` (the API's format override, one renderer more).

Who may: whoever sees the community's health (``insights.permissions.SEE_HEALTH``): coordinators, core members,
sponsors and network admins, and every member of a community that is not private; 404 for everyone else, in JSON
and CSV alike.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practica.insights.catalogue import CATALOGUE
from practica.insights.history import HISTORY_DAYS, metric_history
from practica.insights.metrics import METRICS
from practica.insights.selectors import health_get_allowed
from practica.insights.services import utc_today


class HealthHistoryQuerySerializer(serializers.Serializer):
    """The query string: which metric, between which UTC days."""

    metric = serializers.ChoiceField(choices=list(METRICS), help_text="A metric's name (see docs/metrics.md).")
    start = serializers.DateField(required=False, help_text="The first UTC day (default: the first snapshot).")
    end = serializers.DateField(required=False, help_text="The last UTC day, inclusive (default: today).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start"), attrs.get("end") or utc_today()
        if start is not None and start > end:
            raise serializers.ValidationError({"start": ["The start comes after the end."]})
        return {**attrs, "end": end}


class HealthHistoryPointSerializer(serializers.Serializer):
    day = serializers.DateField(help_text="The UTC day: the last of the window.")
    value = serializers.FloatField(allow_null=True, help_text="The metric over the window (null: undefined).")


class HealthHistorySerializer(serializers.Serializer):
    """One metric's daily values: each over the ``window_days`` UTC days ending with its day."""

    metric = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a payload field, not the Field attribute
    unit = serializers.CharField()
    window_days = serializers.IntegerField(help_text="Each value is over this many UTC days ending with its day.")
    start = serializers.DateField(allow_null=True, help_text="The first day asked for (or the first snapshot).")
    end = serializers.DateField()
    points = HealthHistoryPointSerializer(many=True, help_text="One per day with a snapshot, by day.")


class HealthHistoryCsvRenderer(BaseRenderer):
    """``day,<metric>`` rows (an empty cell where the value is undefined); an error as ``field,message`` rows."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        if isinstance(data, dict) and "points" in data:
            writer.writerow(["day", data["metric"]])
            for point in data["points"]:
                writer.writerow([point["day"], "" if point["value"] is None else point["value"]])
        else:
            writer.writerow(["field", "message"])
            for field, messages in (data or {}).items():
                for message in messages if isinstance(messages, list) else [messages]:
                    writer.writerow([field, message])
        return out.getvalue().encode(self.charset)


class HealthHistoryView(APIView):
    """A metric's daily history for a community (its health, day after day; back-filled for an import)."""

    permission_classes = [AllowAny]  # who may see the health is decided with the community: 404 otherwise
    renderer_classes = [JSONRenderer, HealthHistoryCsvRenderer]

    @extend_schema(
        parameters=[
            HealthHistoryQuerySerializer,
            OpenApiParameter("format", str, enum=["json", "csv"], description="csv: the series as CSV."),
        ],
        responses={(200, "application/json"): HealthHistorySerializer, (200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: Request, slug: str) -> Response:
        community, _ = health_get_allowed(slug=slug, user=request.user)
        query = HealthHistoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        metric, start, end = query.validated_data["metric"], query.validated_data.get("start"), query.validated_data["end"]
        points = metric_history(community=community, metric=metric, start=start, end=end)
        info = CATALOGUE.get(metric)
        payload = HealthHistorySerializer(
            {
                "metric": metric, "label": info.label if info else metric, "unit": info.unit if info else "count",
                "window_days": HISTORY_DAYS, "start": start or (points[0].day if points else None), "end": end,
                "points": points,
            }
        ).data
        response = Response(payload)
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = f'attachment; filename="{community.slug}-{metric}-history.csv"'
        return response
