"""What the events app tells people, in its own words, and when: always after the write commits.

Each function here words one notification (subject, text, link) from the state inside the transaction and
schedules its delivery with ``transaction.on_commit`` through the notifications app's public delivery functions
(``notify``, ``broadcast``), so a write that rolls back tells nobody and a delivery that fails (say the mail server
is down) is logged without turning the saved write into an error (``robust=True``).

The functions that tell several people return how many will be told (those who may still read the community,
never the actor), for the messages that say so ("2 people coming were told of the new place").
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState, Visibility
from practica.events.models import ActionItem, Event, Occurrence, Rsvp, RsvpResponse
from practica.events.recurrence import occurrence_key, planned_starts
from practica.notifications import services as delivery


def on_commit(send: Callable[[], Any]) -> None:
    """Deliver after the current transaction commits (at once outside one); a failure is logged, never raised."""
    transaction.on_commit(send, robust=True)


# --- Wording helpers -----------------------------------------------------------------------------------------


def event_url(event: Event) -> str:
    return event.get_absolute_url()


def occurrence_url(event: Event, occurrence: Occurrence) -> str:
    return f"{event_url(event)}?occurrence={occurrence_key(occurrence.original_start)}"


def at(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """A moment on the event's wall clock, like "04 Jan 2027, 18:00"."""
    return f"{moment.astimezone(zone):%d %b %Y, %H:%M}"


def span(start: dt.datetime, end: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """A time span in the zone, like "04 Jan 2027, 18:00–19:30" (with the end's date when it is another day)."""
    same_day = start.astimezone(zone).date() == end.astimezone(zone).date()
    return f"{at(start, zone)}–{f'{end.astimezone(zone):%H:%M}' if same_day else at(end, zone)}"


def in_words(items: list[str]) -> str:
    """["time", "place", "meeting link"] → "time, place and meeting link"."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def _who_may_read(community: Community, users: Iterable[User], actor: User | None) -> list[User]:
    """The people who will get a notification: active, not the actor, and still readers of the community."""
    unique: dict[int, User] = {}
    for user in users:
        if user.is_active and (actor is None or user.pk != actor.pk):
            unique.setdefault(user.pk, user)
    if community.visibility == Visibility.PUBLIC or not unique:
        return list(unique.values())
    members = set(
        Membership.objects.filter(
            community=community, user_id__in=list(unique), state=MembershipState.ACTIVE
        ).values_list("user_id", flat=True)
    )
    return [u for u in unique.values() if u.pk in members or u.is_superuser]


def _notify_on_commit(
    *,
    recipients: list[User],
    kind: str,
    subject: str,
    url: str,
    community: Community,
    actor: User | None = None,
    target: Any = None,
    text: str = "",
) -> None:
    if not recipients:
        return
    on_commit(
        lambda: delivery.notify(
            recipients=recipients,
            kind=kind,
            subject=subject,
            url=url,
            community=community,
            actor=actor,
            target=target,
            text=text,
        )
    )


# --- What happened --------------------------------------------------------------------------------------------


def event_created(event: Event, organiser: User) -> None:
    """A new meeting: the community's watchers and its webhooks hear of it."""
    community = event.community
    subject = f"New {event.get_kind_display().lower()} in {community.name}: {event.title}"
    payload = {
        "id": event.pk,
        "title": event.title,
        "kind": event.kind,
        "start": event.start.isoformat(),
        "end": event.end.isoformat(),
        "timezone": event.timezone,
        "recurrence": event.recurrence,
    }
    url = event_url(event)
    on_commit(
        lambda: delivery.broadcast(
            community=community,
            event="event.created",
            subject=subject,
            url=url,
            actor=organiser,
            target=event,
            payload=payload,
        )
    )


def answered(event: Event, occurrence: Occurrence | None = None) -> list[Rsvp]:
    """Answers of yes (going or waiting) and maybe for the event's dates (or this one) still to come and not
    cancelled: who is told of a change."""
    answers = Rsvp.objects.filter(
        occurrence__event=event,
        occurrence__end__gt=timezone.now(),
        occurrence__is_cancelled=False,
        response__in=[RsvpResponse.YES, RsvpResponse.MAYBE],
    )
    if occurrence is not None:
        answers = answers.filter(occurrence=occurrence)
    return list(answers.select_related("user"))


def _tell_answered(
    answers: Iterable[Rsvp],
    event: Event,
    actor: User,
    *,
    subject: str,
    text: str,
    occurrence: Occurrence | None = None,
) -> int:
    """One notification to each person with one of these answers (never the actor; only who may still read)."""
    recipients = _who_may_read(event.community, [rsvp.user for rsvp in answers], actor)
    _notify_on_commit(
        recipients=recipients,
        kind="event_changed",
        subject=subject,
        url=occurrence_url(event, occurrence) if occurrence is not None else event_url(event),
        community=event.community,
        actor=actor,
        target=occurrence or event,
        text=text,
    )
    return len(recipients)


def event_changed(event: Event, actor: User, changed: list[str]) -> int:
    """Tell those coming to an upcoming date what an edit changed, with the new values; how many are told."""
    zone = zoneinfo.ZoneInfo(event.timezone)
    details = []
    if "time" in changed:
        start = event.start
        if event.recurrence:  # a series: its next date, not its first
            now = timezone.now()
            start = next(iter(planned_starts(event, now, now + dt.timedelta(days=400))), event.start)
        when = span(start, start + (event.end - event.start), zone)
        details.append(f"Time: {'next on ' if event.recurrence else ''}{when} ({event.timezone}).")
    if "place" in changed:
        details.append(f"Place: {event.location}." if event.location else "Place: none given any more.")
    if "meeting link" in changed:
        details.append(f"Meeting link: {event.online_url}" if event.online_url else "Meeting link: none any more.")
    return _tell_answered(
        answered(event),
        event,
        actor,
        subject=f"“{event.title}”: new {in_words(changed)}",
        text=" ".join([*details, "Your answer stands; change it on the event page if you cannot come."]),
    )


def dates_dropped(answers: list[Rsvp], event: Event, actor: User) -> None:
    """Tell those who had answered yes or maybe for a date the new schedule no longer has (one notice per date)."""
    zone = zoneinfo.ZoneInfo(event.timezone)
    for rsvp in answers:
        if rsvp.response == RsvpResponse.NO:
            continue
        _tell_answered(
            [rsvp],
            event,
            actor,
            subject=f"“{event.title}” no longer meets on {at(rsvp.occurrence.start, zone)} ({event.timezone})",
            text="The organiser changed the schedule and this date is not in it any more, so your answer "
            "for it was removed. See the event for its new dates.",
        )


def event_cancelled(event: Event, actor: User) -> None:
    """Tell whoever answered yes or maybe for an upcoming date that the whole event is off."""
    _tell_answered(
        answered(event),
        event,
        actor,
        subject=f"“{event.title}” is cancelled",
        text="The organiser cancelled this event: none of its dates will take place.",
    )


def occurrence_changed(
    answers: list[Rsvp], event: Event, actor: User, occurrence: Occurrence, *, was_start: dt.datetime
) -> None:
    """Tell those coming to one date that it moved or is cancelled."""
    zone = zoneinfo.ZoneInfo(event.timezone)
    before = at(was_start, zone)
    if occurrence.is_cancelled:
        subject, text = f"“{event.title}” on {before} is cancelled", "The organiser cancelled this date."
    else:
        subject = f"“{event.title}” on {before} moves to {span(occurrence.start, occurrence.end, zone)}"
        text = f"Time zone {event.timezone}. Your answer stands; change it on the event page if you cannot come."
    _tell_answered(answers, event, actor, subject=subject, text=text, occurrence=occurrence)


def waitlist_promoted(user: User, occurrence: Occurrence, event: Event) -> None:
    """Tell the person who got a freed seat: they are now going (notification centre, and email per their
    preferences)."""
    when = at(occurrence.start, zoneinfo.ZoneInfo(event.timezone))
    _notify_on_commit(
        recipients=[user],
        kind="waitlist_promoted",
        subject=f"A seat freed up: you are going to “{event.title}” on {when} ({event.timezone})",
        url=occurrence_url(event, occurrence),
        community=event.community,
        target=occurrence,
        text="Someone declined and you were first on the waiting list. If you cannot come, answer "
        "“Not going” so the next person gets the seat.",
    )


def action_assigned(action: ActionItem, event: Event, occurrence: Occurrence, actor: User) -> None:
    """Tell an action's owner what is theirs to do."""
    due = f" (due {action.due_date:%d %b %Y})" if action.due_date else ""
    _notify_on_commit(
        recipients=[action.owner],
        kind="action_assigned",
        subject=f"Action for you from “{event.title}”: {action.text}{due}",
        url=occurrence_url(event, occurrence),
        community=event.community,
        actor=actor,
        target=action,
        text=action.text,
    )


def reminder(people: list[User], event: Event, occurrence: Occurrence, *, start: dt.datetime, key: str) -> None:
    """Remind those coming, the day before."""
    when = start.astimezone(zoneinfo.ZoneInfo(event.timezone))
    _notify_on_commit(
        recipients=people,
        kind="event_reminder",
        subject=f"Tomorrow: {event.title} at {when:%H:%M} ({event.timezone})",
        url=f"{event_url(event)}?occurrence={key}",
        community=event.community,
        target=occurrence,
    )
