"""Answering a meeting's invitation: yes, no or maybe for one date, with a waiting list beyond capacity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.selectors import Access
from practica.events import notifications, permissions
from practica.events.models import Event, Occurrence, Rsvp, RsvpResponse
from practica.events.selectors import occurrences_between
from practica.events.services.occurrences import occurrence_for
from practica.events.services.validation import MAX_DURATION

UPCOMING_HORIZON_DAYS = 3660  # as far as the event page looks for a next date


NO_UPCOMING_DATE = "This recurring event has no upcoming date to answer for: name the occurrence."


@dataclass
class RsvpResult:
    """What an answer did: the answer, the sentence that says so, and who got a freed seat."""

    rsvp: Rsvp
    message: str
    promoted: User | None = None

    @property
    def status(self) -> str:
        if self.rsvp.is_waiting:
            return "waiting"
        return "confirmed" if self.rsvp.response == RsvpResponse.YES else self.rsvp.response


def next_upcoming_start(event: Event) -> dt.datetime:
    """The original start of the event's next date still to come (not cancelled); 400 when there is none."""
    now = timezone.now()
    upcoming = [
        info
        for info in occurrences_between([event], now - MAX_DURATION, now + dt.timedelta(days=UPCOMING_HORIZON_DAYS))
        if info.end > now
    ]
    if not upcoming:
        raise ValidationError({"occurrence": [NO_UPCOMING_DATE]})
    return upcoming[0].original_start


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
    *,
    event: Event,
    user: User,
    response: str,
    original_start: dt.datetime | None = None,
    upcoming_if_unnamed: bool = False,
) -> RsvpResult:
    """Answer yes, no or maybe for one occurrence. A yes beyond capacity goes to the waiting list (and says
    so); when a confirmed person declines, the first one waiting gets the seat.

    A recurring event's date must be named, unless ``upcoming_if_unnamed``: then the answer is for its next
    date still to come (the API's contract), and a 400 says so when it has none."""
    access = Access(event.community, user)
    permissions.may_read.require(access)
    if event.is_cancelled:
        raise Http404("This event was cancelled.")
    if response not in RsvpResponse.values:
        raise ValidationError({"response": [f"Answer one of: {', '.join(RsvpResponse.values)}."]})
    permissions.may_rsvp.require(access)
    if original_start is None and event.recurrence and upcoming_if_unnamed:
        original_start = next_upcoming_start(event)
    # Lock the occurrence so two last-seat answers cannot both take it.
    occurrence = occurrence_for(event, original_start, lock=True)
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
        promoted = promote_first_waiting(occurrence, event)
        if promoted is not None:
            notifications.waitlist_promoted(promoted, occurrence, event)
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


def promote_first_waiting(occurrence: Occurrence, event: Event) -> User | None:
    """Give the first person waiting a freed seat (the caller tells them); None when nobody waits or no seat is free."""
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
