"""Who is active in which community: the content apps report reads and contributions here; the ``insights`` app, a
floor above them, connects its receivers in ``InsightsConfig.ready()`` and records them (one row per person,
community and UTC day). Without a receiver nothing is recorded and nothing fails.

- **Reads** (``read``): the permission-scoped selectors that resolve a community the viewer may read (a community's
  page and lists, a thread, a knowledge item, an event, and the API's reads of them) note it for the request
  being served; ``ActivityMiddleware`` reports it once the request answered a GET or HEAD without error. Only
  signed-in people, once per request and community, and never outside a request (commands, tasks).
- **Contributions** (``contributed``): the service that writes a thread, reply, comment, knowledge item or meeting
  notes reports it; the report is sent once the transaction commits, so a write that rolls back counts nothing.

Recording must never break a page: the receivers' errors are logged, never raised.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse

activity_read = Signal()  # kwargs: community, user
activity_contributed = Signal()  # kwargs: community, user

# The communities read while serving the current request: {(community id, user id): (community, user)}; None
# outside a request.
_reads: contextvars.ContextVar[dict[tuple[int, int], tuple[Any, Any]] | None] = contextvars.ContextVar(
    "practica_activity_reads", default=None
)

READ_METHODS = ("GET", "HEAD")


def read(*, community: Any, user: Any) -> None:
    """Note that ``user`` reads ``community`` in the request being served (costs no query; reported by
    ``ActivityMiddleware`` after the answer). Anonymous visitors and calls outside a request are ignored."""
    reads = _reads.get()
    if reads is None or not getattr(user, "is_authenticated", False) or community.pk is None:
        return
    reads.setdefault((community.pk, user.pk), (community, user))


def contributed(*, community: Any, user: Any) -> None:
    """Report, once the current transaction commits, that ``user`` contributed to ``community`` (a thread, reply,
    comment, knowledge item, meeting notes). Call it from the service that writes, inside its transaction."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    transaction.on_commit(lambda: _send(activity_contributed, community, user), robust=True)


def _send(signal: Signal, community: Any, user: Any) -> None:
    # send_robust logs a receiver's error (logger "django.dispatch") instead of raising it.
    signal.send_robust(sender=None, community=community, user=user)


class ActivityMiddleware:
    """Collects the communities a request reads (``read``) and reports them once it answered a GET or HEAD with a
    success or a redirect: a refused or failed request reads nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reads: dict[tuple[int, int], tuple[Any, Any]] = {}
        token = _reads.set(reads)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if reads and request.method in READ_METHODS and response.status_code < 400:
            for community, user in reads.values():
                _send(activity_read, community, user)
        return response
