"""The rhythm of a community: the meetings its charter plans (its cadence) against the meetings it held, who came
to them, and whether the actions decided in them were done on time. Read from the events app's models and
selectors; a constant number of queries (``QUERIES``) whatever the number of events, occurrences or people.

Over a window of UTC days (``metrics.Window``), as known at its end (and never later than now):

- ``meetings_planned``: the meetings the charter's cadence plans in the window: ``days / period``, the period
  being 7 days (weekly), 14 (fortnightly), 365.25 / 12 (monthly) or 365.25 / 4 (quarterly); 0 with no planned
  rhythm. Two decimals. The charter's current cadence, for this window and the one before alike.
- ``meetings_held``: the community's occurrences that started in the window and had ended by its end (and by
  now), neither the occurrence nor its event cancelled; a recurring event's occurrences are expanded from its
  rule (moved ones counted at their new time).
- ``attendance_rate``: over those occurrences whose attendance was taken (at least one person marked present),
  the people who said yes (confirmed, not on the waiting list) and were marked present ÷ the people who said
  yes. None when no attendance was taken (or nobody said yes).
- ``actions_closed_on_time``: the meeting actions due in the window (by their due date) that were done by the
  end of their due day (UTC) and by the window's end ÷ the actions due in the window. None when none was due.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from practica.communities.models import Cadence, Charter, Community
from practica.events.models import ActionItem, Attendance, Rsvp, RsvpResponse
from practica.events.selectors import community_events, occurrences_between

if TYPE_CHECKING:  # metrics imports this module to add the rhythm to each window
    from practica.insights.metrics import Window

Number = int | float | None

RHYTHM_METRICS = ("meetings_planned", "meetings_held", "attendance_rate", "actions_closed_on_time")
QUERIES = 5  # the cadence, the events, their stored occurrences, the RSVPs and attendance, the actions

PERIOD_DAYS: dict[str, float] = {
    Cadence.WEEKLY: 7.0,
    Cadence.FORTNIGHTLY: 14.0,
    Cadence.MONTHLY: 365.25 / 12,
    Cadence.QUARTERLY: 365.25 / 4,
}


def planned_per_month(cadence: str) -> float:
    """Meetings a month that a cadence plans (weekly: 4.35; monthly: 1; none: 0)."""
    period = PERIOD_DAYS.get(cadence)
    return round(365.25 / 12 / period, 2) if period else 0.0


def rhythm_metrics(community: Community, window: Window, *, now: datetime | None = None) -> dict[str, Number]:
    """The four rhythm metrics (``RHYTHM_METRICS``) of ``community`` over ``window`` (``QUERIES`` queries)."""
    now = now or timezone.now()
    start, end = window.starts_at, min(window.ends_before, now)
    cadence = Charter.objects.filter(community=community).values_list("cadence", flat=True).first() or Cadence.NONE
    period = PERIOD_DAYS.get(cadence)
    return {
        "meetings_planned": round(window.days / period, 2) if period else 0.0,
        "meetings_held": _held(community, start, end),
        "attendance_rate": _attendance_rate(community, start, end),
        "actions_closed_on_time": _actions_closed_on_time(community, window, now),
    }


def _held(community: Community, start: datetime, end: datetime) -> int:
    """Occurrences that started in [start, end) and had ended by ``end``, cancelled ones left out (two queries)."""
    if end <= start:
        return 0
    events = list(community_events(community=community).filter(start__lt=end))
    return sum(1 for info in occurrences_between(events, start, end) if info.end <= end)


def _attendance_rate(community: Community, start: datetime, end: datetime) -> float | None:
    """Yes-sayers marked present ÷ yes-sayers, over the window's held occurrences whose attendance was taken."""
    if end <= start:
        return None
    counts = Rsvp.objects.filter(
        occurrence__event__community=community, occurrence__event__cancelled_at=None,
        occurrence__is_cancelled=False, occurrence__start__gte=start, occurrence__end__lte=end,
        response=RsvpResponse.YES, waiting_since=None,
    ).filter(
        Exists(Attendance.objects.filter(occurrence_id=OuterRef("occurrence_id")))
    ).aggregate(
        said_yes=Count("id"),
        came=Count("id", filter=Q(Exists(
            Attendance.objects.filter(occurrence_id=OuterRef("occurrence_id"), user_id=OuterRef("user_id"))
        ))),
    )
    return counts["came"] / counts["said_yes"] if counts["said_yes"] else None


def _actions_closed_on_time(community: Community, window: Window, now: datetime) -> float | None:
    """Actions due in the window done by the end of their due day ÷ actions due in the window."""
    known_by = min(window.ends_before, now)
    counts = (
        ActionItem.objects.filter(
            occurrence__event__community=community, due_date__gte=window.start, due_date__lte=window.end
        )
        .annotate(done_on=TruncDate("done_at", tzinfo=UTC))
        .aggregate(
            due=Count("id"),
            on_time=Count("id", filter=Q(done_at__lt=known_by, done_on__lte=F("due_date"))),
        )
    )
    return counts["on_time"] / counts["due"] if counts["due"] else None


__all__ = ["QUERIES", "RHYTHM_METRICS", "planned_per_month", "rhythm_metrics"]

