"""RRULE parsing and bounded expansion of an event into occurrences (python-dateutil).

A rule is expanded in the event's own time zone, so "every first Tuesday at 18:00 Europe/Paris" stays at 18:00
local time across daylight-saving changes; the occurrences are then converted to UTC. A rule is never expanded
without a window, so an unbounded rule (no COUNT, no UNTIL) costs only what the window holds.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr, weekday
from django.core.exceptions import ValidationError

from practica.events.models import Event, Occurrence
from practica.lib.timezones import is_time_zone

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
# Start times a day (BYHOUR x BYMINUTE x BYSECOND): more is not a meeting, and would make expansion costly.
MAX_TIMES_PER_DAY = 4
# A rule must give a first date within this span of the event's start.
FIRST_DATE_SPAN_YEARS = 5
_RULE_CHARACTERS = re.compile(r"^[A-Z0-9=;,+\-]+$")
UTC = dt.UTC
# Dates far from now are typing mistakes, and windows around year 9999 would overflow.
MIN_YEAR, MAX_YEAR = 1970, 2200


# RFC 5545, 3.3.10: each BY part's values and their range; "signed" values may carry + or - (never 0).
_WEEKDAY = r"(?:MO|TU|WE|TH|FR|SA|SU)"
_BYDAY_VALUE = re.compile(rf"^([+-]?)(\d{{1,2}})?({_WEEKDAY})$")
_UNTIL = re.compile(r"^\d{8}T\d{6}Z$")
_NUMBER_RANGES: dict[str, tuple[int, int, bool]] = {
    # name: (lowest, highest, signed)
    "BYSECOND": (0, 60, False),
    "BYMINUTE": (0, 59, False),
    "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False),
    "BYSETPOS": (1, 366, True),
}
_NUMBER = re.compile(r"^([+-]?)(\d{1,3})$")


def _part_problem(parts: dict[str, str]) -> str:
    """What is wrong with the rule's parts by RFC 5545's ranges (naming the part), or "" when nothing is.

    dateutil takes values out of range without a word and fails later (``BYDAY=+53MO`` with FREQ=MONTHLY
    raises IndexError while dates are worked out), so every value is checked here first.
    """
    freq = parts["FREQ"]
    for name, (low, high, signed) in _NUMBER_RANGES.items():
        if name not in parts:
            continue
        written = parts[name]
        for value in written.split(","):
            match = _NUMBER.match(value)
            number = int(match.group(2)) if match else -1
            if not match or (match.group(1) and not signed) or not low <= number <= high:
                span = f"from -{high} to {high}, not 0" if signed else f"from {low} to {high}"
                return f"{name}={written}: each value goes {span}."
    if "UNTIL" in parts and not _UNTIL.match(parts["UNTIL"]):
        return "UNTIL must be a UTC time ending in Z, e.g. UNTIL=20271231T235959Z."
    if "WKST" in parts and not re.fullmatch(_WEEKDAY, parts["WKST"]):
        return f"WKST={parts['WKST']}: give one day, MO, TU, WE, TH, FR, SA or SU."
    if "BYDAY" in parts:
        written = parts["BYDAY"]
        if freq == "MONTHLY" or (freq == "YEARLY" and "BYMONTH" in parts):
            most, where = 5, "with FREQ=MONTHLY" if freq == "MONTHLY" else "with BYMONTH"
        else:
            most, where = 53, "with FREQ=YEARLY"
        for value in written.split(","):
            match = _BYDAY_VALUE.match(value)
            if not match or (match.group(1) and not match.group(2)):
                return (
                    f"BYDAY={written}: give days as MO, TU, WE, TH, FR, SA, SU, "
                    "with an optional week number (1MO, -1FR)."
                )
            if match.group(2) is None:
                continue
            number = int(match.group(2))
            if freq not in ("MONTHLY", "YEARLY"):
                return f"BYDAY={written}: a week number (1MO, -1FR) goes only with FREQ=MONTHLY or FREQ=YEARLY."
            if "BYWEEKNO" in parts:
                return f"BYDAY={written}: no week number with BYWEEKNO (RFC 5545)."
            if not 1 <= number <= most:
                return f"BYDAY={written}: {where} the week number goes from -{most} to {most}, not 0."
    if "BYSETPOS" in parts and not any(name.startswith("BY") and name != "BYSETPOS" for name in parts):
        return "BYSETPOS needs another BY part to pick from (e.g. BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1)."
    return ""


def zone_get(name: str) -> zoneinfo.ZoneInfo:
    """The IANA time zone of this name, or a ValidationError on ``timezone``."""
    name = (name or "").strip()
    message = f"Unknown time zone “{name[:64]}”: use an IANA name such as Europe/Paris or America/New_York."
    if not name:
        raise ValidationError({"timezone": ["Give a time zone, e.g. Europe/Paris."]})
    # Only IANA zone names: not localtime, posixrules, Factory or the posix/ and right/ copies, which
    # ZoneInfo opens too but mean nothing (or the server's own zone) as an iCalendar TZID.
    if not is_time_zone(name):
        raise ValidationError({"timezone": [message]})
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
        if not name:
            raise bad("an empty part (two semicolons in a row, or one at the start).")
        if name in parts:
            raise bad(f"{name} is given twice; give each part once.")
        if not value:
            raise bad(f"{name} has no value (write {name}=...).")
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
        if name in parts and not (parts[name].isascii() and parts[name].isdigit() and low <= int(parts[name]) <= high):
            raise bad(f"{name} must be a whole number from {low} to {high:,}.")
    problem = _part_problem(parts)
    if problem:
        raise bad(problem)
    local_start = start.astimezone(zone)
    try:
        rule = rrulestr(text, dtstart=local_start, forceset=False)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        detail = str(exc)
        if "UNTIL" in detail:
            detail = "UNTIL must be a UTC time ending in Z, e.g. UNTIL=20271231T235959Z."
        raise bad(detail.rstrip(".") + ".") from None
    if not isinstance(rule, rrule):
        raise bad("give a single rule.")
    freq = parts["FREQ"]
    if "BYSETPOS" in parts and freq in ("DAILY", "WEEKLY"):
        raise bad("BYSETPOS goes with FREQ=MONTHLY or FREQ=YEARLY (e.g. the last weekday of the month).")
    # RFC 5545, 3.3.10: parts that do not go with some frequencies.
    for name, allowed in (
        ("BYWEEKNO", ("YEARLY",)),
        ("BYYEARDAY", ("YEARLY",)),
        ("BYMONTHDAY", ("DAILY", "MONTHLY", "YEARLY")),
    ):
        if name in parts and freq not in allowed:
            raise bad(f"{name} does not go with FREQ={freq} (RFC 5545).")
    times = 1
    for name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        if name in parts:
            times *= len(set(parts[name].split(",")))
    if times > MAX_TIMES_PER_DAY:
        raise bad(
            f"a meeting may repeat at most {MAX_TIMES_PER_DAY} times a day (BYHOUR, BYMINUTE, BYSECOND)."
        )
    # A rule matching nothing (BYMONTH=2;BYMONTHDAY=30) must be refused, at a bounded cost.
    try:
        found = has_date_within(rule, local_start, years=FIRST_DATE_SPAN_YEARS)
    except (ValueError, IndexError, OverflowError):  # dateutil's own limits; the checks above should come first
        raise bad("dates this rule describes cannot be worked out.") from None
    if not found:
        raise bad(f"it produces no date in the {FIRST_DATE_SPAN_YEARS} years after the event's start.")
    return rule


@functools.cache
def _year_kind(year: int) -> tuple[int, bool]:
    """What a year's calendar looks like: the weekday of 1 January and whether it is a leap year."""
    return dt.date(year, 1, 1).weekday(), calendar.isleap(year)


@functools.lru_cache(maxsize=512)
def _twin_year(year: int, years: int) -> int:
    """The latest year whose calendar matches, day for day, that of ``year - 1`` to ``year + years + 1``
    (weekdays, leap years), and that leaves room for that span before year 9999; ``year`` itself at worst.

    The Gregorian calendar repeats every 400 years, so such a twin always exists within 400 years of 9999.
    """
    wanted = [_year_kind(year + i) for i in range(-1, years + 2)]
    for candidate in range(dt.MAXYEAR - years - 1, year, -1):
        if all(_year_kind(candidate + i - 1) == kind for i, kind in enumerate(wanted)):
            return candidate
    return year


def _day_filters(rule: rrule) -> dict[str, object]:
    """The parts of the rule given as written (not dateutil's defaults)."""
    return dict(getattr(rule, "_original_rule", {}))


def has_date_within(rule: rrule, local_start: dt.datetime, *, years: int) -> bool:
    """Whether the rule gives a date within ``years`` years of ``local_start``, at a bounded cost.

    dateutil looks for a rule's next date period after period up to year 9999, whatever UNTIL says, so a rule
    that matches nothing (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) costs seconds to refuse. Two things bound it:

    * the rule is evaluated from a *twin* start: the same wall-clock date moved to a late year with an
      identical calendar, where the search runs out at year 9999 after a few centuries at most; the dates
      found are those of the real start moved by the same number of days (a rule depends only on the
      calendar and its start);
    * a daily or weekly rule (one period per day or week: the costly ones) is looked for as the yearly rule
      with the same filters, whose dates are then kept when they fall on the rule's every-Nth day or week.
    """
    naive = local_start.replace(tzinfo=None)
    twin = _twin_year(naive.year, years + 1)
    shift = dt.timedelta(days=dt.date(twin, 1, 1).toordinal() - dt.date(naive.year, 1, 1).toordinal())
    end = naive + dt.timedelta(days=365 * years + years // 4)
    until = getattr(rule, "_until", None)  # dateutil keeps the parts private
    local_until = until.astimezone(local_start.tzinfo).replace(tzinfo=None) if until is not None else None
    bounded_until = local_until + shift if local_until is not None and local_until < end else None
    freq, interval = rule._freq, rule._interval
    if freq not in (DAILY, WEEKLY):
        shifted = rule.replace(dtstart=naive + shift, count=None, until=bounded_until, cache=False)
        first = shifted.after(naive + shift, inc=True)
        return first is not None and first - shift <= end
    parts = _day_filters(rule)
    parts.pop("bysetpos", None)  # refused before for daily and weekly rules
    if not any(parts.get(name) for name in ("byweekno", "byyearday", "bymonthday", "byweekday")):
        # dateutil's defaults: a weekly rule falls on the start's weekday, a daily one on every day.
        parts["byweekday"] = (naive.weekday(),) if freq == WEEKLY else tuple(range(7))
    yearly = rrule(YEARLY, dtstart=naive + shift, until=bounded_until, wkst=rule._wkst, **parts)  # type: ignore[arg-type]
    week_start = naive.date() - dt.timedelta(days=(naive.weekday() - rule._wkst) % 7)
    for moment in yearly.xafter(naive + shift, inc=True):
        moment -= shift
        if moment > end:
            return False
        if freq == DAILY:
            steps = (moment.date() - naive.date()).days
        else:
            steps = (moment.date() - week_start).days // 7
        if steps % interval == 0:
            return True
    return False


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


def _anchored(rule: rrule, near: dt.datetime) -> rrule:
    """The same rule started at the beginning of its last period (day, week, month or year, counted every
    INTERVAL from the event's start) before ``near``, so that finding dates near ``near`` does not walk every
    date since the start (a daily rule begun decades ago). Its parts are given explicitly, since dateutil would
    otherwise take the missing ones (the day of the month, the weekday, the time) from the new start. A rule
    with a COUNT is kept as it is: the count runs from the real start."""
    start: dt.datetime = rule._dtstart
    if getattr(rule, "_count", None) is not None or near <= start:
        return rule
    freq, interval, zone = rule._freq, rule._interval, start.tzinfo
    local = near.astimezone(zone).replace(tzinfo=None)
    first = start.replace(tzinfo=None)
    if freq == YEARLY:
        steps = (local.year - first.year) // interval
        anchor = dt.datetime(first.year + steps * interval, 1, 1)
    elif freq == MONTHLY:
        steps = ((local.year - first.year) * 12 + local.month - first.month) // interval
        month = first.year * 12 + first.month - 1 + steps * interval
        anchor = dt.datetime(month // 12, month % 12 + 1, 1)
    elif freq == WEEKLY:
        week = dt.datetime.combine(first.date(), dt.time()) - dt.timedelta(
            days=(first.weekday() - rule._wkst) % 7
        )
        steps = (local - week).days // (7 * interval)
        anchor = week + dt.timedelta(days=7 * interval * steps)
    else:
        steps = (local.date() - first.date()).days // interval
        anchor = dt.datetime.combine(first.date(), dt.time()) + dt.timedelta(days=interval * steps)
    if steps < 1:
        return rule
    weekdays = [weekday(day) for day in rule._byweekday or ()] + [
        weekday(day, n) for day, n in rule._bynweekday or ()
    ]
    monthdays = list(rule._bymonthday or ()) + list(rule._bynmonthday or ())
    return rrule(
        freq,
        dtstart=anchor.replace(tzinfo=zone),
        interval=interval,
        wkst=rule._wkst,
        until=rule._until,
        bysetpos=rule._bysetpos,
        bymonth=rule._bymonth,
        bymonthday=monthdays or None,
        byyearday=rule._byyearday,
        byweekno=rule._byweekno,
        byweekday=weekdays or None,
        byhour=sorted(rule._byhour),
        byminute=sorted(rule._byminute),
        bysecond=sorted(rule._bysecond),
        cache=False,
    )


def planned_starts(event: Event, window_start: dt.datetime, window_end: dt.datetime) -> list[dt.datetime]:
    """Original starts (UTC) of the event's occurrences planned inside [window_start, window_end)."""
    if not event.recurrence:
        return [event.start] if window_start <= event.start < window_end else []
    zone = zoneinfo.ZoneInfo(event.timezone)
    rule = rrulestr(event.recurrence, dtstart=event.start.astimezone(zone), forceset=False)
    rule = _bounded(_anchored(rule, window_start), window_end.astimezone(zone))
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
