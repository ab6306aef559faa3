"""iCalendar (RFC 5545) feeds of events, with recurrence: RRULE, EXDATE for cancelled occurrences and an
extra VEVENT with RECURRENCE-ID for each moved one (icalendar)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from icalendar import Calendar
from icalendar import Event as VEvent
from icalendar.prop import vRecur

from practica.events.models import Event


def _absolute(url: str) -> str:
    site = getattr(settings, "SITE_URL", "") or "http://localhost:8000"
    return site.rstrip("/") + url


def _uid(event: Event) -> str:
    return f"event-{event.pk}@practica"


def _base(event: Event, zone: zoneinfo.ZoneInfo) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", _uid(event))
    vevent.add("summary", event.title)
    vevent.add("dtstamp", event.updated_at)
    vevent.add("sequence", event.sequence)
    url = _absolute(event.get_absolute_url())
    vevent.add("url", url)
    description = (event.description_text + "\n\n" if event.description_text else "") + url
    if event.online_url:
        description = f"{event.online_url}\n\n{description}"
    vevent.add("description", description)
    location = ", ".join(part for part in (event.location, event.online_url) if part)
    if location:
        vevent.add("location", location)
    vevent.add("categories", [event.get_kind_display()])
    return vevent


def calendar_for(events: Iterable[Event], *, name: str) -> bytes:
    """A VCALENDAR holding these events (their ``occurrences`` should be prefetched)."""
    cal = Calendar()
    cal.add("prodid", "-//Practica//Communities of Practice//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for event in events:
        zone = zoneinfo.ZoneInfo(event.timezone)
        rows = list(event.occurrences.all())
        vevent = _base(event, zone)
        if event.recurrence:
            vevent.add("dtstart", event.start.astimezone(zone))
            vevent.add("dtend", event.end.astimezone(zone))
            vevent.add("rrule", vRecur.from_ical(event.recurrence))
            cancelled = [row.original_start.astimezone(zone) for row in rows if row.is_cancelled]
            if cancelled:
                vevent.add("exdate", cancelled)
            cal.add_component(vevent)
            for row in rows:
                if row.is_cancelled or not row.is_moved:
                    continue
                moved = _base(event, zone)
                moved.add("recurrence-id", row.original_start.astimezone(zone))
                moved.add("dtstart", row.start.astimezone(zone))
                moved.add("dtend", row.end.astimezone(zone))
                cal.add_component(moved)
        else:
            single = rows[0] if rows else None
            start, end = (single.start, single.end) if single is not None else (event.start, event.end)
            vevent.add("dtstart", start.astimezone(zone))
            vevent.add("dtend", end.astimezone(zone))
            if single is not None and single.is_cancelled:
                vevent.add("status", "CANCELLED")
            cal.add_component(vevent)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
