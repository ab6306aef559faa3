"""The apps' rules (``practica.lib.permissions.Rule``) as DRF permission classes: one adapter for every app.

An app's ``api/permissions.py`` subclasses ``RulePermission`` once per way its views hand over the rule's
arguments (the caller's ``Access`` the view read, a ``(thread, access)`` pair...) and names a rule per class. A
refusal answers with the rule's own message, the words the pages and the services use: 403, or 404 for a hidden
rule. What the caller may not read at all has had its 404 from the permission-scoped selector before.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from practica.lib.permissions import Rule


class RulePermission(BasePermission):
    """Lets a request through when ``rule`` allows the caller; refuses with the rule's message otherwise.

    ``view_arguments`` (asked before the view runs) and ``object_arguments`` (asked by the view's
    ``check_object_permissions``) give the rule's arguments, or ``None`` where the rule does not apply. With
    ``reads_pass``, reads (GET, HEAD, OPTIONS) are for whoever the selector let through and only writes ask.
    """

    rule: Rule[...]
    reads_pass = False

    def rule_for(self, request: Request) -> Rule[...]:
        return type(self).rule

    def view_arguments(self, request: Request, view: Any) -> tuple[Any, ...] | None:
        return None

    def object_arguments(self, request: Request, view: Any, obj: Any) -> tuple[Any, ...] | None:
        return None

    def has_permission(self, request: Request, view: Any) -> bool:
        return self._allows(request, lambda: self.view_arguments(request, view))

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return self._allows(request, lambda: self.object_arguments(request, view, obj))

    def _allows(self, request: Request, arguments: Any) -> bool:
        if self.reads_pass and request.method in SAFE_METHODS:
            return True
        args = arguments()
        if args is None:
            return True
        decision = self.rule_for(request).decide(*args)
        if decision.hidden:
            decision.require()  # Http404: DRF answers it as a 404
        if not decision:
            self.message = decision.message
        return decision.allowed
