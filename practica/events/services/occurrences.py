"""One date of an event: its stored row (made when first needed), and moving or cancelling it as an exception to
the rule."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.selectors import Access
from practica.events import notifications, permissions
from practica.events.models import Event, Occurrence
from practica.events.recurrence import MAX_YEAR, MIN_YEAR, UTC, is_planned
from practica.events.services.validation import MAX_DURATION, localise

RECURRING_NEEDS_OCCURRENCE = "Say which occurrence of this recurring event you mean."


def occurrence_for(event: Event, original_start: dt.datetime | None, *, lock: bool = False) -> Occurrence:
    """The stored occurrence starting (originally) at this moment, created when first needed; 404 when the
    event has no occurrence then."""
    if original_start is None:
        if event.recurrence:
            raise ValidationError({"occurrence": [RECURRING_NEEDS_OCCURRENCE]})
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
    return occurrence_for(event, original_start)


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
    permissions.may_manage.require(event, Access(event.community, actor))
    occurrence = occurrence_for(event, original_start, lock=True)
    was = (occurrence.start, occurrence.end, occurrence.is_cancelled)
    answered = notifications.answered(event, occurrence)  # before a cancellation hides them
    if cancel:
        occurrence.is_cancelled = True
    else:
        zone = zoneinfo.ZoneInfo(event.timezone)
        if new_start is None:
            raise ValidationError({"start": ["Give the new start date and time."]})
        for moment in (new_start, new_end):
            if moment is not None and not MIN_YEAR <= moment.year <= MAX_YEAR:
                raise ValidationError({"start": [f"Give a date between {MIN_YEAR} and {MAX_YEAR}."]})
        start = localise(new_start, zone)
        end = localise(new_end, zone) if new_end is not None else start + (occurrence.end - occurrence.start)
        if end <= start:
            raise ValidationError(
                {"end": ["The end is before the start: an event must end after it starts."]}
            )
        if end - start > MAX_DURATION:
            raise ValidationError({"end": ["An event may last at most 31 days."]})
        occurrence.start, occurrence.end, occurrence.is_cancelled = start, end, False
    occurrence.save()
    if was != (occurrence.start, occurrence.end, occurrence.is_cancelled) and was[1] > timezone.now():
        notifications.occurrence_changed(answered, event, actor, occurrence, was_start=was[0])
    return occurrence
