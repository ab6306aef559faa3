"""The community rules (``practica/communities/permissions.py``) as DRF permission classes.

A view under ``/communities/{slug}/`` mixes in ``CommunityScoped``: it reads the community once, through the
permission-scoped selectors (404 for whoever may not see it), and its ``permission_classes`` name the rules, e.g.
``[IsAuthenticated, allows(permissions.INVITE)]``: 401 for the anonymous, 404 for who may not read the
community, 403 with the rule's message for who reads it but may not do this.
"""

from __future__ import annotations

from typing import Any, Literal

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from practica.communities import selectors
from practica.communities.models import Community
from practica.communities.permissions import Access
from practica.lib.api.permissions import RulePermission
from practica.lib.permissions import Rule


class CommunityScoped:
    """A view about one community (``slug`` in the URL) and the caller's access to it, read once per request.

    ``community_scope``: ``"readable"`` (its content: 404 unless the caller may read it) or ``"visible"`` (the
    community itself, joining, editing: 404 only where its existence is hidden, i.e. private communities).
    """

    community_scope: Literal["readable", "visible"] = "readable"
    kwargs: dict[str, Any]
    request: Any  # a DRF Request by the time the view runs (Django's View declares an HttpRequest)

    def community_access(self) -> tuple[Community, Access]:
        cached: tuple[Community, Access] | None = getattr(self, "_community_access", None)
        if cached is None:
            slug, user = self.kwargs["slug"], self.request.user
            if self.community_scope == "readable":
                cached = selectors.community_get_readable(slug=slug, user=user)
            else:
                community = selectors.community_get_for_user(slug=slug, user=user)
                cached = (community, selectors.community_access(community=community, user=user))
            self._community_access = cached
        return cached

    def check_permissions(self, request: Request) -> None:
        # A method the view does not serve is a 405 for everyone, before anyone's rights are asked.
        if getattr(self, (request.method or "").lower(), None) is None:
            return
        super().check_permissions(request)  # type: ignore[misc]

    @property
    def community(self) -> Community:
        return self.community_access()[0]

    @property
    def access(self) -> Access:
        return self.community_access()[1]


class CommunityRulePermission(RulePermission):
    """Lets the request through when the view's community rule allows the caller (see ``allows``)."""

    def view_arguments(self, request: Request, view: Any) -> tuple[Access]:
        if not isinstance(view, CommunityScoped):
            raise TypeError(f"{type(view).__name__} must mix in CommunityScoped to use community rules.")
        return (view.access,)


def allows(rule: Rule[[Access]]) -> type[BasePermission]:
    """A permission class for one rule; DRF answers a refusal with the rule's message."""
    return type("Allows", (CommunityRulePermission,), {"rule": rule, "message": rule.message})
