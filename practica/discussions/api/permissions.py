"""The discussions rules (``practica/discussions/permissions.py``) as DRF permission classes.

A view reads the thing through its permission-scoped selector (404 for what the caller may not see), then calls
``self.check_object_permissions(request, access)`` with the caller's ``Access``: a refused rule answers 403 with
the rule's own message, the same words the pages and the services use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from practica.communities.selectors import Access
from practica.discussions import permissions
from practica.discussions.models import Thread
from practica.discussions.permissions import Decision


class AccessRule(BasePermission):
    """A rule over the caller's access to a community, checked on the ``Access`` the view read."""

    rule: Callable[[Access], Decision]

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if not isinstance(obj, Access):
            return True
        decision = type(self).rule(obj)
        if not decision:
            self.message = decision.message
        return decision.allowed


class ThreadRule(BasePermission):
    """A rule over the caller's access to one thread, checked on the ``(thread, access)`` the view read."""

    rule: Callable[[Access, Thread], Decision]

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if not (isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[1], Access)):
            return True
        thread, access = obj
        decision = type(self).rule(access, thread)
        if not decision:
            self.message = decision.message
        return decision.allowed


class MayAskExperts(ThreadRule):
    """Ask suggested experts to look at a question, and see whom: the asker and the coordinators."""

    rule = staticmethod(permissions.may_ask_experts)


class MayMoveThreads(AccessRule):
    rule = staticmethod(permissions.may_move)


class MayMarkDuplicates(AccessRule):
    rule = staticmethod(permissions.may_mark_duplicate)


class MaySeeUnheard(AccessRule):
    rule = staticmethod(permissions.may_see_unheard)


class MaySeeFlags(AccessRule):
    rule = staticmethod(permissions.may_see_flags)


class MayHandleFlags(AccessRule):
    rule = staticmethod(permissions.may_handle_flags)
