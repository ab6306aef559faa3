"""Which time zone names Practica accepts: IANA zone names, without the files that are not zones.

``zoneinfo.ZoneInfo`` opens any file under the system's zoneinfo folder, so it also takes ``localtime`` (the
server's own zone, whatever that is), ``posixrules``, ``Factory`` (a zone whose abbreviation reads "-00"), and
the ``posix/`` and ``right/`` copies (``right/`` counts leap seconds, which no calendar does). Written as an
iCalendar TZID they mean nothing, or something else, to the people who subscribe. Events and profiles accept
only the names below; the IANA backward-compatible links (``US/Eastern``, ``GB``) are real zone names and stay.
"""

from __future__ import annotations

import functools
import zoneinfo

NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})
NOT_ZONE_PREFIXES = ("posix/", "right/")


@functools.cache
def time_zone_names() -> frozenset[str]:
    """The IANA time zone names people may choose (read once from the zone database)."""
    return frozenset(
        name
        for name in zoneinfo.available_timezones()
        if name not in NOT_ZONES and not name.startswith(NOT_ZONE_PREFIXES)
    )


def is_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone name people may choose (exact spelling, e.g. Europe/Paris)."""
    return name in time_zone_names()


def time_zone_choices() -> list[tuple[str, str]]:
    """(name, name) pairs for a select, sorted."""
    return [(name, name) for name in sorted(time_zone_names())]
