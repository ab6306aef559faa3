"""DRF permission classes made from the knowledge base's rules (``practica.knowledge.permissions``), on the one
adapter of ``practica.lib.api.permissions``.

A view resolves what is addressed through a permission-scoped selector (404 for what the caller may not see) and
calls ``self.check_object_permissions(request, access)`` with the caller's ``Access``; the class answers with the
rule and refuses with the rule's message (403). The services check the same rule again as their guard.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from practica.communities.selectors import Access
from practica.knowledge import permissions
from practica.lib.api.permissions import RulePermission
from practica.lib.permissions import Rule


class AccessRule(RulePermission):
    """Writes need ``rule(access)``; reads are for whoever the selector let through."""

    reads_pass = True

    def object_arguments(self, request: Request, view: Any, obj: Any) -> tuple[Access] | None:
        return (obj,) if isinstance(obj, Access) else None


class MayWrite(AccessRule):
    rule = permissions.may_write


class MayCurate(AccessRule):
    rule = permissions.may_curate


class MayReview(AccessRule):
    rule = permissions.may_review


class MaySteward(AccessRule):
    """Reading the stewardship queue is for reviewers; changing the review period for coordinators."""

    reads_pass = False

    def rule_for(self, request: Request) -> Rule[[Access]]:
        return permissions.may_steward if request.method in SAFE_METHODS else permissions.may_change_settings


class MayEditAttachment(RulePermission):
    """Removing a file is for those who may change its item (``obj``: the item and the caller's access)."""

    rule = permissions.may_remove_file
    reads_pass = True

    def object_arguments(self, request: Request, view: Any, obj: Any) -> tuple[Any, ...] | None:
        return obj if isinstance(obj, tuple) else None
