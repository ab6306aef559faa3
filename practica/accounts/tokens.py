"""Personal API tokens: how a token is made, recognised and checked (the writes are in ``services``)."""

from __future__ import annotations

import hashlib
import secrets

from django.utils.crypto import salted_hmac

from practica.accounts.models import User

TOKEN_PREFIX = "prt_"  # recognisable by secret scanners; the rest is 240 random bits


def new_key() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(30)


def key_hash(key: str) -> str:
    """Tokens are long random strings, so one SHA-256 (no salt, no stretching) is enough to make a stolen
    database useless, and lets the lookup be one indexed query."""
    return hashlib.sha256(key.encode()).hexdigest()


def password_marker(user: User) -> str:
    """A keyed hash of the account's password hash: it changes whenever the password does."""
    return salted_hmac("practica.accounts.token-password", user.password or "!", algorithm="sha256").hexdigest()
