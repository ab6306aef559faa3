"""Account events that end what the account had granted: a new password or a deactivation revokes the personal
API tokens (they would stop working anyway: see ``ApiTokenAuthentication``; this records why, for the owner's
tokens page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from practica.accounts.models import ApiToken, User
from practica.accounts.services import tokens_revoke_all


def remember_old_credentials(sender: Any, instance: User, raw: bool = False, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if raw or instance.pk is None or (fields is not None and not {"password", "is_active"} & set(fields)):
        return
    old = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    instance._practica_old_credentials = old  # type: ignore[attr-defined]


def revoke_tokens_on_new_credentials(sender: Any, instance: User, raw: bool = False, **kwargs: Any) -> None:
    old = getattr(instance, "_practica_old_credentials", None)
    if raw or not old:
        return
    del instance._practica_old_credentials  # type: ignore[attr-defined]
    if old["is_active"] and not instance.is_active:
        tokens_revoke_all(user=instance, reason=ApiToken.Revoked.DEACTIVATED)
    elif old["password"] != instance.password:
        tokens_revoke_all(user=instance, reason=ApiToken.Revoked.PASSWORD)


def mark_known_device(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Any sign-in in a browser makes it a known device of the account (``lockout.KnownDeviceMiddleware``)."""
    if request is not None:
        request._practica_known_device = user.pk  # type: ignore[attr-defined]
