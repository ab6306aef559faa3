"""Every account has a profile: created with the account, whoever creates it (sign-up, admin, import)."""

from __future__ import annotations

from typing import Any

from practica.people.models import Profile


def create_profile_for_new_user(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        Profile.objects.get_or_create(user=instance, defaults={"display_name": instance.get_full_name()})
