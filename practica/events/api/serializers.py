"""Every payload of the events API, in and out, so that the OpenAPI schema is what the endpoints take and give."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from practica.events.models import Event, EventKind, RsvpResponse
from practica.events.recurrence import OccurrenceInfo
from practica.events.services import MAX_CAPACITY

OCCURRENCE_HELP = "Original start (ISO 8601, UTC) of the occurrence; needed for a recurring event."


def occurrence_text(moment: dt.datetime) -> str:
    """An occurrence's key as the API gives it: its original start in UTC, like 2026-03-03T17:00:00Z."""
    return moment.isoformat().replace("+00:00", "Z")


@extend_schema_field({"type": "string", "format": "date-time"})
class IsoDateTimeField(serializers.Field):
    """ISO 8601 date and time; without an offset it is a wall-clock time in the event's ``timezone``."""

    default_error_messages = {"invalid": "Give an ISO 8601 date and time, e.g. 2026-03-03T18:00:00+01:00."}

    def to_internal_value(self, data: Any) -> dt.datetime:
        if not isinstance(data, str) or len(data) > 40:
            self.fail("invalid")
        try:
            return dt.datetime.fromisoformat(data.strip().replace("Z", "+00:00"))
        except ValueError:
            self.fail("invalid")
        raise AssertionError  # unreachable: fail() raises

    def to_representation(self, value: Any) -> str:
        return str(value.isoformat())


def _occurrence_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text=OCCURRENCE_HELP
    )


# --- In ---------------------------------------------------------------------------------------------------


class EventCreateSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=1000)
    kind = serializers.ChoiceField(choices=EventKind.choices, default=EventKind.MEETING)
    description = serializers.CharField(allow_blank=True, trim_whitespace=False, required=False, default="")
    start = IsoDateTimeField()
    end = IsoDateTimeField()
    timezone = serializers.CharField(max_length=200, allow_blank=True)
    recurrence = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")
    location = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")
    online_url = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")
    capacity = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_CAPACITY
    )


class RsvpSerializer(serializers.Serializer):
    response = serializers.ChoiceField(choices=RsvpResponse.choices)
    occurrence = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="Original start (ISO 8601, UTC) of the occurrence; without it, a recurring event's answer is "
        "for its next upcoming date.",
    )


class OccurrenceChangeSerializer(serializers.Serializer):
    occurrence = _occurrence_field()
    cancel = serializers.BooleanField(required=False, default=False)
    start = IsoDateTimeField(required=False, allow_null=True, default=None)
    end = IsoDateTimeField(required=False, allow_null=True, default=None)


class AttendanceSerializer(serializers.Serializer):
    occurrence = _occurrence_field()
    usernames = serializers.ListField(child=serializers.CharField(max_length=150), max_length=5000)


class WriteUpSerializer(serializers.Serializer):
    occurrence = _occurrence_field()
    agenda = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    notes = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    decisions = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class ActionCreateSerializer(serializers.Serializer):
    occurrence = _occurrence_field()
    text = serializers.CharField(allow_blank=True, max_length=2000)
    owner = serializers.CharField(max_length=150)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class ActionDoneSerializer(serializers.Serializer):
    done = serializers.BooleanField()


class OccurrenceRefSerializer(serializers.Serializer):
    """Which date of the event (capturing its notes)."""

    occurrence = _occurrence_field()


# --- Out --------------------------------------------------------------------------------------------------


class OccurrenceSerializer(serializers.Serializer):
    occurrence = serializers.CharField(source="key")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    is_cancelled = serializers.BooleanField()
    is_moved = serializers.BooleanField()


class EventSerializer(serializers.ModelSerializer):
    description = serializers.CharField(source="description_source")
    organiser = serializers.CharField(source="organiser.username", default=None, allow_null=True)
    community = serializers.CharField(source="community.slug")
    mode = serializers.CharField()
    url = serializers.CharField(source="get_absolute_url")
    cancelled_at = serializers.DateTimeField(allow_null=True, read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "community",
            "title",
            "kind",
            "description",
            "description_html",
            "start",
            "end",
            "timezone",
            "recurrence",
            "location",
            "online_url",
            "mode",
            "capacity",
            "organiser",
            "url",
            "created_at",
            "sequence",
            "cancelled_at",
        ]


class EventDetailSerializer(EventSerializer):
    """The event with its occurrences in the window asked for (given in the context)."""

    occurrences = serializers.SerializerMethodField()

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "occurrences"]

    @extend_schema_field(OccurrenceSerializer(many=True))
    def get_occurrences(self, event: Event) -> list[dict[str, Any]]:
        infos: list[OccurrenceInfo] = self.context.get("occurrences", [])
        return [dict(OccurrenceSerializer(info).data) for info in infos]


class DroppedSerializer(serializers.Serializer):
    occurrences = serializers.IntegerField(help_text="Upcoming dates no longer in the schedule, removed.")
    rsvps = serializers.IntegerField(help_text="The answers they had, removed with them.")


class EventUpdatedSerializer(EventDetailSerializer):
    """The edited event, and what the edit did."""

    dropped = DroppedSerializer()
    told = serializers.IntegerField(help_text="People coming who were told of a new time, place or meeting link.")
    detail = serializers.CharField(help_text="What the edit did, in words.")

    class Meta(EventDetailSerializer.Meta):
        fields = [*EventDetailSerializer.Meta.fields, "dropped", "told", "detail"]


class RsvpAnswerSerializer(serializers.Serializer):
    """An answer as recorded: for which date, and whether it has a seat."""

    event = serializers.IntegerField()
    occurrence = serializers.CharField(help_text="Original start (ISO 8601, UTC) of the occurrence answered for.")
    response = serializers.ChoiceField(choices=RsvpResponse.choices)
    status = serializers.ChoiceField(choices=["confirmed", "waiting", "maybe", "no"])
    waiting_position = serializers.IntegerField(allow_null=True, help_text="1 for the first one waiting.")
    detail = serializers.CharField()


class AttendedSerializer(serializers.Serializer):
    attended = serializers.ListField(child=serializers.CharField(), help_text="Usernames of who came, sorted.")


class WriteUpResultSerializer(serializers.Serializer):
    agenda_html = serializers.CharField()
    notes_html = serializers.CharField()
    decisions_html = serializers.CharField()


class ActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.IntegerField(source="occurrence.event_id")
    occurrence = serializers.SerializerMethodField()
    text = serializers.CharField()
    owner = serializers.CharField(source="owner.username")
    due_date = serializers.DateField(allow_null=True)
    done = serializers.BooleanField(source="is_done")

    def get_occurrence(self, action: Any) -> str:
        return occurrence_text(action.occurrence.original_start)


class CapturedItemSerializer(serializers.Serializer):
    """The knowledge draft made from a meeting's notes (review and publish it in the knowledge base)."""

    id = serializers.IntegerField()
    community = serializers.CharField(source="community.slug")
    kind = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    status = serializers.CharField()
    url = serializers.CharField(source="get_absolute_url")
