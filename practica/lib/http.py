"""Small helpers shared by the views."""

from __future__ import annotations

from typing import Any

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
