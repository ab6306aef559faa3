"""Rate limits that hold across every web process and host.

Counters live in Redis when ``REDIS_URL`` is set, else in the database (``RateCounter``, one row per counter,
updated by one atomic ``INSERT ... ON CONFLICT ... RETURNING``): gunicorn's workers each have their own memory,
so a counter kept there lets an attacker spread attempts over the workers (the audit's 150 token attempts got
no 429; without a forged address the first came at attempt 111 of a nominal 30).

A limit is "N per period" of one scope (``settings.RATE_LIMITS``: ``"post": "30/10m"``); the key says whose
counter it is (a client address, an account, a person), and is stored as a hash. Each counter is a fixed window
that starts at its first hit. Call sites count *before* doing the work and refuse with 429 and ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, wraps
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from practica.lib.http import client_address
from practica.lib.rates import DEFAULT_RATES, Rate, describe_seconds

__all__ = ["DEFAULT_RATES", "Rate", "Verdict", "block", "blocked_for", "describe_seconds", "hit", "look", "reset"]

def rate_for(scope: str) -> Rate | None:
    rates: dict[str, Rate | None] = settings.RATE_LIMITS
    if scope not in rates:
        raise KeyError(f"No rate limit scope {scope!r}")  # a typo at a call site must not switch a limit off
    return rates[scope]


@dataclass(frozen=True)
class Verdict:
    """One counter after a hit (or a look): its hits in the window and the seconds until the window ends."""

    allowed: bool
    hits: int
    retry_after: int


CLEANUP_ONE_IN = 1000  # about one hit in this many also deletes the database's ended windows


def _key(scope: str, who: str) -> str:
    digest = hashlib.sha256(f"{scope}\x00{who}".encode()).hexdigest()[:40]
    return f"{scope}:{digest}"


# --- Stores ---------------------------------------------------------------------------------------------------


@cache
def _redis_at(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url)


def _use_redis() -> bool:
    return bool(settings.REDIS_URL)


def _redis_client() -> Any:
    return _redis_at(settings.REDIS_URL)


def _count(key: str, seconds: int, *, add: int = 1) -> tuple[int, int]:
    """Add ``add`` hits to the counter (0: only look) and return (hits in its window, seconds left)."""
    now = time.time()
    if _use_redis():
        client = _redis_client()
        pipe = client.pipeline()
        if add:
            pipe.set(f"practica:rl:{key}", 0, ex=seconds, nx=True)
            pipe.incrby(f"practica:rl:{key}", add)
            pipe.ttl(f"practica:rl:{key}")
            _, hits, ttl = pipe.execute()
        else:
            pipe.get(f"practica:rl:{key}")
            pipe.ttl(f"practica:rl:{key}")
            raw, ttl = pipe.execute()
            hits = int(raw or 0)
        return int(hits), max(int(ttl), 0)
    from practica.accounts.models import RateCounter

    table = connection.ops.quote_name(RateCounter._meta.db_table)
    now_i = int(now)
    ends = now_i + seconds
    with connection.cursor() as cursor:
        if add:
            # One statement: SQLite and PostgreSQL both apply it atomically, so concurrent hits never lose a count.
            cursor.execute(
                f"INSERT INTO {table} (key, hits, resets_at) VALUES (%s, %s, %s) "  # noqa: S608 (table from metadata)
                f"ON CONFLICT (key) DO UPDATE SET "
                f"hits = CASE WHEN {table}.resets_at <= %s THEN excluded.hits ELSE {table}.hits + excluded.hits END, "
                f"resets_at = CASE WHEN {table}.resets_at <= %s THEN excluded.resets_at ELSE {table}.resets_at END "
                f"RETURNING hits, resets_at",
                [key, add, ends, now_i, now_i],
            )
            hits, resets_at = cursor.fetchone()
        else:
            cursor.execute(f"SELECT hits, resets_at FROM {table} WHERE key = %s", [key])  # noqa: S608
            row = cursor.fetchone()
            if row is None or row[1] <= now_i:
                return 0, 0
            hits, resets_at = row
    return int(hits), max(int(resets_at) - now_i, 0)


def _hold(key: str, seconds: int) -> None:
    """Make the counter ``key`` last at least ``seconds`` more (a block whose end is what matters)."""
    now = int(time.time())
    if _use_redis():
        client = _redis_client()
        current = client.ttl(f"practica:rl:{key}")
        if current < seconds:
            client.set(f"practica:rl:{key}", 1, ex=seconds)
        return
    from practica.accounts.models import RateCounter

    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, hits, resets_at) VALUES (%s, 1, %s) "  # noqa: S608 (table from metadata)
            f"ON CONFLICT (key) DO UPDATE SET resets_at = CASE WHEN {table}.resets_at < excluded.resets_at "
            f"THEN excluded.resets_at ELSE {table}.resets_at END",
            [key, now + seconds],
        )


def _forget(key: str) -> None:
    if _use_redis():
        _redis_client().delete(f"practica:rl:{key}")
        return
    from practica.accounts.models import RateCounter

    RateCounter.objects.filter(key=key).delete()


# --- The interface ----------------------------------------------------------------------------------------------


def hit(scope: str, who: str) -> Verdict:
    """Count one hit of ``who`` in ``scope``; allowed while the hits in the window are at most the limit."""
    rate = rate_for(scope)
    if rate is None:
        return Verdict(True, 0, 0)
    hits, left = _count(_key(scope, who), rate.seconds)
    if not _use_redis() and secrets.randbelow(CLEANUP_ONE_IN) == 0:
        clear_expired()  # Redis expires its keys itself; the table is swept now and then instead of by cron
    return Verdict(hits <= rate.limit, hits, left if hits > rate.limit else 0)


def look(scope: str, who: str) -> Verdict:
    """The counter of ``who`` in ``scope`` without counting: not allowed once the limit is reached."""
    rate = rate_for(scope)
    if rate is None:
        return Verdict(True, 0, 0)
    hits, left = _count(_key(scope, who), rate.seconds, add=0)
    return Verdict(hits < rate.limit, hits, left if hits >= rate.limit else 0)


def block(scope: str, who: str, seconds: int) -> None:
    """Block ``who`` in ``scope`` for at least ``seconds`` (see :func:`blocked_for`)."""
    _hold(_key(f"{scope}:block", who), seconds)


def blocked_for(scope: str, who: str) -> int:
    """Seconds left of a :func:`block`, 0 when none."""
    hits, left = _count(_key(f"{scope}:block", who), 1, add=0)
    return left if hits else 0


def reset(scope: str, who: str) -> None:
    _forget(_key(scope, who))
    _forget(_key(f"{scope}:block", who))


def clear_expired() -> int:
    """Delete the database counters whose window has ended (the daily cleanup calls it)."""
    from practica.accounts.models import RateCounter

    deleted, _ = RateCounter.objects.filter(resets_at__lte=int(time.time())).delete()
    return deleted


# --- Who is asking ----------------------------------------------------------------------------------------------


def requester(request: HttpRequest, *, anonymous_scope: str | None = None, scope: str) -> tuple[str, str]:
    """(scope, key) for a limit that counts per person when signed in and per address otherwise."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return scope, f"user:{user.pk}"
    return (anonymous_scope or scope), f"address:{client_address(request)}"


# --- Answers ---------------------------------------------------------------------------------------------------


def too_many(request: HttpRequest, retry_after: int, message: str | None = None) -> HttpResponse:
    """429 with ``Retry-After``: JSON for the API, the "slow down" page otherwise."""
    wait = max(int(retry_after), 1)
    text = message or f"Too many requests. Try again in {describe_wait(wait)}."
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": text}, status=429)
    else:
        response = TemplateResponse(request, "429.html", {"message": text, "retry_after": wait}, status=429)
        response.render()
    response["Retry-After"] = str(wait)
    return response


def describe_wait(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    if minutes < 90:
        return f"{minutes} minutes"
    return f"{math.ceil(minutes / 60)} hours"


def rate_limited(
    scope: str, *, anonymous_scope: str | None = None, methods: tuple[str, ...] = ("POST",)
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a page view: its requests with these methods count against ``scope`` (per person, or per
    address for anonymous requests in ``anonymous_scope``); over the limit they get a 429 page."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                counted_scope, who = requester(request, scope=scope, anonymous_scope=anonymous_scope)
                verdict = hit(counted_scope, who)
                if not verdict.allowed:
                    return too_many(request, verdict.retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


class SharedRateThrottle(BaseThrottle):
    """A DRF throttle over these shared counters. A view names its scope with ``rate_limit_scope`` (and
    ``rate_limit_anonymous_scope``), and the methods counted with ``rate_limit_methods`` (default: writes)."""

    def allow_request(self, request: Request, view: Any) -> bool:
        scope = getattr(view, "rate_limit_scope", None)
        if scope is None:
            return True
        methods = getattr(view, "rate_limit_methods", ("POST", "PUT", "PATCH", "DELETE"))
        if request.method not in methods:
            return True
        counted_scope, who = requester(
            request, scope=scope, anonymous_scope=getattr(view, "rate_limit_anonymous_scope", None)
        )
        verdict = hit(counted_scope, who)
        self._wait = verdict.retry_after
        return verdict.allowed

    def wait(self) -> float | None:
        return max(getattr(self, "_wait", 1), 1)
