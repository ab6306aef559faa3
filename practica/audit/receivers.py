"""Stores what ``practica.lib.audit.record`` reports, and mirrors the Django admin's own log."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

from practica.audit.models import AuditEntry
from practica.lib.audit import current_address


def store_entry(
    sender: Any, *, actor: Any, action: str, summary: str, community: Any, target_type: str, target_id: int | None,
    details: dict[str, Any], address: str, **kwargs: Any,
) -> None:
    AuditEntry.objects.create(
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "",
        action=action[:50],
        summary=summary[:500],
        community=community,
        community_name=getattr(community, "name", "") or "",
        target_type=target_type[:30],
        target_id=target_id,
        details=details,
        address=address[:64],
    )


_ADMIN_VERBS = {ADDITION: ("admin.add", "added"), CHANGE: ("admin.change", "changed"), DELETION: ("admin.delete", "deleted")}


def mirror_admin_action(sender: Any, instance: LogEntry, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """Every change made in the Django admin (network admins only) joins the audit log."""
    if not created or raw:
        return
    action, verb = _ADMIN_VERBS.get(instance.action_flag, ("admin.action", "acted on"))
    kind = str(instance.content_type.name) if instance.content_type is not None else "object"
    AuditEntry.objects.create(
        actor_id=instance.user_id,
        actor_name=instance.user.username if instance.user_id else "",
        action=action,
        summary=f"{instance.user.username} {verb} the {kind} “{instance.object_repr}” in the admin"[:500],
        target_type=kind[:30],
        target_id=int(str(instance.object_id)) if str(instance.object_id or "").isdigit() else None,
        details={"change": instance.get_change_message()[:2000]} if instance.change_message else {},
        address=current_address()[:64],
    )
