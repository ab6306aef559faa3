"""Charter goals measured against the metric catalogue: a goal binds to a metric (``catalogue.CATALOGUE``) with
a target and a due date; its progress is the metric's current value, its trend and a projection to the due date
(on track, at risk, off track), with the reason in words. A goal without a metric, or a metric with no data,
is "not measured".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from practica.communities.models import Community, Goal
from practica.insights.metrics import Health

Status = Literal["on_track", "at_risk", "off_track", "not_measured"]


@dataclass(frozen=True)
class GoalProgress:
    """Where one goal stands at the end of a health window."""

    goal_id: int
    description: str
    metric: str | None  # a catalogue name, or None for a goal that names no (known) metric
    target: float | None
    due_date: date | None
    value: float | None  # the metric's value in the window
    previous: float | None  # in the window before
    projected: float | None  # the value expected on the due date at the current trend
    status: Status
    reason: str  # why this status, in one sentence a coordinator reads


def goals_progress(*, community: Community, health: Health) -> list[GoalProgress]:
    """The progress of each goal of the community's charter, in the charter's order (one query)."""
    goals = Goal.objects.filter(charter__community=community).order_by("position", "id")
    result = []
    for goal in goals:
        metric = health.metrics.get(goal.metric) if goal.metric else None
        target = float(goal.target_value) if goal.target_value is not None else None
        result.append(
            GoalProgress(
                goal_id=goal.pk, description=goal.description, metric=goal.metric if metric else None,
                target=target, due_date=goal.due_date,
                value=_number(metric.value) if metric else None,
                previous=_number(metric.previous) if metric else None,
                projected=None, status="not_measured",
                reason="This goal names no metric Practica measures." if metric is None else "Not projected yet.",
            )
        )
    return result


def _number(value: int | float | None) -> float | None:
    return float(value) if value is not None else None
