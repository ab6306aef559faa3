"""Writes for events: create and cancel, move or cancel one occurrence, RSVP with a waiting list, attendance,
agenda/notes/decisions, action items, reminders, personal calendar tokens and "capture as knowledge".

Every function takes keyword-only arguments, checks the actor's rights through ``Access``, runs in one
transaction (nothing half-written) and leaves side effects (notifications, webhooks, search) to commit time.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState
from practica.communities.selectors import Access
from practica.events.models import (
    MAX_TEXT_BYTES,
    MAX_TITLE_LENGTH,
    ActionItem,
    Attendance,
    CalendarToken,
    Event,
    EventKind,
    Occurrence,
    Rsvp,
    RsvpResponse,
)
from practica.events.recurrence import (
    MAX_YEAR,
    MIN_YEAR,
    UTC,
    expand,
    is_planned,
    occurrence_key,
    planned_starts,
    rule_normalise,
    rule_parse,
    zone_get,
)
from practica.events.search import event_changed
from practica.lib.markdown import render_markdown

MAX_DURATION = dt.timedelta(days=31)
MAX_CAPACITY = 100_000
CALENDAR_SALT = "practica.events.calendar-feed"
UTC_ZONE = zoneinfo.ZoneInfo("UTC")


# --- Permissions ------------------------------------------------------------------------------------


def can_create(access: Access) -> bool:
    """Coordinators and core members organise the community's meetings."""
    return access.is_core


def can_manage(event: Event, access: Access) -> bool:
    """The organiser (while an active member) and the community's coordinators manage an event."""
    if access.can_coordinate:
        return True
    return access.is_member and event.organiser_id is not None and event.organiser_id == access.user.pk


def _require_readable(access: Access) -> None:
    if not access.can_read:
        raise Http404("No such event.")


def _require_manager(event: Event, access: Access) -> None:
    _require_readable(access)
    if not can_manage(event, access):
        raise PermissionDenied("Only the organiser or a coordinator can do this.")


# --- Validation -------------------------------------------------------------------------------------


def _collect(errors: dict[str, list[str]], exc: ValidationError) -> None:
    for field, messages in exc.message_dict.items():
        errors.setdefault(field, []).extend(messages)


def _clean_text(value: str, field: str) -> str:
    value = value or ""
    size = len(value.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        raise ValidationError(
            {field: [f"The text is too long: {size:,} bytes; the limit is {MAX_TEXT_BYTES:,}."]}
        )
    return value


def _localise(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """A naive datetime is a wall-clock time in the event's zone; an aware one is kept as it is. UTC out."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


@dataclass
class EventData:
    """Validated event fields, ready to store."""

    title: str
    kind: str
    description: str
    start: dt.datetime
    end: dt.datetime
    timezone: str
    recurrence: str
    location: str
    online_url: str
    capacity: int | None


def event_validate(
    *,
    title: str,
    kind: str,
    description: str,
    start: dt.datetime | None,
    end: dt.datetime | None,
    timezone_name: str,
    recurrence: str,
    location: str,
    online_url: str,
    capacity: int | None,
) -> EventData:
    """Check every field and report all problems at once, each under its field name."""
    errors: dict[str, list[str]] = {}
    title = " ".join((title or "").split())
    if not title:
        errors["title"] = ["Give the event a title."]
    elif len(title) > MAX_TITLE_LENGTH:
        errors["title"] = [f"A title may have at most {MAX_TITLE_LENGTH} characters (it has {len(title)})."]
    if kind not in EventKind.values:
        errors["kind"] = [f"“{kind}” is not one of: {', '.join(EventKind.values)}."]
    try:
        description = _clean_text(description, "description")
    except ValidationError as exc:
        _collect(errors, exc)
    zone: zoneinfo.ZoneInfo | None = None
    try:
        zone = zone_get(timezone_name)
    except ValidationError as exc:
        _collect(errors, exc)
    start_utc = end_utc = None
    if start is None:
        errors["start"] = ["Give the start date and time."]
    if end is None:
        errors["end"] = ["Give the end date and time."]
    for name, moment in (("start", start), ("end", end)):
        if moment is not None and not MIN_YEAR <= moment.year <= MAX_YEAR:
            errors[name] = [f"Give a date between {MIN_YEAR} and {MAX_YEAR}."]
            start = end = None
    if start is not None and end is not None:
        # Compare even when the zone is wrong, so every problem shows at once.
        start_utc, end_utc = _localise(start, zone or UTC_ZONE), _localise(end, zone or UTC_ZONE)
        if end_utc <= start_utc:
            errors["end"] = ["The end is before the start: an event must end after it starts."]
        elif end_utc - start_utc > MAX_DURATION:
            errors["end"] = ["An event may last at most 31 days."]
    recurrence = rule_normalise(recurrence)
    if recurrence and start_utc is not None:
        try:
            rule_parse(recurrence, start=start_utc, zone=zone or UTC_ZONE)
        except ValidationError as exc:
            _collect(errors, exc)
    location = " ".join((location or "").split())
    if len(location) > 300:
        errors["location"] = ["A place may have at most 300 characters."]
    online_url = (online_url or "").strip()
    if online_url:
        try:
            URLValidator(schemes=["http", "https"])(online_url)
            if len(online_url) > 500:
                raise ValidationError("too long")
        except ValidationError:
            errors["online_url"] = ["Give the meeting link as an http:// or https:// address."]
    if capacity is not None and not (1 <= capacity <= MAX_CAPACITY):
        errors["capacity"] = [
            f"Capacity is a number of seats from 1 to {MAX_CAPACITY:,}, or empty for no limit."
        ]
    if errors:
        raise ValidationError(errors)
    assert start_utc is not None and end_utc is not None and zone is not None
    return EventData(
        title=title,
        kind=kind,
        description=description,
        start=start_utc,
        end=end_utc,
        timezone=str(zone.key),
        recurrence=recurrence,
        location=location,
        online_url=online_url,
        capacity=capacity,
    )


def _event_url(event: Event) -> str:
    return event.get_absolute_url()


def _occurrence_url(event: Event, occurrence: Occurrence) -> str:
    return f"{_event_url(event)}?occurrence={occurrence_key(occurrence.original_start)}"


def _at(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """A moment on the event's wall clock, like "04 Jan 2027, 18:00"."""
    return f"{moment.astimezone(zone):%d %b %Y, %H:%M}"


# --- Events -----------------------------------------------------------------------------------------


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
    access = Access(community, organiser)
    _require_readable(access)
    if not can_create(access):
        raise PermissionDenied("Only coordinators and core members organise this community's events.")
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
    from practica.notifications.services import broadcast

    broadcast(
        community=community,
        event="event.created",
        subject=f"New {event.get_kind_display().lower()} in {community.name}: {event.title}",
        url=_event_url(event),
        actor=organiser,
        target=event,
        payload={
            "id": event.pk,
            "title": event.title,
            "kind": event.kind,
            "start": event.start.isoformat(),
            "end": event.end.isoformat(),
            "timezone": event.timezone,
            "recurrence": event.recurrence,
        },
    )
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
    _require_manager(event, Access(event.community, actor))
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
        _tell_dropped(answers, event, actor)
        Occurrence.objects.filter(pk__in=dropped).delete()
    if changed:
        result.changed = _in_words(changed)
        result.told = _tell_changed(event, actor, changed)
    if event.capacity is None or (old_capacity is not None and event.capacity > old_capacity):
        for row in Occurrence.objects.filter(
            event=event, end__gt=now, rsvps__waiting_since__isnull=False
        ).distinct():
            while (promoted := _promote_first_waiting(row, event)) is not None:
                _tell_promoted(promoted, row, event)
                assert result.promoted is not None
                result.promoted.append(promoted)
    event_changed(event.pk)
    return result


@transaction.atomic
def event_cancel(*, event: Event, actor: User) -> Event:
    """Cancel a whole event (every occurrence). It leaves calendars and search; whoever answered yes or maybe for
    an upcoming date is told."""
    _require_manager(event, Access(event.community, actor))
    if event.cancelled_at is None:
        event.cancelled_at = timezone.now()
        event.save(update_fields=["cancelled_at", "updated_at"])
        event_changed(event.pk)
        _tell_answered(
            _answered(event),
            event,
            actor,
            subject=f"“{event.title}” is cancelled",
            text="The organiser cancelled this event: none of its dates will take place.",
        )
    return event


# --- Occurrences ------------------------------------------------------------------------------------


def _occurrence_for(event: Event, original_start: dt.datetime | None, *, lock: bool = False) -> Occurrence:
    """The stored occurrence starting (originally) at this moment, created when first needed; 404 when the
    event has no occurrence then."""
    if original_start is None:
        if event.recurrence:
            raise ValidationError({"occurrence": ["Say which occurrence of this recurring event you mean."]})
        original_start = event.start
    original_start = original_start.astimezone(UTC).replace(microsecond=0)
    qs = Occurrence.objects.filter(event=event, original_start=original_start)
    if lock:
        qs = qs.select_for_update()
    row = qs.first()
    if row is not None:
        return row
    if not is_planned(event, original_start):
        raise Http404("This event has no occurrence at that time.")
    duration = event.end - event.start
    try:
        with transaction.atomic():
            row = Occurrence.objects.create(
                event=event,
                original_start=original_start,
                start=original_start,
                end=original_start + duration,
            )
    except IntegrityError:  # created by a concurrent request
        row = Occurrence.objects.get(event=event, original_start=original_start)
    return row


def occurrence_get(*, event: Event, original_start: dt.datetime | None) -> Occurrence:
    """The stored row of an occurrence (created on first use)."""
    return _occurrence_for(event, original_start)


@transaction.atomic
def occurrence_change(
    *,
    event: Event,
    actor: User,
    original_start: dt.datetime | None,
    cancel: bool = False,
    new_start: dt.datetime | None = None,
    new_end: dt.datetime | None = None,
) -> Occurrence:
    """Cancel or move one occurrence (an exception to the rule). Naive times are in the event's time zone.
    Whoever answered yes or maybe for it is told."""
    _require_manager(event, Access(event.community, actor))
    occurrence = _occurrence_for(event, original_start, lock=True)
    was = (occurrence.start, occurrence.end, occurrence.is_cancelled)
    answered = list(_answered(event).filter(occurrence=occurrence))  # before a cancellation hides them
    if cancel:
        occurrence.is_cancelled = True
    else:
        zone = zoneinfo.ZoneInfo(event.timezone)
        if new_start is None:
            raise ValidationError({"start": ["Give the new start date and time."]})
        for moment in (new_start, new_end):
            if moment is not None and not MIN_YEAR <= moment.year <= MAX_YEAR:
                raise ValidationError({"start": [f"Give a date between {MIN_YEAR} and {MAX_YEAR}."]})
        start = _localise(new_start, zone)
        end = _localise(new_end, zone) if new_end is not None else start + (occurrence.end - occurrence.start)
        if end <= start:
            raise ValidationError(
                {"end": ["The end is before the start: an event must end after it starts."]}
            )
        if end - start > MAX_DURATION:
            raise ValidationError({"end": ["An event may last at most 31 days."]})
        occurrence.start, occurrence.end, occurrence.is_cancelled = start, end, False
    occurrence.save()
    if was != (occurrence.start, occurrence.end, occurrence.is_cancelled) and was[1] > timezone.now():
        zone = zoneinfo.ZoneInfo(event.timezone)
        before = _at(was[0], zone)
        if occurrence.is_cancelled:
            subject, text = f"“{event.title}” on {before} is cancelled", "The organiser cancelled this date."
        else:
            subject = f"“{event.title}” on {before} moves to {_span(occurrence.start, occurrence.end, zone)}"
            text = f"Time zone {event.timezone}. Your answer stands; change it on the event page if you cannot come."
        _tell_answered(answered, event, actor, subject=subject, text=text, occurrence=occurrence)
    return occurrence


# --- RSVP -------------------------------------------------------------------------------------------


@dataclass
class RsvpResult:
    rsvp: Rsvp
    message: str
    promoted: User | None = None

    @property
    def status(self) -> str:
        if self.rsvp.is_waiting:
            return "waiting"
        return "confirmed" if self.rsvp.response == RsvpResponse.YES else self.rsvp.response


def _confirmed_count(occurrence: Occurrence) -> int:
    return Rsvp.objects.filter(occurrence=occurrence, response=RsvpResponse.YES, waiting_since=None).count()


def waiting_position(rsvp: Rsvp) -> int:
    """1 for the first person waiting."""
    if rsvp.waiting_since is None:
        return 0
    ahead = Rsvp.objects.filter(occurrence_id=rsvp.occurrence_id).filter(
        Q(waiting_since__lt=rsvp.waiting_since) | Q(waiting_since=rsvp.waiting_since, id__lt=rsvp.pk)
    )
    return ahead.count() + 1


@transaction.atomic
def event_rsvp(
    *, event: Event, user: User, response: str, original_start: dt.datetime | None = None
) -> RsvpResult:
    """Answer yes, no or maybe for one occurrence. A yes beyond capacity goes to the waiting list (and says
    so); when a confirmed person declines, the first one waiting gets the seat."""
    access = Access(event.community, user)
    _require_readable(access)
    if event.is_cancelled:
        raise Http404("This event was cancelled.")
    if response not in RsvpResponse.values:
        raise ValidationError({"response": [f"Answer one of: {', '.join(RsvpResponse.values)}."]})
    if not access.is_member and not access.is_admin:
        raise PermissionDenied("Join this community to answer invitations to its meetings.")
    # Lock the occurrence so two last-seat answers cannot both take it.
    occurrence = _occurrence_for(event, original_start, lock=True)
    occurrence = Occurrence.objects.select_for_update().get(pk=occurrence.pk)
    if occurrence.is_cancelled:
        raise ValidationError({"occurrence": ["This occurrence is cancelled."]})
    if occurrence.end <= timezone.now():
        raise ValidationError({"occurrence": ["This meeting has already taken place."]})
    rsvp = Rsvp.objects.filter(occurrence=occurrence, user=user).first()
    was_confirmed = rsvp is not None and rsvp.is_confirmed
    if rsvp is None:
        rsvp = Rsvp(occurrence=occurrence, user=user, response=response)
    rsvp.response = response
    promoted: User | None = None
    if response == RsvpResponse.YES:
        if was_confirmed:
            pass
        elif rsvp.waiting_since is not None:
            pass  # keeps its place in the queue
        elif event.capacity is not None and _confirmed_count(occurrence) >= event.capacity:
            rsvp.waiting_since = timezone.now()
    else:
        rsvp.waiting_since = None
    rsvp.save()
    if was_confirmed and response != RsvpResponse.YES:
        promoted = _promote_first_waiting(occurrence, event)
        if promoted is not None:
            _tell_promoted(promoted, occurrence, event)
    if rsvp.is_waiting:
        position = waiting_position(rsvp)
        message = (
            f"This meeting is full ({event.capacity} seats): you are number {position} on the waiting list. "
            "You get a seat as soon as someone declines."
        )
    elif response == RsvpResponse.YES:
        message = "You are going. See you there!"
    elif response == RsvpResponse.MAYBE:
        message = "Noted: you might come."
    else:
        message = "Noted: you are not coming."
    return RsvpResult(rsvp=rsvp, message=message, promoted=promoted)


def _promote_first_waiting(occurrence: Occurrence, event: Event) -> User | None:
    if event.capacity is not None and _confirmed_count(occurrence) >= event.capacity:
        return None
    first = (
        Rsvp.objects.select_for_update()
        .filter(occurrence=occurrence, waiting_since__isnull=False)
        .order_by("waiting_since", "id")
        .select_related("user")
        .first()
    )
    if first is None:
        return None
    first.waiting_since = None
    first.save(update_fields=["waiting_since", "updated_at"])
    return first.user


def _tell_promoted(user: User, occurrence: Occurrence, event: Event) -> None:
    """Tell the person who got a freed seat: they are now going (notification centre, and email per their
    preferences)."""
    from practica.notifications.services import notify

    when = _at(occurrence.start, zoneinfo.ZoneInfo(event.timezone))
    notify(
        recipients=[user],
        kind="waitlist_promoted",
        subject=f"A seat freed up: you are going to “{event.title}” on {when} ({event.timezone})",
        url=_occurrence_url(event, occurrence),
        community=event.community,
        target=occurrence,
        text="Someone declined and you were first on the waiting list. If you cannot come, answer "
        "“Not going” so the next person gets the seat.",
    )


def _span(start: dt.datetime, end: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """A time span in the zone, like "04 Jan 2027, 18:00–19:30" (with the end's date when it is another day)."""
    same_day = start.astimezone(zone).date() == end.astimezone(zone).date()
    return f"{_at(start, zone)}–{f'{end.astimezone(zone):%H:%M}' if same_day else _at(end, zone)}"


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


def _answered(event: Event) -> QuerySet[Rsvp]:
    """Answers of yes (going or waiting) and maybe for the event's dates still to come and not cancelled."""
    return Rsvp.objects.filter(
        occurrence__event=event,
        occurrence__end__gt=timezone.now(),
        occurrence__is_cancelled=False,
        response__in=[RsvpResponse.YES, RsvpResponse.MAYBE],
    ).select_related("user")


def _tell_answered(
    answers: Any, event: Event, actor: User, *, subject: str, text: str, occurrence: Occurrence | None = None
) -> int:
    """One notification to each person with one of these answers (never the actor; only who may still read)."""
    from practica.notifications.services import notify

    return notify(
        recipients=[rsvp.user for rsvp in answers],
        kind="event_changed",
        subject=subject,
        url=_occurrence_url(event, occurrence) if occurrence is not None else _event_url(event),
        community=event.community,
        actor=actor,
        target=occurrence or event,
        text=text,
    )


def _in_words(items: list[str]) -> str:
    """["time", "place", "meeting link"] → "time, place and meeting link"."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def _tell_changed(event: Event, actor: User, changed: list[str]) -> int:
    """Tell those coming to an upcoming date what an edit changed, with the new values."""
    zone = zoneinfo.ZoneInfo(event.timezone)
    details = []
    if "time" in changed:
        start = event.start
        if event.recurrence:  # a series: its next date, not its first
            now = timezone.now()
            start = next(iter(planned_starts(event, now, now + dt.timedelta(days=400))), event.start)
        when = _span(start, start + (event.end - event.start), zone)
        details.append(f"Time: {'next on ' if event.recurrence else ''}{when} ({event.timezone}).")
    if "place" in changed:
        details.append(f"Place: {event.location}." if event.location else "Place: none given any more.")
    if "meeting link" in changed:
        details.append(f"Meeting link: {event.online_url}" if event.online_url else "Meeting link: none any more.")
    return _tell_answered(
        _answered(event),
        event,
        actor,
        subject=f"“{event.title}”: new {_in_words(changed)}",
        text=" ".join([*details, "Your answer stands; change it on the event page if you cannot come."]),
    )


def _tell_dropped(answers: list[Rsvp], event: Event, actor: User) -> None:
    """Tell those who had answered yes or maybe for a date the new schedule no longer has (one notice per date)."""
    zone = zoneinfo.ZoneInfo(event.timezone)
    for rsvp in answers:
        if rsvp.response == RsvpResponse.NO:
            continue
        _tell_answered(
            [rsvp],
            event,
            actor,
            subject=f"“{event.title}” no longer meets on {_at(rsvp.occurrence.start, zone)} ({event.timezone})",
            text="The organiser changed the schedule and this date is not in it any more, so your answer "
            "for it was removed. See the event for its new dates.",
        )


# --- After the meeting ------------------------------------------------------------------------------


@transaction.atomic
def attendance_mark(
    *, event: Event, actor: User, original_start: dt.datetime | None, usernames: list[str]
) -> list[Attendance]:
    """Record who came (replaces the list). The organiser or a coordinator, once the meeting has started."""
    _require_manager(event, Access(event.community, actor))
    occurrence = _occurrence_for(event, original_start, lock=True)
    if occurrence.is_cancelled:
        raise ValidationError({"occurrence": ["This occurrence is cancelled."]})
    if occurrence.start > timezone.now():
        raise ValidationError({"attendance": ["Attendance can be marked once the meeting has started."]})
    wanted = {name.strip().lower() for name in usernames if name.strip()}
    users = list(_members_named(event.community, wanted))
    unknown = wanted - {u.username.lower() for u in users}
    if unknown:
        raise ValidationError(
            {"attendance": [f"Not members of this community: {', '.join(sorted(unknown))}."]}
        )
    Attendance.objects.filter(occurrence=occurrence).exclude(user__in=users).delete()
    present = set(Attendance.objects.filter(occurrence=occurrence).values_list("user_id", flat=True))
    Attendance.objects.bulk_create(
        [Attendance(occurrence=occurrence, user=u, marked_by=actor) for u in users if u.pk not in present]
    )
    return list(Attendance.objects.filter(occurrence=occurrence).select_related("user"))


def _members_named(community: Community, usernames: set[str]) -> Any:
    if not usernames:
        return User.objects.none()
    active = Membership.objects.filter(community=community, state=MembershipState.ACTIVE).values("user_id")
    return User.objects.filter(id__in=active, username__in=_variants(usernames))


def _variants(names: set[str]) -> list[str]:
    out: set[str] = set()
    for name in names:
        out.update({name, name.lower(), name.capitalize(), name.title()})
    return list(out)


@transaction.atomic
def occurrence_write_up(
    *,
    event: Event,
    actor: User,
    original_start: dt.datetime | None,
    agenda: str | None = None,
    notes: str | None = None,
    decisions: str | None = None,
) -> Occurrence:
    """Write the agenda (before) or the notes and decisions (after) of one occurrence; Markdown, sanitised."""
    _require_manager(event, Access(event.community, actor))
    errors: dict[str, list[str]] = {}
    for field, value in (("agenda", agenda), ("notes", notes), ("decisions", decisions)):
        if value is not None:
            try:
                _clean_text(value, field)
            except ValidationError as exc:
                _collect(errors, exc)
    if errors:
        raise ValidationError(errors)
    occurrence = _occurrence_for(event, original_start, lock=True)
    if agenda is not None:
        occurrence.agenda_source = agenda
        occurrence.agenda_html = render_markdown(agenda).html
    if notes is not None:
        rendered = render_markdown(notes)
        occurrence.notes_source, occurrence.notes_html, occurrence.notes_text = (
            notes,
            rendered.html,
            rendered.text,
        )
    if decisions is not None:
        occurrence.decisions_source = decisions
        occurrence.decisions_html = render_markdown(decisions).html
    if notes is not None or decisions is not None:
        occurrence.notes_updated_at = timezone.now()
    occurrence.save()
    event_changed(event.pk)
    return occurrence


@transaction.atomic
def action_create(
    *,
    event: Event,
    actor: User,
    original_start: dt.datetime | None,
    text: str,
    owner_username: str,
    due_date: dt.date | None = None,
) -> ActionItem:
    """Add an action decided in a meeting; its owner (an active member) is notified and sees it at home."""
    _require_manager(event, Access(event.community, actor))
    errors: dict[str, list[str]] = {}
    text = " ".join((text or "").split())
    if not text:
        errors["text"] = ["Say what is to be done."]
    elif len(text) > 500:
        errors["text"] = ["An action may have at most 500 characters."]
    name = (owner_username or "").strip().lstrip("@").lower()
    owner = _members_named(event.community, {name}).first() if name else None
    if owner is None:
        errors["owner"] = [
            f"“{name}” is not a member of this community." if name else "Say who owns this action."
        ]
    if errors:
        raise ValidationError(errors)
    assert owner is not None
    occurrence = _occurrence_for(event, original_start, lock=True)
    action = ActionItem.objects.create(
        occurrence=occurrence, text=text, owner=owner, due_date=due_date, created_by=actor
    )
    from practica.notifications.services import notify

    due = f" (due {due_date:%d %b %Y})" if due_date else ""
    notify(
        recipients=[owner],
        kind="action_assigned",
        subject=f"Action for you from “{event.title}”: {text}{due}",
        url=_occurrence_url(event, occurrence),
        community=event.community,
        actor=actor,
        target=action,
        text=text,
    )
    return action


@transaction.atomic
def action_set_done(*, action: ActionItem, actor: User, done: bool) -> ActionItem:
    """Tick an action done (or reopen it): its owner, the organiser or a coordinator."""
    event = action.occurrence.event
    access = Access(event.community, actor)
    _require_readable(access)
    if action.owner_id != actor.pk and not can_manage(event, access):
        raise PermissionDenied("Only the action's owner, the organiser or a coordinator can change it.")
    action.done_at = timezone.now() if done else None
    action.save(update_fields=["done_at"])
    return action


# --- Reminders --------------------------------------------------------------------------------------

REMINDER_AHEAD = dt.timedelta(hours=24)


def send_event_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind those who said yes or maybe, 24 hours before each occurrence. Safe from cron and when runs
    overlap: an occurrence is claimed (``reminder_sent_at`` set) in the same transaction that records the
    notifications, so it is reminded once, and a crash mid-way leaves the rest for the next run."""
    now = now or timezone.now()
    window_end = now + REMINDER_AHEAD
    events = list(
        Event.objects.filter(cancelled_at=None, start__lt=window_end)
        .select_related("community")
        .only("id", "community", "title", "start", "end", "timezone", "recurrence", "kind")
    )
    rows = Occurrence.objects.filter(event__in=events).filter(
        Q(start__lt=window_end, end__gt=now) | Q(original_start__gte=now, original_start__lt=window_end)
    )
    sent = 0
    for info in expand(events, now, window_end, rows=rows):
        with transaction.atomic():
            occurrence = _occurrence_for(info.event, info.original_start)
            claimed = Occurrence.objects.filter(
                pk=occurrence.pk, reminder_sent_at=None, is_cancelled=False
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            people = User.objects.filter(
                rsvps__occurrence=occurrence, rsvps__response__in=[RsvpResponse.YES, RsvpResponse.MAYBE]
            ).exclude(rsvps__occurrence=occurrence, rsvps__waiting_since__isnull=False)
            from practica.notifications.services import notify

            when = info.start.astimezone(zoneinfo.ZoneInfo(info.event.timezone))
            notify(
                recipients=list(people),
                kind="event_reminder",
                subject=f"Tomorrow: {info.event.title} at {when:%H:%M} ({info.event.timezone})",
                url=f"{_event_url(info.event)}?occurrence={info.key}",
                community=info.event.community,
                target=occurrence,
            )
            sent += 1
    return sent


# --- Personal calendar feed -------------------------------------------------------------------------


def calendar_token(*, user: User) -> str:
    """The signed token of the person's personal calendar feed (current version)."""
    row, _ = CalendarToken.objects.get_or_create(user=user)
    return signing.dumps({"u": user.pk, "v": row.version}, salt=CALENDAR_SALT, compress=True)


@transaction.atomic
def calendar_token_revoke(*, user: User) -> str:
    """Revoke every personal feed URL given out so far and return a new token."""
    row, _ = CalendarToken.objects.select_for_update().get_or_create(user=user)
    row.version += 1
    row.save(update_fields=["version", "updated_at"])
    return signing.dumps({"u": user.pk, "v": row.version}, salt=CALENDAR_SALT, compress=True)


def calendar_token_user(token: str) -> User | None:
    """The person a feed token belongs to, or None when it is tampered with or revoked."""
    try:
        data = signing.loads(token, salt=CALENDAR_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("v"), int):
        return None
    row = CalendarToken.objects.filter(user_id=data["u"], version=data["v"], user__is_active=True).first()
    return row.user if row is not None else None


# --- Capture as knowledge ---------------------------------------------------------------------------


def notes_capture(*, event: Event, actor: User, original_start: dt.datetime | None) -> Any:
    """Turn one occurrence's notes and decisions into a knowledge draft (provenance: the meeting)."""
    access = Access(event.community, actor)
    _require_manager(event, access)
    occurrence = _occurrence_for(event, original_start)
    if not (occurrence.notes_source.strip() or occurrence.decisions_source.strip()):
        raise ValidationError({"notes": ["Write the meeting's notes or decisions first."]})
    from practica.knowledge.services import capture_from_notes

    body = occurrence.notes_source
    if occurrence.decisions_source.strip():
        body = f"{body}\n\n## Decisions\n\n{occurrence.decisions_source}"
    credited = list(User.objects.filter(attendances__occurrence=occurrence))
    when = occurrence.start.astimezone(zoneinfo.ZoneInfo(event.timezone))
    return capture_from_notes(
        user=actor,
        community=event.community,
        title=f"{event.title} — {when:%d %b %Y}",
        body_markdown=body,
        source_title=f"{event.title}, {when:%d %b %Y %H:%M} ({event.timezone})",
        source_url=_occurrence_url(event, occurrence),
        credited=credited,
    )
