"""Shared vocabulary of the notifications tests."""

from __future__ import annotations

from practica.accounts.models import User
from practica.notifications.models import Notification


def inbox(user: User) -> list[tuple[str, str]]:
    """The person's notifications as (kind, subject), oldest first."""
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("kind", "subject"))


def kinds(user: User) -> list[str]:
    return [kind for kind, _ in inbox(user)]
