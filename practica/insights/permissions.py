"""Who may see a community's health (the rules of the insights app, over the viewer's ``Access``).

- **Health** (community-level numbers, charts, goals): coordinators, core members and sponsors, and network
  admins — and, because transparency is a community value, every active member of a community that is not
  private. Everyone else gets a 404 (pages, API, CSV, network view): for them the dashboard does not exist.
- **Per-person lists** (who is in which level of participation, who dropped out, who are the brokers):
  coordinators and network admins only; refused with 403 to those who see the health.
"""

from __future__ import annotations

from practica.communities.models import Role
from practica.communities.permissions import Access, AnyUser, Rule, is_network_admin

HEALTH_ROLES = (Role.COORDINATOR, Role.CORE, Role.SPONSOR)


def _sees_health(access: Access) -> bool:
    if access.is_admin:
        return True
    if not access.is_member:
        return False
    return access.role in HEALTH_ROLES or not access.community.is_private


def _sees_people(access: Access) -> bool:
    return access.can_coordinate


# Refused as "does not exist": selectors turn a refusal of SEE_HEALTH into a 404, never a 403.
SEE_HEALTH = Rule(_sees_health, "No such community.")
SEE_PEOPLE = Rule(_sees_people, "Only coordinators see who is behind these numbers.")


def sees_brokers(user: AnyUser) -> bool:
    """Brokers (who contributes in which communities, across the network) are per-person data about several
    communities at once: network admins only. A coordinator sees the people of their own community (SEE_PEOPLE),
    never where else they take part."""
    return is_network_admin(user)


BROKERS_MESSAGE = "Only network admins see who bridges communities."
