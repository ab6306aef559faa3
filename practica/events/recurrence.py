"""RRULE parsing and bounded expansion of an event into occurrences (python-dateutil).

A rule is expanded in the event's own time zone, so "every first Tuesday at 18:00 Europe/Paris" stays at 18:00
local time across daylight-saving changes; the occurrences are then converted to UTC. A rule is never expanded
without a window, so an unbounded rule (no COUNT, no UNTIL) costs only what the window holds.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil.rrule import rrule, rrulestr
from django.core.exceptions import ValidationError

from practica.events.models import Event, Occurrence

ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
RFC_PARTS = {
    "FREQ",
    "UNTIL",
    "COUNT",
    "INTERVAL",
    "BYSECOND",
    "BYMINUTE",
    "BYHOUR",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
}
MAX_OCCURRENCES_PER_WINDOW = 1000
_RULE_CHARACTERS = re.compile(r"^[A-Z0-9=;,+\-]+$")
UTC = dt.UTC
# Dates far from now are typing mistakes, and windows around year 9999 would overflow.
MIN_YEAR, MAX_YEAR = 1970, 2200


def zone_get(name: str) -> zoneinfo.ZoneInfo:
    """The IANA time zone of this name, or a ValidationError on ``timezone``."""
    name = (name or "").strip()
    message = f"Unknown time zone “{name[:64]}”: use an IANA name such as Europe/Paris or America/New_York."
    if not name or len(name) > 64 or "\x00" in name:
        raise ValidationError({"timezone": [message if name else "Give a time zone, e.g. Europe/Paris."]})
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError({"timezone": [message]}) from None


def rule_normalise(text: str) -> str:
    """The RRULE value in canonical spelling (upper case, no ``RRULE:`` prefix, no spaces)."""
    text = (text or "").strip().upper().replace(" ", "")
    if text.startswith("RRULE:"):
        text = text[len("RRULE:") :]
    return text.rstrip(";")


def rule_parse(text: str, *, start: dt.datetime, zone: zoneinfo.ZoneInfo) -> rrule:
    """Parse an RFC 5545 RRULE value for an event starting at ``start``; ValidationError on ``recurrence``."""
    text = rule_normalise(text)

    def bad(reason: str) -> ValidationError:
        return ValidationError({"recurrence": [f"Not a valid repeat rule (RFC 5545 RRULE): {reason}"]})

    if len(text) > 500:
        raise bad("it is too long.")
    if not _RULE_CHARACTERS.match(text):
        raise bad("use only one rule such as FREQ=MONTHLY;BYDAY=1TU;COUNT=6.")
    parts: dict[str, str] = {}
    for part in text.split(";"):
        name, _, value = part.partition("=")
        parts[name] = value
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise bad(f"FREQ must be one of {', '.join(ALLOWED_FREQUENCIES)} (e.g. FREQ=WEEKLY).")
    if "DTSTART" in parts:
        raise bad("the start comes from the event's start, not from the rule.")
    if "COUNT" in parts and "UNTIL" in parts:
        raise bad("give COUNT or UNTIL, not both.")
    unknown = sorted(set(parts) - RFC_PARTS)
    if unknown:
        raise bad(f"unknown part {unknown[0]}.")
    for name, low, high in (("INTERVAL", 1, 1000), ("COUNT", 1, 10_000)):
        if name in parts and not (parts[name].isdigit() and low <= int(parts[name]) <= high):
            raise bad(f"{name} must be a whole number from {low} to {high:,}.")
    local_start = start.astimezone(zone)
    try:
        rule = rrulestr(text, dtstart=local_start, forceset=False)
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        detail = str(exc)
        if "UNTIL" in detail:
            detail = "UNTIL must be a UTC time ending in Z, e.g. UNTIL=20271231T235959Z."
        raise bad(detail.rstrip(".") + ".") from None
    if not isinstance(rule, rrule):
        raise bad("give a single rule.")
    # A rule matching nothing (BYMONTH=2;BYMONTHDAY=30) must be refused; search a bounded span only.
    horizon = local_start + dt.timedelta(days=366 * 5)
    if _bounded(rule, horizon, drop_count=True).after(local_start - dt.timedelta(seconds=1)) is None:
        raise bad("it produces no date in the next five years.")
    return rule


@dataclass
class OccurrenceInfo:
    """One occurrence as people see it: when it really happens and whether it is cancelled."""

    event: Event
    original_start: dt.datetime
    start: dt.datetime
    end: dt.datetime
    is_cancelled: bool = False
    row: Occurrence | None = None

    @property
    def key(self) -> str:
        """How URLs and forms name this occurrence: its original start in UTC."""
        return occurrence_key(self.original_start)

    @property
    def is_moved(self) -> bool:
        return self.start != self.original_start


def occurrence_key(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def occurrence_key_parse(text: str) -> dt.datetime | None:
    """The UTC datetime named by an occurrence key (ISO 8601), or None when it is not one."""
    try:
        moment = dt.datetime.fromisoformat((text or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _bounded(rule: rrule, end: dt.datetime, *, drop_count: bool = False) -> rrule:
    """The rule stopped at ``end``, so that iterating it always ends even when nothing matches (dateutil would
    otherwise search up to year 9999). A COUNT is kept unless dropped (its meaning depends on every date)."""
    count = getattr(rule, "_count", None)  # dateutil keeps the parts private
    until = getattr(rule, "_until", None)
    if count is not None and not drop_count:
        return rule
    return rule.replace(count=None, until=min(until, end) if until is not None else end)


def planned_starts(event: Event, window_start: dt.datetime, window_end: dt.datetime) -> list[dt.datetime]:
    """Original starts (UTC) of the event's occurrences planned inside [window_start, window_end)."""
    if not event.recurrence:
        return [event.start] if window_start <= event.start < window_end else []
    zone = zoneinfo.ZoneInfo(event.timezone)
    rule = _bounded(
        rrulestr(event.recurrence, dtstart=event.start.astimezone(zone), forceset=False),
        window_end.astimezone(zone),
    )
    starts: list[dt.datetime] = []
    for moment in rule.xafter(window_start.astimezone(zone), inc=True):
        if moment >= window_end:
            break
        starts.append(moment.astimezone(UTC))
        if len(starts) >= MAX_OCCURRENCES_PER_WINDOW:
            break
    return starts


def is_planned(event: Event, original_start: dt.datetime) -> bool:
    """Whether the event has an occurrence starting at this moment (before any exception)."""
    return bool(planned_starts(event, original_start, original_start + dt.timedelta(seconds=1)))


def expand(
    events: Iterable[Event],
    window_start: dt.datetime,
    window_end: dt.datetime,
    *,
    rows: Iterable[Occurrence] = (),
    include_cancelled: bool = False,
) -> list[OccurrenceInfo]:
    """Occurrences of these events happening inside the window, soonest first, exceptions applied.

    ``rows`` are the events' stored occurrences that may matter (their original or actual start near the
    window); a moved occurrence shows at its new time, a cancelled one is left out unless asked for.
    """
    by_key: dict[tuple[int, dt.datetime], Occurrence] = {
        (row.event_id, row.original_start): row for row in rows
    }
    result: list[OccurrenceInfo] = []
    seen: set[tuple[int, dt.datetime]] = set()
    events = list(events)
    for event in events:
        duration = event.end - event.start
        for original in planned_starts(event, window_start, window_end):
            row = by_key.get((event.pk, original))
            seen.add((event.pk, original))
            if row is not None:
                info = OccurrenceInfo(event, original, row.start, row.end, row.is_cancelled, row)
            else:
                info = OccurrenceInfo(event, original, original, original + duration)
            result.append(info)
    events_by_id = {event.pk: event for event in events}
    for (event_id, original), row in by_key.items():
        # Moved into the window from an original time outside it.
        if (event_id, original) not in seen and event_id in events_by_id:
            result.append(
                OccurrenceInfo(events_by_id[event_id], original, row.start, row.end, row.is_cancelled, row)
            )
    result = [
        info
        for info in result
        if window_start <= info.start < window_end and (include_cancelled or not info.is_cancelled)
    ]
    result.sort(key=lambda info: (info.start, info.event.pk))
    return result
