"""The personal calendar feed's address: a signed token naming the person and the version of their token, so
that revoking bumps the version and every address given out before stops working."""

from __future__ import annotations

from django.db import transaction

from practica.accounts.models import User
from practica.events.models import CalendarToken
from practica.lib import signing

CALENDAR_SALT = signing.CALENDAR_FEED  # the salt the first tokens were made with: addresses given out keep working


def _sign(user: User, version: int) -> str:
    return signing.personal_token(user_id=user.pk, purpose=signing.CALENDAR_FEED, v=version)


def calendar_token(*, user: User) -> str:
    """The signed token of the person's personal calendar feed (current version)."""
    row, _ = CalendarToken.objects.get_or_create(user=user)
    return _sign(user, row.version)


@transaction.atomic
def calendar_token_revoke(*, user: User) -> str:
    """Revoke every personal feed URL given out so far and return a new token."""
    row, _ = CalendarToken.objects.select_for_update().get_or_create(user=user)
    row.version += 1
    row.save(update_fields=["version", "updated_at"])
    return _sign(user, row.version)


def calendar_token_user(token: str) -> User | None:
    """The person a feed token belongs to, or None when it is tampered with or revoked."""
    data = signing.personal_claims(token, purpose=signing.CALENDAR_FEED, v=int)
    if data is None:
        return None
    row = CalendarToken.objects.filter(user_id=data["u"], version=data["v"], user__is_active=True).first()
    return row.user if row is not None else None
