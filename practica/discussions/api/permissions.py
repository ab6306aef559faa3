"""The discussions rules (``practica/discussions/permissions.py``) as DRF permission classes.

A view reads the thing through its permission-scoped selector (404 for what the caller may not see), then calls
``self.check_object_permissions(request, access)`` with the caller's ``Access``: a refused rule answers 403 with
the rule's own message, the same words the pages and the services use.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from practica.communities.selectors import Access
from practica.discussions import permissions
from practica.lib.api.permissions import RulePermission


class AccessRule(RulePermission):
    """A rule over the caller's access to a community, checked on the ``Access`` the view read."""

    def object_arguments(self, request: Request, view: Any, obj: Any) -> tuple[Access] | None:
        return (obj,) if isinstance(obj, Access) else None


class ThreadRule(RulePermission):
    """A rule over the caller's access to one thread, checked on the ``(thread, access)`` the view read."""

    def object_arguments(self, request: Request, view: Any, obj: Any) -> tuple[Any, ...] | None:
        if not (isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[1], Access)):
            return None
        thread, access = obj
        return (access, thread)


class MayAskExperts(ThreadRule):
    """Ask suggested experts to look at a question, and see whom: the asker and the coordinators."""

    rule = permissions.may_ask_experts


class MayMoveThreads(AccessRule):
    rule = permissions.may_move


class MayMarkDuplicates(AccessRule):
    rule = permissions.may_mark_duplicate


class MaySeeUnheard(AccessRule):
    rule = permissions.may_see_unheard


class MaySeeFlags(AccessRule):
    rule = permissions.may_see_flags


class MayHandleFlags(AccessRule):
    rule = permissions.may_handle_flags
