"""Who may change a person's profile (the one rule people has, in the form of ``practica/lib/permissions.py``; the
community rules are in ``practica/communities/permissions.py``)."""

from __future__ import annotations

from practica.accounts.models import User
from practica.lib.permissions import rule
from practica.people.models import Profile

EDIT_PROFILE_REFUSAL = "You can edit only your own profile."


@rule(EDIT_PROFILE_REFUSAL)
def may_edit_profile(*, actor: User, profile: Profile) -> bool:
    """People edit only their own profile; network admins may edit any."""
    return profile.user_id == actor.id or actor.is_superuser
