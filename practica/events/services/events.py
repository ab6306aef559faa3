"""Planning, editing and cancelling an event (one-off or recurring)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community
from practica.communities.selectors import Access
from practica.events import notifications, permissions
from practica.events.models import Event, EventKind, Occurrence, Rsvp
from practica.events.recurrence import is_planned
from practica.events.search import event_changed
from practica.events.services.rsvp import promote_first_waiting
from practica.events.services.validation import EventData, event_validate
from practica.lib.markdown import render_markdown


@transaction.atomic
def event_create(
    *,
    community: Community,
    organiser: User,
    title: str,
    start: dt.datetime | None,
    end: dt.datetime | None,
    timezone_name: str,
    kind: str = EventKind.MEETING,
    description: str = "",
    recurrence: str = "",
    location: str = "",
    online_url: str = "",
    capacity: int | None = None,
) -> Event:
    """Plan a meeting (one-off or recurring). Coordinators and core members; tells the community's watchers."""
    permissions.may_create.require(Access(community, organiser))
    data = event_validate(
        title=title,
        kind=kind,
        description=description,
        start=start,
        end=end,
        timezone_name=timezone_name,
        recurrence=recurrence,
        location=location,
        online_url=online_url,
        capacity=capacity,
    )
    rendered = render_markdown(data.description)
    event = Event.objects.create(
        community=community,
        organiser=organiser,
        title=data.title,
        kind=data.kind,
        description_source=data.description,
        description_html=rendered.html,
        description_text=rendered.text,
        start=data.start,
        end=data.end,
        timezone=data.timezone,
        recurrence=data.recurrence,
        location=data.location,
        online_url=data.online_url,
        capacity=data.capacity,
    )
    notifications.event_created(event, organiser)
    event_changed(event.pk)
    return event


@dataclass
class EventUpdateResult:
    """What an edit did: the event, and what it had to drop because the schedule changed."""

    event: Event
    dropped_occurrences: int = 0
    dropped_rsvps: int = 0
    promoted: list[User] | None = None
    told: int = 0  # people coming who were told of a new time, place or link
    changed: str = ""  # which, in words ("place and meeting link")

    @property
    def message(self) -> str:
        text = "The event is updated."
        if self.dropped_occurrences:
            plural = "s" if self.dropped_occurrences != 1 else ""
            text += (
                f" {self.dropped_occurrences} upcoming date{plural} no longer in the schedule"
                f" were removed with their answers ({self.dropped_rsvps}), agenda and changes."
            )
        if self.told:
            who = "1 person coming was" if self.told == 1 else f"{self.told} people coming were"
            text += f" {who} told of the new {self.changed}."
        return text


@transaction.atomic
def event_update(
    *,
    event: Event,
    actor: User,
    title: str,
    start: dt.datetime | None,
    end: dt.datetime | None,
    timezone_name: str,
    kind: str,
    description: str,
    recurrence: str,
    location: str,
    online_url: str,
    capacity: int | None,
) -> EventUpdateResult:
    """Edit an event (the organiser or a coordinator). Every field is given (callers merge a partial edit
    with the current values); a naive start or end is a wall-clock time in the (new) time zone.

    What happens to the dates already carrying something when the schedule (start, time zone, rule) changes:

    * past dates are history and stay as they were, at their time, with attendance, notes and actions;
    * an upcoming date that the new schedule still has keeps its answers, agenda and exception (a date not
      moved by hand takes the new duration);
    * an upcoming date the new schedule no longer has is removed with its answers, agenda and exception;
      the result says how many, and so does the page and the API;
    * a one-off meeting (no rule before or after) given a new time is the same meeting: its upcoming date
      moves with its answers, agenda and notes.

    A larger capacity gives freed seats to those waiting, who are told. Whoever answered yes or maybe for an
    upcoming date is told when the time, the place or the meeting link changes. Search is updated at commit.
    """
    event = Event.objects.select_for_update().select_related("community").get(pk=event.pk)
    permissions.may_manage.require(event, Access(event.community, actor))
    if event.is_cancelled:
        raise ValidationError({"event": ["This event was cancelled: it cannot be edited."]})
    data = event_validate(
        title=title,
        kind=kind,
        description=description,
        start=start,
        end=end,
        timezone_name=timezone_name,
        recurrence=recurrence,
        location=location,
        online_url=online_url,
        capacity=capacity,
    )
    old_capacity = event.capacity
    was_single = not event.recurrence
    changed = _changes(event, data)
    rendered = render_markdown(data.description)
    event.title, event.kind = data.title, data.kind
    event.description_source, event.description_html = data.description, rendered.html
    event.description_text = rendered.text
    event.start, event.end, event.timezone, event.recurrence = (
        data.start,
        data.end,
        data.timezone,
        data.recurrence,
    )
    event.location, event.online_url, event.capacity = data.location, data.online_url, data.capacity
    event.sequence += 1
    event.save()
    result = EventUpdateResult(event=event, promoted=[])
    now = timezone.now()
    duration = event.end - event.start
    dropped: list[int] = []
    resized: list[Occurrence] = []
    if was_single and not event.recurrence and event.end > now:
        # A one-off meeting given a new time is the same meeting: its answers, agenda and notes move with it.
        Occurrence.objects.filter(event=event, original_start__gte=now).update(
            original_start=event.start, start=event.start, end=event.end
        )
    for row in Occurrence.objects.select_for_update().filter(event=event, original_start__gte=now):
        if not is_planned(event, row.original_start):
            dropped.append(row.pk)
        elif not row.is_moved and row.end - row.start != duration:
            row.end = row.start + duration
            resized.append(row)
    Occurrence.objects.bulk_update(resized, ["end"], batch_size=500)
    if dropped:
        answers = list(
            Rsvp.objects.filter(occurrence_id__in=dropped).select_related("user", "occurrence").order_by("id")
        )
        result.dropped_occurrences = len(dropped)
        result.dropped_rsvps = len(answers)
        notifications.dates_dropped(answers, event, actor)
        Occurrence.objects.filter(pk__in=dropped).delete()
    if changed:
        result.changed = notifications.in_words(changed)
        result.told = notifications.event_changed(event, actor, changed)
    if event.capacity is None or (old_capacity is not None and event.capacity > old_capacity):
        for row in Occurrence.objects.filter(
            event=event, end__gt=now, rsvps__waiting_since__isnull=False
        ).distinct():
            while (promoted := promote_first_waiting(row, event)) is not None:
                notifications.waitlist_promoted(promoted, row, event)
                assert result.promoted is not None
                result.promoted.append(promoted)
    event_changed(event.pk)
    return result


@transaction.atomic
def event_cancel(*, event: Event, actor: User) -> Event:
    """Cancel a whole event (every occurrence). It leaves calendars and search; whoever answered yes or maybe for
    an upcoming date is told."""
    permissions.may_manage.require(event, Access(event.community, actor))
    if event.cancelled_at is None:
        event.cancelled_at = timezone.now()
        event.save(update_fields=["cancelled_at", "updated_at"])
        event_changed(event.pk)
        notifications.event_cancelled(event, actor)
    return event


def _changes(event: Event, data: EventData) -> list[str]:
    """What an edit changes that people coming need to know, in words: "time", "place", "meeting link"."""
    changes = []
    schedule = (event.start, event.end, event.timezone, event.recurrence)
    if schedule != (data.start, data.end, data.timezone, data.recurrence):
        changes.append("time")
    if event.location != data.location:
        changes.append("place")
    if event.online_url != data.online_url:
        changes.append("meeting link")
    return changes
