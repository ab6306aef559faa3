"""Event fixtures: a helper that plans an event through the service, as a coordinator would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community
from practica.events import services
from practica.events.models import Event


def soon(days: int = 3, hour: int = 18) -> dt.datetime:
    """A wall-clock time some days ahead (naive: the event's zone applies)."""
    day = (timezone.now() + dt.timedelta(days=days)).date()
    return dt.datetime(day.year, day.month, day.day, hour, 0)


@pytest.fixture
def make_event(owner: User) -> Callable[..., Event]:
    def make(community: Community, **overrides: Any) -> Event:
        start = overrides.pop("start", soon())
        values: dict[str, Any] = {
            "community": community,
            "organiser": overrides.pop("organiser", owner),
            "title": "Monthly well integrity call",
            "start": start,
            "end": overrides.pop("end", start + dt.timedelta(hours=1)),
            "timezone_name": "Europe/Paris",
        }
        values.update(overrides)
        return services.event_create(**values)

    return make


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """``with committed(): ...`` runs what the writes inside scheduled for after the commit (notifications are sent
    on commit, and a test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
