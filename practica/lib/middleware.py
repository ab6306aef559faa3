"""Show times in each viewer's own time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class UserTimezoneMiddleware:
    """Activate the signed-in person's profile time zone for the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tzname = ""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            tzname = request.session.get("tz", "")
            if not tzname:
                profile = getattr(user, "profile", None)
                tzname = getattr(profile, "timezone", "") or ""
                request.session["tz"] = tzname or "UTC"
        if tzname and tzname != "UTC":
            try:
                timezone.activate(zoneinfo.ZoneInfo(tzname))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class RejectNulMiddleware:
    """Answer 400 to requests whose query string or text body holds a NUL character.

    PostgreSQL refuses NUL in text, so such input would otherwise fail deep inside a query (a 500). Files in
    multipart uploads may hold NUL bytes and are left alone.
    """

    TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded", "text/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            from django.http import JsonResponse

            message = "The request contains a NUL character, which is not allowed in text."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    def _has_nul(self, request: HttpRequest) -> bool:
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query or "\x00" in request.path:
            return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method in ("POST", "PUT", "PATCH") and content_type.startswith(self.TEXT_BODIES):
            try:
                body = request.body
            except Exception:  # too large: Django answers that itself
                return False
            return b"\x00" in body or b"%00" in body or b"\\u0000" in body
        if request.method == "POST" and content_type.startswith("multipart/form-data"):
            try:
                return any("\x00" in value for values in request.POST.lists() for value in values[1])
            except Exception:  # malformed or too large: Django answers that itself
                return False
        return False
