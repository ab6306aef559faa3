"""Failed sign-ins: slow the attacker down without locking the owner out.

One policy for every way to give a password — the sign-in page, the API's token endpoint and the admin (which
signs in through the sign-in page):

- **Per client address**: ``login-address`` failures (default 30 per 15 minutes), then that address waits for the
  window to end, whatever account it tries.
- **Per account, with backoff**: ``login-account`` failures (default 5 per 15 minutes) are free; each further
  failure makes the account wait 30 s, 1 min, 2 min, ... up to 15 min before the next attempt. A name that is no
  account counts the same way, so the answers never tell whether an account exists.
- **Known devices**: a browser that signed in to the account before carries a signed cookie. Its attempts on
  that account skip the account's backoff (an attacker elsewhere cannot lock the owner out); they count against
  that device instead (``login-device``, default 10 per 15 minutes), after which the cookie no longer helps.

A correct password from a blocked address or account is refused too while the wait lasts (otherwise the wait
would not slow a guesser), with the time left; the owner's known device is the way around the account's wait.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse

from practica.accounts import ratelimit
from practica.accounts.models import User
from practica.lib import audit, signing

DEVICE_COOKIE = "practica_device"
DEVICE_SALT = signing.KNOWN_DEVICE  # the salt the first cookies were made with: known devices stay known
DEVICE_MAX_AGE = 365 * 24 * 3600
BACKOFF_FIRST = 30
BACKOFF_MAX = 15 * 60


@dataclass(frozen=True)
class Refusal:
    """Why an attempt is refused now, and for how long."""

    retry_after: int
    message: str


def account_key(login: str) -> str:
    """The counter of the account a login names (by username or email, any case); a login that names no
    account gets a counter of its own, which behaves the same."""
    login = (login or "").strip()
    user_id = (
        User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login))
        .values_list("pk", flat=True)
        .first()
        if login
        else None
    )
    return f"user:{user_id}" if user_id is not None else f"login:{login.lower()}"


def _device(request: HttpRequest, key: str) -> str | None:
    """The id of this browser's known-device cookie when it was issued for the account ``key``."""
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return None
    data = signing.personal_claims(
        raw, purpose=signing.KNOWN_DEVICE, max_age=dt.timedelta(seconds=DEVICE_MAX_AGE), d=str
    )
    if data is None or f"user:{data['u']}" != key:
        return None
    return str(data["d"])


def check(request: HttpRequest, login: str) -> Refusal | None:
    """Whether an attempt to sign in as ``login`` from this request must be refused now (before the password
    is even checked)."""
    address = ratelimit.client_address(request)
    by_address = ratelimit.look("login-address", address)
    if not by_address.allowed:
        return Refusal(
            by_address.retry_after,
            "Too many failed sign-ins from your network. "
            f"Try again in {ratelimit.describe_wait(by_address.retry_after)}.",
        )
    key = account_key(login)
    device = _device(request, key)
    if device is not None and ratelimit.look("login-device", device).allowed:
        return None
    wait = ratelimit.blocked_for("login-account", key)
    if wait:
        return Refusal(
            wait,
            "Too many failed sign-ins for this account. "
            f"Try again in {ratelimit.describe_wait(wait)}, or sign in from a device you have used before, "
            "or reset your password.",
        )
    return None


def failed(request: HttpRequest, login: str) -> None:
    """Count a wrong password (or an unknown or inactive account)."""
    ratelimit.hit("login-address", ratelimit.client_address(request))
    key = account_key(login)
    device = _device(request, key)
    if device is not None:
        verdict = ratelimit.hit("login-device", device)
        if verdict.allowed:
            return  # the owner's own device mistyping: the account's counter is left alone
    verdict = ratelimit.hit("login-account", key)
    rate = ratelimit.rate_for("login-account")
    if rate is not None and verdict.hits > rate.limit:
        extra = verdict.hits - rate.limit - 1
        ratelimit.block("login-account", key, min(BACKOFF_FIRST * 2 ** min(extra, 16), BACKOFF_MAX))
        if extra == 0 and key.startswith("user:"):  # once per window: an attack must not flood the log
            user = User.objects.filter(pk=int(key.removeprefix("user:"))).first()
            if user is not None:
                audit.record(
                    actor=None, action="auth.backoff", target_type="user", target_id=user.pk,
                    summary=f"Sign-ins to {user.username} slowed down after {verdict.hits} failures in "
                    f"{ratelimit.describe_seconds(rate.seconds)} (last from {ratelimit.client_address(request)})",
                )


def succeeded(request: HttpRequest, user: User) -> None:
    """A correct password: the account's failures are forgiven (the address's are not: an attacker with one
    account of their own could otherwise wipe them between guesses). A browser sign-in also makes the browser a
    known device (``signals.mark_known_device``)."""
    ratelimit.reset("login-account", f"user:{user.pk}")


class KnownDeviceMiddleware:
    """Sets the known-device cookie on the response of a successful sign-in (any path: the sign-in page, sign-up,
    an email confirmation or a password reset that signs in)."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        user_id = getattr(request, "_practica_known_device", None)
        if user_id is not None:
            value = signing.personal_token(user_id=user_id, purpose=signing.KNOWN_DEVICE, d=secrets.token_urlsafe(16))
            response.set_cookie(
                DEVICE_COOKIE, value, max_age=DEVICE_MAX_AGE, httponly=True, samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
