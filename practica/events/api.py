"""REST API for events (see ../shared/API.md): list and plan a community's events, read one event with its
occurrences, and RSVP to an occurrence.

Reads go through the permission-scoped selectors (404 for anything in a community the caller may not read);
writes through the services, whose ValidationError/PermissionDenied the project's handler turns into 400/403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practica.accounts.authentication import authenticated_user
from practica.communities import selectors as community_selectors
from practica.events import selectors, services
from practica.events.models import Event, EventKind, RsvpResponse
from practica.events.recurrence import OccurrenceInfo, occurrence_key_parse
from practica.lib.api.requests import validated_data
from practica.lib.errors import ValidationError

MAX_WINDOW_DAYS = 732


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
        required=False, allow_null=True, default=None, min_value=1, max_value=services.MAX_CAPACITY
    )


class RsvpSerializer(serializers.Serializer):
    response = serializers.ChoiceField(choices=RsvpResponse.choices)
    occurrence = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="Original start (ISO 8601, UTC) of the occurrence; needed for a recurring event.",
    )


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
        ]


class EventDetailSerializer(EventSerializer):
    occurrences = serializers.SerializerMethodField()

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "occurrences"]

    def get_occurrences(self, event: Event) -> list[dict[str, Any]]:
        infos: list[OccurrenceInfo] = self.context.get("occurrences", [])
        return [dict(OccurrenceSerializer(info).data) for info in infos]



def _window_param(request: Request, name: str, default: dt.datetime) -> dt.datetime:
    raw = request.query_params.get(name, "")
    if not raw:
        return default
    moment = occurrence_key_parse(raw)
    if moment is None:
        raise ValidationError({name: ["Give an ISO 8601 date and time."]})
    return moment


@extend_schema_view(get=extend_schema(responses=EventSerializer(many=True)))
class EventListView(generics.ListAPIView):
    """A community's events (not cancelled), newest plans first; POST plans one (coordinators, core members)."""

    serializer_class = EventSerializer
    queryset = Event.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        community, _ = community_selectors.community_get_readable(
            slug=self.kwargs["slug"], user=self.request.user
        )
        return selectors.community_events(community=community).order_by("-start", "-id")

    @extend_schema(request=EventCreateSerializer, responses={201: EventDetailSerializer})
    def post(self, request: Request, slug: str) -> Response:
        user = authenticated_user(request)
        community, _ = community_selectors.community_get_readable(slug=slug, user=user)
        data = validated_data(EventCreateSerializer, request)
        event = services.event_create(
            community=community,
            organiser=user,
            title=data["title"],
            kind=data["kind"],
            description=data["description"],
            start=data["start"],
            end=data["end"],
            timezone_name=data["timezone"],
            recurrence=data["recurrence"],
            location=data["location"],
            online_url=data["online_url"],
            capacity=data["capacity"],
        )
        return Response(_detail(event, request), status=status.HTTP_201_CREATED)


def _detail(event: Event, request: Request) -> dict[str, Any]:
    now = timezone.now()
    start = _window_param(request, "from", now)
    end = _window_param(request, "to", start + dt.timedelta(days=366))
    if end <= start or end - start > dt.timedelta(days=MAX_WINDOW_DAYS):
        raise ValidationError({"to": [f"Give a window after “from” of at most {MAX_WINDOW_DAYS} days."]})
    infos = selectors.occurrences_between([event], start, end, include_cancelled=True)
    return dict(EventDetailSerializer(event, context={"request": request, "occurrences": infos}).data)


class EventDetailView(APIView):
    """One event with its occurrences in a window (``from``/``to``, ISO 8601; default: the next year)."""

    @extend_schema(
        parameters=[OpenApiParameter("from", str), OpenApiParameter("to", str)],
        responses=EventDetailSerializer,
    )
    def get(self, request: Request, event_id: int) -> Response:
        event, _ = selectors.event_get_for_user(event_id=event_id, user=request.user)
        return Response(_detail(event, request))

    @extend_schema(request=EventCreateSerializer(partial=True), responses=EventDetailSerializer)
    def patch(self, request: Request, event_id: int) -> Response:
        """Edit the event (organiser or coordinator): give only the fields that change. Times without an
        offset are wall-clock times in the (new) time zone. The response's ``dropped`` says what a schedule
        change removed (upcoming dates no longer in the schedule, with their answers)."""
        user = authenticated_user(request)
        event, _ = selectors.event_get_for_user(event_id=event_id, user=user)
        serializer = EventCreateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "start" in data and "end" not in data:  # a new start alone moves the event, keeping its length
            data["end"] = data["start"] + event.duration
        result = services.event_update(
            event=event,
            actor=user,
            title=data.get("title", event.title),
            kind=data.get("kind", event.kind),
            description=data.get("description", event.description_source),
            start=data.get("start", event.start),
            end=data.get("end", event.end),
            timezone_name=data.get("timezone", event.timezone),
            recurrence=data.get("recurrence", event.recurrence),
            location=data.get("location", event.location),
            online_url=data.get("online_url", event.online_url),
            capacity=data.get("capacity", event.capacity),
        )
        body = _detail(result.event, request)
        body["dropped"] = {"occurrences": result.dropped_occurrences, "rsvps": result.dropped_rsvps}
        body["told"] = result.told  # people coming told of a new time, place or meeting link
        body["detail"] = result.message
        return Response(body)


class RsvpView(APIView):
    """Answer yes, no or maybe for one occurrence; a yes beyond capacity joins the waiting list."""

    @extend_schema(request=RsvpSerializer, responses={200: None})
    def post(self, request: Request, event_id: int) -> Response:
        user = authenticated_user(request)
        event, _ = selectors.event_get_for_user(event_id=event_id, user=user)
        serializer = RsvpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        raw = serializer.validated_data["occurrence"] or request.query_params.get("occurrence", "")
        original = None
        if raw:
            original = occurrence_key_parse(raw)
            if original is None:
                raise ValidationError(
                    {"occurrence": ["Give the occurrence's start as ISO 8601, e.g. 2026-03-03T17:00:00Z."]}
                )
        result = services.event_rsvp(
            event=event, user=user, response=serializer.validated_data["response"], original_start=original
        )
        rsvp = result.rsvp
        return Response(
            {
                "event": event.pk,
                "occurrence": rsvp.occurrence.original_start.isoformat().replace("+00:00", "Z"),
                "response": rsvp.response,
                "status": result.status,
                "waiting_position": services.waiting_position(rsvp) or None,
                "detail": result.message,
            }
        )


# --- After the meeting: exceptions, attendance, write-up, actions -----------------------------------


def _occurrence_param(value: str) -> dt.datetime | None:
    if not value:
        return None
    moment = occurrence_key_parse(value)
    if moment is None:
        raise ValidationError(
            {"occurrence": ["Give the occurrence's start as ISO 8601, e.g. 2026-03-03T17:00:00Z."]}
        )
    return moment


def _occurrence_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="Original start (ISO 8601, UTC) of the occurrence; needed for a recurring event.",
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


class ActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.IntegerField(source="occurrence.event_id")
    occurrence = serializers.SerializerMethodField()
    text = serializers.CharField()
    owner = serializers.CharField(source="owner.username")
    due_date = serializers.DateField(allow_null=True)
    done = serializers.BooleanField(source="is_done")

    def get_occurrence(self, action: Any) -> str:
        return str(action.occurrence.original_start.isoformat().replace("+00:00", "Z"))


class ActionDoneSerializer(serializers.Serializer):
    done = serializers.BooleanField()


class OccurrenceChangeView(APIView):
    """Cancel or move one occurrence (organiser or coordinator). Naive times are in the event's time zone."""

    @extend_schema(request=OccurrenceChangeSerializer, responses={200: OccurrenceSerializer})
    def post(self, request: Request, event_id: int) -> Response:
        user = authenticated_user(request)
        event, _ = selectors.event_get_for_user(event_id=event_id, user=user)
        data = validated_data(OccurrenceChangeSerializer, request)
        row = services.occurrence_change(
            event=event,
            actor=user,
            original_start=_occurrence_param(data["occurrence"]),
            cancel=data["cancel"],
            new_start=data["start"],
            new_end=data["end"],
        )
        info = OccurrenceInfo(event, row.original_start, row.start, row.end, row.is_cancelled, row)
        return Response(OccurrenceSerializer(info).data)


class AttendanceView(APIView):
    """Record who came to an occurrence (replaces the list); organiser or coordinator, after the start."""

    @extend_schema(request=AttendanceSerializer, responses={200: None})
    def post(self, request: Request, event_id: int) -> Response:
        user = authenticated_user(request)
        event, _ = selectors.event_get_for_user(event_id=event_id, user=user)
        serializer = AttendanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = services.attendance_mark(
            event=event,
            actor=user,
            original_start=_occurrence_param(serializer.validated_data["occurrence"]),
            usernames=serializer.validated_data["usernames"],
        )
        return Response({"attended": sorted(row.user.username for row in rows)})


class WriteUpView(APIView):
    """Write an occurrence's agenda, notes and decisions (Markdown); organiser or coordinator."""

    @extend_schema(request=WriteUpSerializer, responses={200: None})
    def post(self, request: Request, event_id: int) -> Response:
        user = authenticated_user(request)
        event, _ = selectors.event_get_for_user(event_id=event_id, user=user)
        data = validated_data(WriteUpSerializer, request)
        row = services.occurrence_write_up(
            event=event,
            actor=user,
            original_start=_occurrence_param(data["occurrence"]),
            agenda=data.get("agenda"),
            notes=data.get("notes"),
            decisions=data.get("decisions"),
        )
        return Response(
            {
                "agenda_html": row.agenda_html,
                "notes_html": row.notes_html,
                "decisions_html": row.decisions_html,
            }
        )


class ActionCreateView(APIView):
    """Add an action decided in a meeting; its owner is notified."""

    @extend_schema(request=ActionCreateSerializer, responses={201: ActionSerializer})
    def post(self, request: Request, event_id: int) -> Response:
        user = authenticated_user(request)
        event, _ = selectors.event_get_for_user(event_id=event_id, user=user)
        data = validated_data(ActionCreateSerializer, request)
        action = services.action_create(
            event=event,
            actor=user,
            original_start=_occurrence_param(data["occurrence"]),
            text=data["text"],
            owner_username=data["owner"],
            due_date=data["due_date"],
        )
        return Response(ActionSerializer(action).data, status=status.HTTP_201_CREATED)


class MyActionsView(APIView):
    """The caller's open actions from meetings, soonest due first."""

    @extend_schema(responses=ActionSerializer(many=True))
    def get(self, request: Request) -> Response:
        user = authenticated_user(request)
        return Response(ActionSerializer(selectors.my_open_actions(user=user, limit=100), many=True).data)


class ActionDetailView(APIView):
    """Tick an action done or reopen it: its owner, the organiser or a coordinator."""

    @extend_schema(request=ActionDoneSerializer, responses=ActionSerializer)
    def patch(self, request: Request, action_id: int) -> Response:
        user = authenticated_user(request)
        action = selectors.action_get_for_user(action_id=action_id, user=user)
        serializer = ActionDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        action = services.action_set_done(action=action, actor=user, done=serializer.validated_data["done"])
        return Response(ActionSerializer(action).data)
