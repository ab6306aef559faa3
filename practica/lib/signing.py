"""Signed tokens in links: one place that makes and reads them, so every link is signed the same way.

A token names its purpose (the salt: an unsubscribe link cannot be replayed as a feed URL) and carries the
person's id with the claims that revoke it (a feed key, a version number): change the stored claim and every
token made before stops working. The payload is signed, not encrypted: never put a secret in it.

Each salt below is the one the token was first made with, so links already sent keep working.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing

UNSUBSCRIBE = "practica.notifications.unsubscribe"  # one-click unsubscribe links in emails
PERSONAL_FEED = "practica.notifications.feed"  # personal Atom feed URLs
CALENDAR_FEED = "practica.events.calendar-feed"  # personal iCalendar feed URLs
INVITATION = "practica.communities.invitation"  # community invitation links
KNOWN_DEVICE = "practica.accounts.known-device"  # the cookie of a browser that signed in before

Expired = signing.SignatureExpired
Invalid = signing.BadSignature


def sign(value: Any, *, purpose: str) -> str:
    """A URL-safe token of ``value`` (anything JSON can carry) for this purpose."""
    return signing.dumps(value, salt=purpose, compress=True)


def unsign(token: str, *, purpose: str, max_age: dt.timedelta | None = None) -> Any:
    """The value of a token made by :func:`sign` for this purpose. Raises :data:`Expired` when older than
    ``max_age`` and :data:`Invalid` (its base class) when tampered with or made for another purpose."""
    return signing.loads(token, salt=purpose, max_age=max_age)


def personal_token(*, user_id: int, purpose: str, **claims: str | int) -> str:
    """A token for one person: their id (``u``) and the claims that revoke it (a feed key ``k``, a version
    ``v``)."""
    return sign({"u": user_id, **claims}, purpose=purpose)


def personal_claims(
    token: str, *, purpose: str, max_age: dt.timedelta | None = None, **types: type
) -> dict[str, Any] | None:
    """The claims of a :func:`personal_token` (``u`` always, an int), each of the type asked for; None when
    the token was tampered with, made for another purpose, is older than ``max_age`` or carries something
    else."""
    try:
        data = unsign(token, purpose=purpose, max_age=max_age)
    except Invalid:
        return None
    if not isinstance(data, dict):
        return None
    for key, kind in {"u": int, **types}.items():
        value = data.get(key)
        # bool is an int to Python, never to a token
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return None
    return data


__all__ = [
    "CALENDAR_FEED",
    "INVITATION",
    "KNOWN_DEVICE",
    "PERSONAL_FEED",
    "UNSUBSCRIBE",
    "Expired",
    "Invalid",
    "personal_claims",
    "personal_token",
    "sign",
    "unsign",
]
