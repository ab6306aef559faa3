"""REST API for events (see ../shared/API.md): list and plan a community's events, read, edit and cancel one,
RSVP to an occurrence, move or cancel a date, and after the meeting attendance, the write-up, actions and
capturing the notes as knowledge.

Reads go through the permission-scoped selectors (404 for anything in a community the caller may not read); the
rights are checked by ``permission_classes`` over ``events.permissions`` (403 with the rule's message), and the
writes go through the services, whose ValidationError the project's handler turns into a 400.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from practica.accounts.authentication import authenticated_user
from practica.communities import selectors as community_selectors
from practica.communities.selectors import Access
from practica.events import selectors, services
from practica.events.api.permissions import CanChangeAction, CanCreateEvent, CanManageEvent, CanRsvp
from practica.events.api.serializers import (
    ActionCreateSerializer,
    ActionDoneSerializer,
    ActionSerializer,
    AttendanceSerializer,
    AttendedSerializer,
    CapturedItemSerializer,
    EventCreateSerializer,
    EventDetailSerializer,
    EventSerializer,
    EventUpdatedSerializer,
    OccurrenceChangeSerializer,
    OccurrenceRefSerializer,
    OccurrenceSerializer,
    RsvpAnswerSerializer,
    RsvpSerializer,
    WriteUpResultSerializer,
    WriteUpSerializer,
    occurrence_text,
)
from practica.events.models import ActionItem, Event
from practica.events.recurrence import OccurrenceInfo, occurrence_key_parse
from practica.lib.api.requests import validated_data
from practica.lib.errors import ValidationError

MAX_WINDOW_DAYS = 732
BAD_OCCURRENCE = "Give the occurrence's start as ISO 8601, e.g. 2026-03-03T17:00:00Z."


def _window_param(request: Request, name: str, default: dt.datetime) -> dt.datetime:
    raw = request.query_params.get(name, "")
    if not raw:
        return default
    moment = occurrence_key_parse(raw)
    if moment is None:
        raise ValidationError({name: ["Give an ISO 8601 date and time."]})
    return moment


def _occurrence_param(value: str) -> dt.datetime | None:
    if not value:
        return None
    moment = occurrence_key_parse(value)
    if moment is None:
        raise ValidationError({"occurrence": [BAD_OCCURRENCE]})
    return moment


def _detail(event: Event, request: Request) -> dict[str, Any]:
    """The event with its occurrences in the window the query asks for (default: the next year)."""
    now = timezone.now()
    start = _window_param(request, "from", now)
    end = _window_param(request, "to", start + dt.timedelta(days=366))
    if end <= start or end - start > dt.timedelta(days=MAX_WINDOW_DAYS):
        raise ValidationError({"to": [f"Give a window after “from” of at most {MAX_WINDOW_DAYS} days."]})
    infos = selectors.occurrences_between([event], start, end, include_cancelled=True)
    return dict(EventDetailSerializer(event, context={"request": request, "occurrences": infos}).data)


class EventObjectView(generics.GenericAPIView):
    """An endpoint about one event: the event is read through the selector (404 for whoever may not read its
    community), then ``permission_classes`` decide with the caller's access, kept on the view."""

    queryset = Event.objects.none()
    access: Access

    def get_event(self) -> Event:
        event, self.access = selectors.event_get_for_user(event_id=self.kwargs["event_id"], user=self.request.user)
        self.check_object_permissions(self.request, event)
        return event


@extend_schema_view(get=extend_schema(responses=EventSerializer(many=True)))
class EventListView(generics.ListAPIView):
    """A community's events (not cancelled), newest plans first; POST plans one (coordinators, core members)."""

    serializer_class = EventSerializer
    queryset = Event.objects.none()
    permission_classes = [IsAuthenticatedOrReadOnly, CanCreateEvent]
    access: Access

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        community, _ = community_selectors.community_get_readable(slug=self.kwargs["slug"], user=self.request.user)
        return selectors.community_events(community=community).order_by("-start", "-id")

    @extend_schema(request=EventCreateSerializer, responses={201: EventDetailSerializer})
    def post(self, request: Request, slug: str) -> Response:
        user = authenticated_user(request)
        community, self.access = community_selectors.community_get_readable(slug=slug, user=user)
        self.check_object_permissions(request, community)
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


class EventDetailView(EventObjectView):
    """One event with its occurrences in a window (``from``/``to``, ISO 8601; default: the next year)."""

    permission_classes = [IsAuthenticatedOrReadOnly, CanManageEvent]
    serializer_class = EventDetailSerializer

    @extend_schema(
        parameters=[OpenApiParameter("from", str), OpenApiParameter("to", str)],
        responses=EventDetailSerializer,
    )
    def get(self, request: Request, event_id: int) -> Response:
        return Response(_detail(self.get_event(), request))

    @extend_schema(request=EventCreateSerializer(partial=True), responses=EventUpdatedSerializer)
    def patch(self, request: Request, event_id: int) -> Response:
        """Edit the event (organiser or coordinator): give only the fields that change. Times without an
        offset are wall-clock times in the (new) time zone. The response's ``dropped`` says what a schedule
        change removed (upcoming dates no longer in the schedule, with their answers)."""
        user = authenticated_user(request)
        event = self.get_event()
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


class EventCancelView(EventObjectView):
    """Cancel the whole event, every date (organiser or coordinator): it leaves the lists, calendars and search,
    and whoever answered yes or maybe for an upcoming date is told. Cancelling it again changes nothing."""

    permission_classes = [IsAuthenticated, CanManageEvent]
    serializer_class = EventDetailSerializer

    @extend_schema(request=None, responses=EventDetailSerializer)
    def post(self, request: Request, event_id: int) -> Response:
        event = services.event_cancel(event=self.get_event(), actor=authenticated_user(request))
        return Response(_detail(event, request))


class RsvpView(EventObjectView):
    """Answer yes, no or maybe for one occurrence; a yes beyond capacity joins the waiting list. Without
    ``occurrence``, a recurring event's answer is for its next upcoming date (a 400 when it has none)."""

    permission_classes = [IsAuthenticated, CanRsvp]
    serializer_class = RsvpAnswerSerializer

    @extend_schema(request=RsvpSerializer, responses={200: RsvpAnswerSerializer})
    def post(self, request: Request, event_id: int) -> Response:
        user = authenticated_user(request)
        event = self.get_event()
        data = validated_data(RsvpSerializer, request)
        original = _occurrence_param(data["occurrence"] or request.query_params.get("occurrence", ""))
        result = services.event_rsvp(
            event=event,
            user=user,
            response=data["response"],
            original_start=original,
            upcoming_if_unnamed=True,
        )
        rsvp = result.rsvp
        answer = {
            "event": event.pk,
            "occurrence": occurrence_text(rsvp.occurrence.original_start),
            "response": rsvp.response,
            "status": result.status,
            "waiting_position": services.waiting_position(rsvp) or None,
            "detail": result.message,
        }
        return Response(RsvpAnswerSerializer(answer).data)


# --- Dates, and after the meeting: exceptions, attendance, write-up, actions, capture -----------------------


class OccurrenceChangeView(EventObjectView):
    """Cancel or move one occurrence (organiser or coordinator). Naive times are in the event's time zone."""

    permission_classes = [IsAuthenticated, CanManageEvent]
    serializer_class = OccurrenceSerializer

    @extend_schema(request=OccurrenceChangeSerializer, responses={200: OccurrenceSerializer})
    def post(self, request: Request, event_id: int) -> Response:
        user = authenticated_user(request)
        event = self.get_event()
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


class AttendanceView(EventObjectView):
    """Record who came to an occurrence (replaces the list); organiser or coordinator, after the start."""

    permission_classes = [IsAuthenticated, CanManageEvent]
    serializer_class = AttendedSerializer

    @extend_schema(request=AttendanceSerializer, responses={200: AttendedSerializer})
    def post(self, request: Request, event_id: int) -> Response:
        user = authenticated_user(request)
        event = self.get_event()
        data = validated_data(AttendanceSerializer, request)
        rows = services.attendance_mark(
            event=event,
            actor=user,
            original_start=_occurrence_param(data["occurrence"]),
            usernames=data["usernames"],
        )
        return Response(AttendedSerializer({"attended": sorted(row.user.username for row in rows)}).data)


class WriteUpView(EventObjectView):
    """Write an occurrence's agenda, notes and decisions (Markdown); organiser or coordinator."""

    permission_classes = [IsAuthenticated, CanManageEvent]
    serializer_class = WriteUpResultSerializer

    @extend_schema(request=WriteUpSerializer, responses={200: WriteUpResultSerializer})
    def post(self, request: Request, event_id: int) -> Response:
        user = authenticated_user(request)
        event = self.get_event()
        data = validated_data(WriteUpSerializer, request)
        row = services.occurrence_write_up(
            event=event,
            actor=user,
            original_start=_occurrence_param(data["occurrence"]),
            agenda=data.get("agenda"),
            notes=data.get("notes"),
            decisions=data.get("decisions"),
        )
        return Response(WriteUpResultSerializer(row).data)


class ActionCreateView(EventObjectView):
    """Add an action decided in a meeting; its owner is notified."""

    permission_classes = [IsAuthenticated, CanManageEvent]
    serializer_class = ActionSerializer

    @extend_schema(request=ActionCreateSerializer, responses={201: ActionSerializer})
    def post(self, request: Request, event_id: int) -> Response:
        user = authenticated_user(request)
        event = self.get_event()
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


class CaptureView(EventObjectView):
    """Turn an occurrence's notes and decisions into a knowledge draft (organiser or coordinator), crediting who
    came and keeping the meeting as its source; returns the draft."""

    permission_classes = [IsAuthenticated, CanManageEvent]
    serializer_class = CapturedItemSerializer

    @extend_schema(request=OccurrenceRefSerializer, responses={201: CapturedItemSerializer})
    def post(self, request: Request, event_id: int) -> Response:
        user = authenticated_user(request)
        event = self.get_event()
        data = validated_data(OccurrenceRefSerializer, request)
        item = services.notes_capture(
            event=event, actor=user, original_start=_occurrence_param(data["occurrence"])
        )
        return Response(CapturedItemSerializer(item).data, status=status.HTTP_201_CREATED)


class MyActionsView(generics.GenericAPIView):
    """The caller's open actions from meetings, soonest due first."""

    permission_classes = [IsAuthenticated]
    serializer_class = ActionSerializer
    queryset = ActionItem.objects.none()
    pagination_class = None  # a plain list, at most 100

    @extend_schema(responses=ActionSerializer(many=True))
    def get(self, request: Request) -> Response:
        user = authenticated_user(request)
        return Response(ActionSerializer(selectors.my_open_actions(user=user, limit=100), many=True).data)


class ActionDetailView(generics.GenericAPIView):
    """Tick an action done or reopen it: its owner, the organiser or a coordinator."""

    permission_classes = [IsAuthenticated, CanChangeAction]
    serializer_class = ActionSerializer
    queryset = ActionItem.objects.none()
    access: Access

    @extend_schema(request=ActionDoneSerializer, responses=ActionSerializer)
    def patch(self, request: Request, action_id: int) -> Response:
        user = authenticated_user(request)
        action = selectors.action_get_for_user(action_id=action_id, user=user)
        self.access = Access(action.occurrence.event.community, user)
        self.check_object_permissions(request, action)
        data = validated_data(ActionDoneSerializer, request)
        action = services.action_set_done(action=action, actor=user, done=data["done"])
        return Response(ActionSerializer(action).data)
