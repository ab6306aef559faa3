"""Who may change a person's profile (the one rule people has; the community rules are in
``practica/communities/permissions.py``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from practica.accounts.models import User
from practica.people.models import Profile

EDIT_PROFILE_REFUSAL = "You can edit only your own profile."


def may_edit_profile(*, actor: User, profile: Profile) -> bool:
    """People edit only their own profile; network admins may edit any."""
    return profile.user_id == actor.id or actor.is_superuser


def check_edit_profile(*, actor: User, profile: Profile) -> None:
    if not may_edit_profile(actor=actor, profile=profile):
        raise PermissionDenied(EDIT_PROFILE_REFUSAL)
