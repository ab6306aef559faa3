"""Writes for accounts: personal API tokens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from practica.accounts.models import ApiToken, TokenScope, User
from practica.accounts.tokens import key_hash, new_key, password_marker
from practica.lib import audit

MAX_LIVE_TOKENS = 50


@dataclass(frozen=True)
class IssuedToken:
    """A token just made: the row, and the key itself, which is shown this once and never stored."""

    token: ApiToken
    key: str


def token_create(
    *, user: User, name: str, scope: str = TokenScope.WRITE, expires_in_days: int | None = None
) -> IssuedToken:
    """Make a personal API token for ``user``: ``name`` says what it is for, ``scope`` read or write, and it expires
    after ``expires_in_days`` (default ``API_TOKEN_DEFAULT_DAYS``, at most ``API_TOKEN_MAX_DAYS``)."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Give the token a name that says where it is used."]
    elif len(name) > 100:
        errors["name"] = ["Ensure this value has at most 100 characters."]
    if scope not in TokenScope.values:
        errors["scope"] = [f"Choose {' or '.join(TokenScope.values)}."]
    days = settings.API_TOKEN_DEFAULT_DAYS if expires_in_days is None else expires_in_days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        errors["expires_in_days"] = [f"A token lasts between 1 and {settings.API_TOKEN_MAX_DAYS} days."]
    if not user.is_active:
        raise PermissionDenied("This account is deactivated.")
    if errors:
        raise ValidationError(errors)
    key = new_key()
    with transaction.atomic():
        # Locks the owner's row: two requests at once cannot both pass the limit below.
        User.objects.select_for_update().filter(pk=user.pk).first()
        now = timezone.now()
        live = ApiToken.objects.filter(user=user, revoked_at=None, expires_at__gt=now).count()
        if live >= MAX_LIVE_TOKENS:
            raise ValidationError(
                {"detail": [f"You have {live} active tokens, the most one person may have; revoke some first."]}
            )
        token = ApiToken.objects.create(
            user=user, name=name, prefix=key[:8], key_hash=key_hash(key), scope=scope,
            password_marker=password_marker(user), expires_at=now + dt.timedelta(days=days),
        )
        _audit(user, "token.create", token)
    return IssuedToken(token=token, key=key)


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token: its owner, or a network admin (staff)."""
    if token.user_id != actor.pk and not actor.is_staff:
        raise PermissionDenied("You can only revoke your own tokens.")
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
            revoked_at=timezone.now(),
            revoked_reason=ApiToken.Revoked.OWNER if token.user_id == actor.pk else ApiToken.Revoked.ADMIN,
        )
        token.refresh_from_db()
        if updated:
            _audit(actor, "token.revoke", token)
    return token


def tokens_revoke_all(*, user: User, reason: str) -> int:
    """Revoke every live token of ``user`` (a password change or a deactivation; see ``signals``)."""
    return ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now(), revoked_reason=reason)


def token_touch(*, token: ApiToken, address: str) -> None:
    """Record a use, at most once a minute per token (every request writing would serialise reads on SQLite)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < dt.timedelta(minutes=1) and (
        token.last_used_from == address
    ):
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_from=address[:64])


def _audit(actor: User, action: str, token: ApiToken) -> None:
    verb = "made" if action == "token.create" else "revoked"
    audit.record(
        actor=actor, action=action, target_type="api token", target_id=token.pk,
        summary=f"{actor.username} {verb} the API token “{token.name}” ({token.prefix}…) of {token.user.username}",
        details={"scope": token.scope, "expires_at": token.expires_at.isoformat()},
    )
