"""Rates like ``30/15m`` and the table of Practica's rate limits, read by the settings (no Django imports here:
``practica.accounts.ratelimit`` applies them)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


@dataclass(frozen=True)
class Rate:
    """At most ``limit`` hits per ``seconds``."""

    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"30/15m"`` → 30 per 15 minutes; ``"10/h"`` → 10 per hour. Units s, m, h, d."""
        match = _RATE.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a rate like 30/15m (units s, m, h, d)")
        limit, count, unit = int(match[1]), int(match[2] or 1), match[3]
        if limit < 1 or count < 1:
            raise ValueError(f"{text!r}: the number and the period must be at least 1")
        return cls(limit, count * _UNITS[unit])

    def __str__(self) -> str:
        return f"{self.limit} per {describe_seconds(self.seconds)}"


def describe_seconds(seconds: int) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}" if n != 1 else unit
    return f"{seconds} seconds"


# What each scope limits; the numbers are the defaults of settings.RATE_LIMITS (README, docs/security.md).
DEFAULT_RATES: dict[str, str] = {
    "login-address": "30/15m",  # failed sign-ins (pages and API token) from one client address
    "login-account": "5/15m",  # failed sign-ins on one account before each further one waits (backoff)
    "login-device": "10/15m",  # failed sign-ins from a device the account signed in from before
    "signup": "20/1h",  # sign-up submissions from one client address
    "password-reset-address": "20/1h",  # password-reset requests from one client address
    "password-reset-email": "3/1h",  # password-reset requests for one email address
    "token": "20/1h",  # API tokens made by one person (page and API)
    "post": "30/10m",  # threads, replies and comments by one person (pages and API)
    "search": "120/1m",  # searches (search, experts, related) by one signed-in person
    "search-anonymous": "120/1m",  # searches from one client address without signing in
}


def parse_rates(overrides: str) -> dict[str, Rate | None]:
    """The defaults with ``scope=N/period`` overrides (comma-separated; ``scope=off`` switches one off)."""
    rates: dict[str, Rate | None] = {scope: Rate.parse(text) for scope, text in DEFAULT_RATES.items()}
    for item in filter(None, (part.strip() for part in overrides.split(","))):
        scope, _, value = item.partition("=")
        scope, value = scope.strip(), value.strip()
        if scope not in DEFAULT_RATES:
            raise ImproperlyConfigured(
                f"RATE_LIMITS: unknown scope {scope!r}; the scopes are {', '.join(sorted(DEFAULT_RATES))}."
            )
        if value.lower() == "off":
            rates[scope] = None
            continue
        try:
            rates[scope] = Rate.parse(value)
        except ValueError as exc:
            raise ImproperlyConfigured(f"RATE_LIMITS: {scope}: {exc}.") from None
    return rates


