"""A community's health history: the daily snapshots (``models.HealthSnapshot``) read back as one metric's
daily series between two UTC days, for the trend lines of the health page and ``GET
/api/v1/communities/{slug}/health/history/``.

Each day's value is the metric over the ``HISTORY_DAYS`` UTC days ending with that day (a month's health, read
day after day), as ``metrics.window_metrics`` computes it. Snapshots are taken daily (``snapshot_health``, the
periodic task) and back-filled at once from the content's timestamps for a community with a past (an import);
a day without a snapshot is absent from the series, never invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models.fields.json import KeyTransform

from practica.communities.models import Community
from practica.insights.metrics import METRICS, Number
from practica.insights.models import HealthSnapshot

HISTORY_DAYS = 30


@dataclass(frozen=True)
class Point:
    """One day of a metric's history: its value over the ``HISTORY_DAYS`` days ending with ``day`` (None where
    the metric is undefined, e.g. a share of nothing)."""

    day: date
    value: Number


def metric_history(
    *, community: Community, metric: str, start: date | None = None, end: date | None = None
) -> list[Point]:
    """``metric``'s daily values for ``community`` from ``start`` to ``end`` (inclusive; open where None), by day.
    One query whatever the number of days; only the one value is read from each snapshot. ValueError for a name
    not in ``metrics.METRICS``."""
    if metric not in METRICS:
        raise ValueError(f"No metric named {metric!r}.")
    rows = HealthSnapshot.objects.filter(community=community)
    if start is not None:
        rows = rows.filter(day__gte=start)
    if end is not None:
        rows = rows.filter(day__lte=end)
    values = rows.order_by("day").annotate(value=KeyTransform(metric, "values")).values_list("day", "value")
    return [Point(day=day, value=value) for day, value in values]
