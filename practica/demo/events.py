"""Demo meetings for ``manage.py seed_demo``: a monthly call with a year of history, so the community page
shows a rhythm. Idempotent: an event that exists (by community and title) is left as it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from practica.communities.models import Community, Membership, MembershipState, Role
from practica.events import services
from practica.events.models import Event

DEMO_MEETINGS = [
    # community slug, title, kind, local hour, time zone, RRULE, place, link, description
    (
        "well-integrity",
        "Well integrity monthly call",
        "meeting",
        15,
        "Europe/London",
        "FREQ=MONTHLY;BYDAY=1TU",
        "",
        "https://meet.example.org/well-integrity",
        "One hour, first Tuesday of the month: a case from a member, open questions, and the barrier of the month.",
    ),
    (
        "patient-safety",
        "Patient safety huddle review",
        "workshop",
        12,
        "Europe/Amsterdam",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
        "Simulation centre, room 2",
        "https://meet.example.org/patient-safety",
        "Every other Thursday: one incident, its contributing factors and what we changed.",
    ),
]


def seed_demo_events(*, log: Callable[[str], None] | None = None) -> int:
    """Create the demo meetings that are missing; returns how many were created."""
    created = 0
    today = timezone.now().date()
    first_of_month = today.replace(day=1)
    start_month = first_of_month
    for _ in range(10):  # ten months of history
        start_month = (start_month - dt.timedelta(days=1)).replace(day=1)
    for slug, title, kind, hour, zone, rule, place, link, description in DEMO_MEETINGS:
        community = Community.objects.filter(slug=slug).first()
        if community is None or Event.objects.filter(community=community, title=title).exists():
            continue
        coordinator = (
            Membership.objects.filter(
                community=community, role=Role.COORDINATOR, state=MembershipState.ACTIVE
            )
            .select_related("user")
            .order_by("id")
            .first()
        )
        if coordinator is None:
            continue
        # The first matching weekday of the start month (Tuesday for the monthly call, Thursday otherwise).
        weekday = 1 if "BYDAY=1TU" in rule else 3
        day = start_month + dt.timedelta(days=(weekday - start_month.weekday()) % 7)
        start = dt.datetime(day.year, day.month, day.day, hour, 0)
        services.event_create(
            community=community,
            organiser=coordinator.user,
            title=title,
            kind=kind,
            description=description,
            start=start,
            end=start + dt.timedelta(hours=1),
            timezone_name=zone,
            recurrence=rule,
            location=place,
            online_url=link,
            capacity=40,
        )
        created += 1
        if log:
            log(f"  meeting {title} ({rule})")
    return created
