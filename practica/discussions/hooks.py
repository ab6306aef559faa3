"""Where a floor above discussions plugs into its pages, from its ``AppConfig.ready()``, so that discussions
imports none of it: the thread page's suggested experts come from discovery (``practica/discovery/routing.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from practica.discussions.models import Thread

# (request, thread, the viewer's access) -> the panel's context, or None when it shows nothing.
ThreadPanel = Callable[[HttpRequest, Thread, Any], "dict[str, Any] | None"]

_routing: ThreadPanel | None = None


def provide_routing(panel: ThreadPanel) -> None:
    """Suggested experts for a question that has waited too long (the thread page's ``routing``)."""
    global _routing
    _routing = panel


def routing(request: HttpRequest, thread: Thread, access: Any) -> dict[str, Any] | None:
    """The thread page's suggested experts, when an app provides them."""
    return _routing(request, thread, access) if _routing is not None else None
