"""Small helpers shared by the views."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, partial: str | None = None, status: int = 200
) -> HttpResponse:
    """Render the page, or only its named partial for an htmx request that targets it."""
    if partial and wants_partial(request):
        return render(request, partial, context, status=status)
    return render(request, template, context, status=status)


def wants_partial(request: HttpRequest) -> bool:
    """Whether ``render_page`` answers this request with the partial: htmx asked for a part of a page (not a
    boosted link, which wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx and not htmx.boosted)


def signed_in_user(request: HttpRequest) -> Any:
    """The request's user, for views behind ``login_required`` (typed loosely: services take a ``User``)."""
    return request.user


def flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    """Show a service's validation errors as error messages on the next page."""
    for message in exc.messages:
        messages.error(request, message)


def client_address(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind a trusted proxy (``BEHIND_PROXY``) the address the
    proxy appended to ``X-Forwarded-For`` (``PROXY_COUNT`` proxies from the right). A client cannot choose its
    address by sending the header itself. IPv6 addresses count per /64 (one host usually holds a whole /64)."""
    address = request.META.get("REMOTE_ADDR", "") or ""
    if settings.BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            address = forwarded[-min(settings.PROXY_COUNT, len(forwarded))]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False).network_address) + "/64"
    return str(ip)
