"""Charter goals measured against the metric catalogue: a goal binds to a metric (``catalogue.CATALOGUE``) with
a target and a due date; its progress is the metric's current value, its trend and a projection to the due date
(on track, at risk, off track), with the reason in words. A goal without a metric, or a metric with no data,
is "not measured".

The rules, over a health window of ``D`` days ending on ``end`` (``metrics.Health``):

- **value** is the metric over the window, **previous** over the ``D`` days before it.
- **trend** (change per day) = ``(value - previous) / D``: the two windows' middles are ``D`` days apart. No
  previous value: no trend, and the projection assumes the value stays as it is.
- **projection** = ``value + trend × days from end to the due date``. Without a due date, the value itself.
- **direction**: for a metric whose ``better`` is "up" the target is a floor (reach at least), for "down" a
  ceiling (stay at most), for "none" a point (come within ``AT_RISK_MARGIN`` of it).
- **status** of a goal still to come: *on track* when the projection meets the target; *at risk* when it misses
  it by less than ``AT_RISK_MARGIN`` (10%) of the target; *off track* when it misses by more. For a "none"
  metric: on track within 10% of the target, at risk within 20%, off track beyond.
- **past its due date** (due on or before the window's end): no projection; the value at the end of the window
  decides, **met** (status on track) or **missed** (off track), in ``outcome``.
- **not measured**: no metric, a metric the health does not compute, no value in the window (``None``: e.g. a
  share of nothing), or no target.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from practica.communities.models import Community, Goal
from practica.insights.catalogue import CATALOGUE, MetricInfo
from practica.insights.metrics import Health

Status = Literal["on_track", "at_risk", "off_track", "not_measured"]
Outcome = Literal["met", "missed"]

AT_RISK_MARGIN = 0.10  # a projection that misses its target by less than this share of it is at risk


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
    trend_per_day: float | None = None  # (value - previous) / window days; None without both values
    label: str = ""  # the metric's label in the catalogue ("" without a metric)
    outcome: Outcome | None = None  # for a goal past its due date: met or missed


def goals_progress(*, community: Community, health: Health) -> list[GoalProgress]:
    """The progress of each goal of the community's charter, in the charter's order (one query)."""
    goals = Goal.objects.filter(charter__community=community).order_by("position", "id")
    return [goal_progress(goal=goal, health=health) for goal in goals]


def goal_progress(*, goal: Goal, health: Health) -> GoalProgress:
    """One goal's progress at the end of ``health``'s window (no query)."""
    info = CATALOGUE.get(goal.metric) if goal.metric else None
    metric = health.metrics.get(goal.metric) if info is not None else None
    target = float(goal.target_value) if goal.target_value is not None else None
    progress = GoalProgress(
        goal_id=goal.pk, description=goal.description, metric=None, target=target, due_date=goal.due_date,
        value=None, previous=None, projected=None, status="not_measured",
        reason="This goal names no metric Practica measures.",
    )
    if info is None or metric is None:
        return progress
    value, previous = _number(metric.value), _number(metric.previous)
    progress = replace(progress, metric=info.name, label=info.label, value=value, previous=previous)
    if value is None:
        return replace(progress, reason=f"{info.label} has no value in this window yet (nothing to measure it on).")
    trend = (value - previous) / health.window.days if previous is not None else None
    progress = replace(progress, trend_per_day=trend)
    now = f"At {_show(value)}, {_trend_words(trend)}"
    if target is None:
        return replace(progress, reason=f"{now}; the goal has no target to measure it against.")
    if goal.due_date is not None and goal.due_date <= health.window.end:
        met = _meets(value, target, info)
        return replace(
            progress, status="on_track" if met else "off_track", outcome="met" if met else "missed",
            reason=f"Due {_day(goal.due_date)} and {'met' if met else 'missed'}: "
                   f"at {_show(value)} against a target of {_show(target)}{_direction(info)}.",
        )
    days_left = (goal.due_date - health.window.end).days if goal.due_date is not None else 0
    projected = value + (trend or 0.0) * days_left
    when = f"projected {_show(projected)} by {_day(goal.due_date)}" if goal.due_date else "with no due date"
    return replace(
        progress, projected=projected, status=_status(projected, target, info),
        reason=f"{now}, {when} against a target of {_show(target)}{_direction(info)}.",
    )


def _meets(value: float, target: float, info: MetricInfo) -> bool:
    if info.better == "down":
        return value <= target
    if info.better == "up":
        return value >= target
    return abs(value - target) <= AT_RISK_MARGIN * abs(target)


def _status(projected: float, target: float, info: MetricInfo) -> Status:
    if _meets(projected, target, info):
        return "on_track"
    margin = AT_RISK_MARGIN * abs(target)
    if info.better == "down":
        miss = projected - target
    elif info.better == "up":
        miss = target - projected
    else:  # a point: on track within one margin (above), at risk within two
        miss = abs(projected - target) - margin
    return "at_risk" if miss < margin else "off_track"


def _direction(info: MetricInfo) -> str:
    if info.better == "down":
        return " (at most)"
    if info.better == "none":
        return " (about)"
    return ""


def _trend_words(trend: float | None) -> str:
    if trend is None:
        return "with no earlier window to show a trend"
    weekly = trend * 7
    if _show(abs(weekly)) == "0":
        return "steady"
    return f"{'rising' if weekly > 0 else 'falling'} {_show(abs(weekly))} a week"


def _show(number: float) -> str:
    """A number as a coordinator reads it: two decimals at most, no trailing zeros."""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _day(day: date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def _number(value: int | float | None) -> float | None:
    return float(value) if value is not None else None
