"""Serializers for every payload of the community health API (the schema is the truth: payloads are built from
these, never by hand). The metrics object has one property per metric of ``metrics.METRICS``, each described by
its catalogue entry, so the schema names every metric the API answers with."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from practica.insights import metrics
from practica.insights.catalogue import CATALOGUE
from practica.insights.dashboard import WindowError, window_choose
from practica.insights.metrics import LEVELS, MAX_DAYS, Window

UNITS = ("count", "share", "hours", "ratio", "people")
BETTER = ("up", "down", "none")
DIRECTIONS = ("up", "down", "same")
VERDICTS = ("better", "worse", "same", "neutral")
GOAL_STATUSES = ("on_track", "at_risk", "off_track", "not_measured")


@extend_schema_field(OpenApiTypes.NUMBER)
class NumberField(serializers.Field):
    """An integer or a decimal number, as it is (a count stays an integer), or null where undefined."""

    def to_representation(self, value: Any) -> Any:
        return value


class HealthQuerySerializer(serializers.Serializer):
    """``?days=90&end=YYYY-MM-DD``: the ``days`` UTC days ending with ``end`` (today, UTC, by default)."""

    days = serializers.IntegerField(
        min_value=1, max_value=MAX_DAYS, required=False, default=metrics.DEFAULT_DAYS,
        help_text=f"The window's length in UTC days (1 to {MAX_DAYS}).",
    )
    end = serializers.DateField(required=False, help_text="The window's last day (UTC), not in the future; today by default.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["window"] = window_choose(days=attrs["days"], end=attrs.get("end"))
        except WindowError as exc:
            raise serializers.ValidationError({exc.field: [exc.message]}) from exc
        return attrs


def window_from_query(query: Any) -> Window:
    """The window a request's query string asks for; a 400 naming the field otherwise."""
    serializer = HealthQuerySerializer(data=query)
    serializer.is_valid(raise_exception=True)
    window: Window = serializer.validated_data["window"]
    return window


class WindowSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.IntegerField()


class MetricSerializer(serializers.Serializer):
    """One metric in the window and in the window before, with the catalogue's words for it."""

    value = NumberField(allow_null=True, help_text="In the window; null where undefined (a share of nothing).")
    previous = NumberField(allow_null=True, help_text="In the window before, of the same length.")
    change = NumberField(allow_null=True, help_text="value - previous; null when either is null.")
    direction = serializers.ChoiceField(choices=DIRECTIONS, allow_null=True)
    verdict = serializers.ChoiceField(
        choices=VERDICTS, allow_null=True, help_text="Whether the change is good news, by the metric's better direction."
    )
    label = serializers.CharField(source="info.label")  # type: ignore[assignment]  # the metaclass takes it out of the class
    unit = serializers.ChoiceField(choices=UNITS, source="info.unit")
    better = serializers.ChoiceField(choices=BETTER, source="info.better")
    group = serializers.CharField(source="info.group")
    help = serializers.CharField(source="info.help")


# One property per metric the API answers with (a metric the catalogue does not describe is not shown).
HealthMetricsSerializer = type(
    "HealthMetricsSerializer",
    (serializers.Serializer,),
    {"__module__": __name__} | {name: MetricSerializer() for name in metrics.METRICS if name in CATALOGUE},
)


class GoalProgressSerializer(serializers.Serializer):
    """A charter goal's progress (``goals.GoalProgress``)."""

    goal_id = serializers.IntegerField()
    description = serializers.CharField()
    metric = serializers.CharField(allow_null=True)
    target = serializers.FloatField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    value = serializers.FloatField(allow_null=True)
    previous = serializers.FloatField(allow_null=True)
    projected = serializers.FloatField(allow_null=True)
    status = serializers.ChoiceField(choices=GOAL_STATUSES)
    reason = serializers.CharField()


class LevelSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=LEVELS)
    label = serializers.CharField()  # type: ignore[assignment]  # the metaclass takes it out of the class
    count = serializers.IntegerField(help_text="Members on this level in the window.")
    previous = serializers.IntegerField(help_text="In the window before.")


# "from" is a Python keyword: the class is made with type() to name its fields so.
LevelMoveSerializer = type(
    "LevelMoveSerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "__doc__": "How many people went from one level of participation to another, from the window before to this one.",
        "from": serializers.ChoiceField(choices=LEVELS, source="source"),
        "to": serializers.ChoiceField(choices=LEVELS, source="target"),
        "count": serializers.IntegerField(),
    },
)


class MovesSerializer(serializers.Serializer):
    promoted = serializers.IntegerField()
    held = serializers.IntegerField()
    dropped = serializers.IntegerField()


class ParticipationSerializer(serializers.Serializer):
    levels = LevelSerializer(many=True)
    movement = LevelMoveSerializer(many=True)
    moves = MovesSerializer()


class CurvePointSerializer(serializers.Serializer):
    people = serializers.IntegerField(help_text="The N people with most contributions.")
    share = serializers.FloatField(help_text="Their share of the window's contributions.")


class HealthSerializer(serializers.Serializer):
    """``GET /api/v1/communities/{slug}/health/``: the metrics of the window and the one before, the goals, the
    levels of participation with the movement between them, and the concentration curve."""

    window = WindowSerializer()
    previous_window = WindowSerializer()
    metrics = HealthMetricsSerializer(source="by_name")
    goals = GoalProgressSerializer(many=True)
    participation = ParticipationSerializer(source="*")
    concentration = CurvePointSerializer(many=True, source="curve")


class PersonLevelSerializer(serializers.Serializer):
    username = serializers.CharField(source="member.username")
    name = serializers.CharField(source="member.name")
    role = serializers.CharField(source="member.role")
    level = serializers.ChoiceField(choices=LEVELS)


class LostRegularSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    contributions_before = serializers.IntegerField(
        source="before", help_text="Contributions in the 90 days before the window (none in it)."
    )


class HealthPeopleSerializer(serializers.Serializer):
    """``GET /api/v1/communities/{slug}/health/people/`` (coordinators): who is behind the numbers."""

    window = WindowSerializer()
    levels = PersonLevelSerializer(many=True, source="people.levels")
    lost_regulars = LostRegularSerializer(many=True, source="people.lost_regulars")
