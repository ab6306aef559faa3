"""The audit log's entry point: any app records what someone did (``record``); the ``audit`` app, a floor above,
stores it (``practica.audit.receivers``). A service records inside its transaction, so an action that rolls
back leaves no entry, and an entry never exists without its action.

The client address of the request being served is remembered by ``AuditContextMiddleware`` (services do not see
the request)."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse

from practica.lib.http import client_address

audit_recorded = Signal()  # kwargs: actor, action, summary, community, target_type, target_id, details, address

_address: contextvars.ContextVar[str] = contextvars.ContextVar("practica_audit_address", default="")


def record(
    *,
    actor: Any,
    action: str,
    summary: str,
    community: Any = None,
    target_type: str = "",
    target_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record that ``actor`` did ``action`` (a dotted code: ``membership.role``, ``token.revoke``...);
    ``summary`` says it in a sentence, ``community`` scopes who may read it (None: network admins only)."""
    audit_recorded.send(
        sender=None, actor=actor, action=action, summary=summary, community=community, target_type=target_type,
        target_id=target_id, details=details or {}, address=_address.get(),
    )


def current_address() -> str:
    """The client address of the request being served ("" outside a request)."""
    return _address.get()


class AuditContextMiddleware:
    """Remembers the client address of the request for the entries recorded while serving it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _address.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            _address.reset(token)
