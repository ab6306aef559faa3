"""Checking an event's fields: every problem at once, each under its field name (the pages' forms and the API
show them beside the field)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from practica.events.models import MAX_TEXT_BYTES, MAX_TITLE_LENGTH, EventKind
from practica.events.recurrence import MAX_YEAR, MIN_YEAR, UTC, rule_normalise, rule_parse, zone_get

MAX_DURATION = dt.timedelta(days=31)
MAX_CAPACITY = 100_000
UTC_ZONE = zoneinfo.ZoneInfo("UTC")


def collect(errors: dict[str, list[str]], exc: ValidationError) -> None:
    for field, messages in exc.message_dict.items():
        errors.setdefault(field, []).extend(messages)


def clean_text(value: str, field: str) -> str:
    value = value or ""
    size = len(value.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        raise ValidationError(
            {field: [f"The text is too long: {size:,} bytes; the limit is {MAX_TEXT_BYTES:,}."]}
        )
    return value


def localise(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
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
        description = clean_text(description, "description")
    except ValidationError as exc:
        collect(errors, exc)
    zone: zoneinfo.ZoneInfo | None = None
    try:
        zone = zone_get(timezone_name)
    except ValidationError as exc:
        collect(errors, exc)
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
        start_utc, end_utc = localise(start, zone or UTC_ZONE), localise(end, zone or UTC_ZONE)
        if end_utc <= start_utc:
            errors["end"] = ["The end is before the start: an event must end after it starts."]
        elif end_utc - start_utc > MAX_DURATION:
            errors["end"] = ["An event may last at most 31 days."]
    recurrence = rule_normalise(recurrence)
    if recurrence and start_utc is not None:
        try:
            rule_parse(recurrence, start=start_utc, zone=zone or UTC_ZONE)
        except ValidationError as exc:
            collect(errors, exc)
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
