"""The front pages: home (what is new in my communities, or the featured ones) and the health check."""

from __future__ import annotations

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from practica.communities import selectors as community_selectors
from practica.discussions import selectors as discussion_selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {}
    if request.user.is_authenticated:
        context["my_communities"] = community_selectors.community_directory(user=request.user, mine=True)
        context["invitations"] = community_selectors.my_invitations(user=request.user)  # type: ignore[arg-type]
        context["feed"] = discussion_selectors.feed_for_user(user=request.user)
    else:
        context["featured"] = community_selectors.community_directory(user=request.user)[:6]
    return render(request, "front/home.html", context)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
