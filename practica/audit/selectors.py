"""Reads of the audit log, scoped: a community's entries to its coordinators (and network admins), every entry
to network admins only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from practica.audit import permissions
from practica.audit.models import AuditEntry
from practica.communities.selectors import Access


def audit_entries_of_community(*, access: Access) -> QuerySet[AuditEntry]:
    """The community's entries, newest first; coordinators and network admins only (403 for other readers: the
    caller has already answered 404 to people who may not see the community)."""
    permissions.SEE_AUDIT_LOG.require(access)
    return AuditEntry.objects.filter(community=access.community).select_related("actor", "actor__profile")


def audit_entries_all(*, user: Any) -> QuerySet[AuditEntry]:
    """Every entry of the network, newest first; network admins only."""
    permissions.may_see_network_log.require(user)
    return AuditEntry.objects.select_related("actor", "actor__profile", "community")


def audit_filter(
    entries: QuerySet[AuditEntry], *, action: str = "", actor: str = "", since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """Narrow a list: an action or a family of actions (``membership`` or ``membership.role``), who acted (a
    username), and the days from ``since`` to ``until`` inclusive."""
    if action:
        entries = entries.filter(action=action) if "." in action else entries.filter(action__startswith=f"{action}.")
    if actor:
        entries = entries.filter(actor_name__iexact=actor)
    if since:
        entries = entries.filter(created_at__date__gte=since)
    if until:
        entries = entries.filter(created_at__date__lte=until)
    return entries


ACTION_FAMILIES = [
    ("membership", "Membership and roles"),
    ("invitation", "Invitations"),
    ("moderation", "Moderation"),
    ("community", "Community settings"),
    ("charter", "Charter"),
    ("token", "API tokens"),
    ("auth", "Sign-in protection"),
    ("admin", "Admin"),
]
