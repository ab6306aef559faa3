"""Event blocks other pages include: the community page's next meetings and rhythm, one's open actions."""

from __future__ import annotations

from typing import Any

from django import template

from practica.events import permissions, selectors

register = template.Library()


@register.inclusion_tag("events/_community_meetings.html", takes_context=True)
def community_meetings(context: Any, community: Any, access: Any, limit: int = 5) -> dict[str, Any]:
    """Next meetings and the rhythm (meetings per month over the last year) for the community page."""
    return {
        "community": community,
        "access": access,
        "upcoming": selectors.upcoming_occurrences(community=community, limit=limit),
        "rhythm": selectors.community_rhythm(community=community),
        "can_create": permissions.may_create(access),
        "request": context.get("request"),
        "user": context.get("user"),
    }


@register.inclusion_tag("events/_my_actions.html", takes_context=True)
def my_actions(context: Any) -> dict[str, Any]:
    """The signed-in person's open actions from meetings (home page)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    actions = selectors.my_open_actions(user=user) if user is not None and user.is_authenticated else []
    return {"actions": actions, "request": request, "csrf_token": context.get("csrf_token")}
