"""Where the floors above communities plug into its pages, from their ``AppConfig.ready()``, so that communities
imports none of them: the community page's recent threads and the count of questions waiting for a first reply
come from discussions (``DiscussionsConfig.ready()``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from practica.communities.models import Community

# (community, the viewer's access; asked only when they may read it) -> context the community page adds: "recent_threads" (a few,
# newest activity first) and "unheard_count" (int).
CommunityPagePanel = Callable[[Community, Any], "dict[str, Any]"]

_activity: CommunityPagePanel | None = None


def provide_activity(panel: CommunityPagePanel) -> None:
    """The community page's recent threads and unheard count."""
    global _activity
    _activity = panel


def activity(*, community: Community, access: Any) -> dict[str, Any]:
    """What the community page shows of its activity to a reader, when an app provides it."""
    found = _activity(community, access) if _activity is not None else {}
    return {**activity_unread(), **found}


def activity_unread() -> dict[str, Any]:
    """What the page shows of its activity to someone who may not read the community: nothing."""
    return {"recent_threads": [], "unheard_count": None}
