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
