"""The thread page's link to the knowledge captured from it, and its “Capture as knowledge” button."""

from __future__ import annotations

from typing import Any

from django import template

from practica.communities.selectors import Access
from practica.discussions.models import Thread
from practica.knowledge import selectors

register = template.Library()


@register.inclusion_tag("knowledge/_thread_captures.html", takes_context=True)
def knowledge_captures(context: dict[str, Any], thread: Thread) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None:
        return {"captures": [], "may_capture": False, "thread": thread}
    access = context.get("access")
    if not isinstance(access, Access) or access.community.pk != thread.community_id or access.user != user:
        access = Access(thread.community, user)
    return {
        "captures": selectors.captures_of_thread(thread=thread, user=user, access=access),
        "may_capture": selectors.user_may_capture(thread=thread, user=user, access=access)
        and thread.deleted_at is None,
        "thread": thread,
    }
