"""Who may see a community's health (the rules of the insights app, over the viewer's ``Access``).

- **Health** (community-level numbers, charts, goals): coordinators, core members and sponsors, and network
  admins — and, because transparency is a community value, every active member of a community that is not
  private. Everyone else gets a 404 (pages, API, CSV, network view): for them the dashboard does not exist.
- **Per-person lists** (who is in which level of participation, who dropped out, who are the brokers):
  coordinators and network admins only; refused with 403 to those who see the health.

The rules live in ``practica/communities/permissions.py`` (as ``RULES["see_health"]`` and ``RULES["see_people"]``)
so that the community's pages can show the link to the health page (``access.may.see_health``); communities may
not import insights, so they are written there once and re-exported here.
"""

from __future__ import annotations

from practica.communities.permissions import HEALTH_ROLES, SEE_HEALTH, SEE_PEOPLE, AnyUser, is_network_admin
from practica.lib.permissions import rule


@rule("Only network admins see who bridges communities.")
def may_see_brokers(user: AnyUser) -> bool:
    """Brokers (who contributes in which communities, across the network) are per-person data about several
    communities at once: network admins only. A coordinator sees the people of their own community (SEE_PEOPLE),
    never where else they take part."""
    return is_network_admin(user)


__all__ = ["HEALTH_ROLES", "SEE_HEALTH", "SEE_PEOPLE", "may_see_brokers"]
