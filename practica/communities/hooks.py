"""Where the floors above communities plug into it, from their ``AppConfig.ready()``, so that communities
imports none of them: the community page's recent threads and the count of questions waiting for a first reply
come from discussions (``DiscussionsConfig.ready()``); what a request to join means for the coordinators
(a notification) comes from notifications (``NotificationsConfig.ready()``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import transaction

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


# (community id, the id of the person asking) -> None; run once the request is committed.
JoinRequestListener = Callable[[int, int], None]

_join_request_listeners: list[JoinRequestListener] = []


def listen_join_requested(listener: JoinRequestListener) -> None:
    """Be told of every request to join a community, once it is committed. Listening twice is listening once."""
    if listener not in _join_request_listeners:
        _join_request_listeners.append(listener)


def join_requested(*, community_id: int, user_id: int) -> None:
    """Tell the listeners that someone asked to join: each runs once the current transaction commits (never for a
    rolled-back request) with ids, so nothing stale is carried; robustly, so a failure (a mail server down) is
    logged and never turns the saved request into an error."""
    for listener in _join_request_listeners:
        transaction.on_commit(partial(listener, community_id, user_id), robust=True)
