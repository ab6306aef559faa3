"""Who may read the audit log (in the one form of ``practica/lib/permissions.py``): a community's entries are for
its coordinators (and network admins), the network's for network admins only."""

from __future__ import annotations

from typing import Any

from practica.communities.permissions import Access
from practica.lib.permissions import Rule, rule


def _coordinates(access: Access) -> bool:
    return access.can_coordinate


# 403 for other readers: whoever may not see the community has had its 404 from the selector.
SEE_AUDIT_LOG = Rule(_coordinates, "The audit log is for the community's coordinators.")


@rule("The network's audit log is for network admins.")
def may_see_network_log(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_superuser)
