"""The day-before reminders, run from cron (``send_event_reminders``) or as a task."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from practica.accounts.models import User
from practica.events import notifications
from practica.events.models import Event, Occurrence, RsvpResponse
from practica.events.recurrence import expand
from practica.events.services.occurrences import occurrence_for

REMINDER_AHEAD = dt.timedelta(hours=24)


def send_event_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind those who said yes or maybe, 24 hours before each occurrence. Safe from cron and when runs
    overlap: an occurrence is claimed (``reminder_sent_at`` set) in its own transaction, and its reminders are
    recorded once that claim commits, so it is reminded once, and a crash mid-way leaves the occurrences not yet
    claimed for the next run."""
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
            occurrence = occurrence_for(info.event, info.original_start)
            claimed = Occurrence.objects.filter(
                pk=occurrence.pk, reminder_sent_at=None, is_cancelled=False
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            people = User.objects.filter(
                rsvps__occurrence=occurrence, rsvps__response__in=[RsvpResponse.YES, RsvpResponse.MAYBE]
            ).exclude(rsvps__occurrence=occurrence, rsvps__waiting_since__isnull=False)
            notifications.reminder(list(people), info.event, occurrence, start=info.start, key=info.key)
            sent += 1
    return sent
