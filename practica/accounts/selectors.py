"""Reads for accounts: a person's own API tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from practica.accounts.models import ApiToken, User


def tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """The person's tokens, newest first (revoked and expired ones too: they say when and why they stopped)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
