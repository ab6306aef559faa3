"""DRF permission classes made from the knowledge base's rules (``practica.knowledge.permissions``).

A view resolves what is addressed through a permission-scoped selector (404 for what the caller may not see) and
calls ``self.check_object_permissions(request, access)`` with the caller's ``Access``; the class answers with the
rule and refuses with the rule's message (403). The services check the same rule again as their guard.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from practica.communities.selectors import Access
from practica.knowledge import permissions
from practica.knowledge.permissions import Rule


class AccessRule(BasePermission):
    """Writes need ``rule(access)``; reads are for whoever the selector let through."""

    rule: Rule[[Access]]

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if request.method in SAFE_METHODS or not isinstance(obj, Access):
            return True
        self.message = self.rule.message
        return self.rule(obj)


class MayWrite(AccessRule):
    rule = permissions.may_write


class MayCurate(AccessRule):
    rule = permissions.may_curate


class MayReview(AccessRule):
    rule = permissions.may_review


class MaySteward(AccessRule):
    """Reading the stewardship queue is for reviewers; changing the review period for coordinators."""

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if not isinstance(obj, Access):
            return True
        rule = permissions.may_steward if request.method in SAFE_METHODS else permissions.may_change_settings
        self.message = rule.message
        return rule(obj)


class MayEditAttachment(BasePermission):
    """Removing a file is for those who may change its item (``obj``: the item and the caller's access)."""

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if request.method in SAFE_METHODS or not isinstance(obj, tuple):
            return True
        item, access = obj
        self.message = permissions.may_remove_file.message
        return permissions.may_remove_file(item, access)
