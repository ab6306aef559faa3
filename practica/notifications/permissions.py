"""Who may manage what the notifications app keeps for a community (in the one form of
``practica/lib/permissions.py``): its webhooks are for its coordinators."""

from __future__ import annotations

from practica.communities.permissions import Access
from practica.lib.permissions import Rule


def _coordinates(access: Access) -> bool:
    return access.can_coordinate


MANAGE_WEBHOOKS = Rule(_coordinates, "Only coordinators manage webhooks.")
