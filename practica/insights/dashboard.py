"""The community health dashboard as the page, the API and the CSV exports show it: the metrics of a window beside
the window before (labels, units and the better direction from the catalogue), the ladder of participation and the
movement between its levels, the charter's goals, the concentration of contributions, and — for those who may see
people (``SEE_PEOPLE``) — who is on which level and who dropped out.

It reads through ``metrics.community_health`` and the selectors; the cost is a constant number of queries:
``2 * metrics.QUERIES_PER_WINDOW`` for the metrics, one for the goals, one for the contributions per person, and
one more for the members by name when the people are shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple

from practica.communities.models import Community
from practica.insights import metrics
from practica.insights.catalogue import CATALOGUE, MetricInfo
from practica.insights.goals import GoalProgress, goals_progress
from practica.insights.metrics import LEVELS, MAX_DAYS, Health, Number, Window
from practica.insights.selectors import (
    MemberName,
    PersonContributions,
    contributions_per_person,
    members_named,
)

WINDOW_CHOICES = (30, 90, 365)
LEVEL_LABELS = {level: CATALOGUE[f"participation_{level}"].label for level in LEVELS}
CURVE_POINTS = 40  # the concentration curve's points at most (the first ten people, then evenly spaced)


# --- The window a person asks for --------------------------------------------------------------------------------


class WindowError(ValueError):
    """A window that cannot be shown, with the field to blame (``days``, ``start`` or ``end``) and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def today_utc() -> date:
    return datetime.now(UTC).date()


def window_choose(*, days: int | None = None, end: date | None = None, start: date | None = None,
                  today: date | None = None) -> Window:
    """The window for ``days`` UTC days ending with ``end`` (today, UTC, by default), or from ``start`` to ``end``
    when a start is given. ``WindowError`` for a window in the future, backwards, longer than ``MAX_DAYS`` days
    or starting too early (the window before it must start in 1970 or later)."""
    today = today or today_utc()
    end = end or today
    if end > today:
        raise WindowError("end", f"The window cannot end in the future (today is {today.isoformat()}, UTC).")
    if start is not None:
        if start > end:
            raise WindowError("start", "The start must be on or before the end.")
        days = (end - start).days + 1
        field = "start"
    else:
        days = metrics.DEFAULT_DAYS if days is None else days
        field = "days"
    if not 1 <= days <= MAX_DAYS:
        raise WindowError(field, f"A window has from 1 to {MAX_DAYS} days.")
    try:
        return metrics.window_ending(end, days)
    except ValueError as exc:
        raise WindowError(field if start is not None else "end", str(exc)) from exc


# --- What is shown -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricRow:
    """One metric of the window beside the window before, with how it changed and whether that is good news."""

    info: MetricInfo
    value: Number
    previous: Number

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def change(self) -> float | int | None:
        """``value - previous`` (None when either is undefined)."""
        if self.value is None or self.previous is None:
            return None
        difference = self.value - self.previous
        return round(difference, 6) if isinstance(difference, float) else difference

    @property
    def direction(self) -> str | None:
        """``up``, ``down`` or ``same`` (None when there is nothing to compare)."""
        if self.change is None:
            return None
        return "up" if self.change > 0 else "down" if self.change < 0 else "same"

    @property
    def verdict(self) -> str | None:
        """``better``, ``worse``, ``same`` or ``neutral`` (a metric with no better direction), by the catalogue."""
        direction = self.direction
        if direction is None:
            return None
        if direction == "same":
            return "same"
        if self.info.better == "none":
            return "neutral"
        return "better" if direction == self.info.better else "worse"

    @property
    def shown(self) -> str:
        return format_value(self.info.unit, self.value)

    @property
    def previous_shown(self) -> str:
        return format_value(self.info.unit, self.previous)

    @property
    def change_words(self) -> str:
        """The change as a person reads it: "up 3", "down 5 points", "no change", "no comparison"."""
        change, direction = self.change, self.direction
        if change is None or direction is None:
            return "no comparison"
        if direction == "same":
            return "no change"
        return f"{direction} {format_change(self.info.unit, abs(change))}"


def format_value(unit: str, value: Number) -> str:
    """A metric's value as the page shows it: shares in per cent, hours with one decimal."""
    if value is None:
        return "—"
    if unit == "share":
        return f"{value * 100:.0f}%"
    if unit == "hours":
        return f"{value:.1f} h"
    if unit == "ratio":
        return f"{value:.2f}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def format_change(unit: str, amount: float | int) -> str:
    """A change of a metric's value: as ``format_value`` says a value, but a share's change in points."""
    return f"{amount * 100:.0f} points" if unit == "share" else format_value(unit, amount)


@dataclass(frozen=True)
class Move:
    source: str  # a level of participation in the window before
    target: str  # in this window
    count: int


class CurvePoint(NamedTuple):
    people: int  # the N people with most contributions
    share: float  # their share of all the window's contributions


@dataclass(frozen=True)
class LevelRow:
    level: str
    label: str
    count: int
    previous: int


@dataclass(frozen=True)
class PersonLevel:
    member: MemberName
    level: str

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


@dataclass(frozen=True)
class People:
    """Who is behind the numbers: for coordinators only (``SEE_PEOPLE``)."""

    levels: list[PersonLevel]  # each member on their level, core first, then by username
    lost_regulars: list[PersonContributions]  # regulars of the 90 days before the window, silent in it


@dataclass(frozen=True)
class Dashboard:
    community: Community
    health: Health
    metrics: list[MetricRow]  # in ``metrics.METRICS`` order
    goals: list[GoalProgress]
    curve: list[CurvePoint]
    people: People | None

    @property
    def window(self) -> Window:
        return self.health.window

    @property
    def previous_window(self) -> Window:
        return self.health.previous_window

    @property
    def by_name(self) -> dict[str, MetricRow]:
        return {row.name: row for row in self.metrics}

    @property
    def groups(self) -> list[tuple[str, list[MetricRow]]]:
        """The metrics grouped as the catalogue groups them, in the catalogue's order of groups."""
        grouped: dict[str, list[MetricRow]] = {}
        for row in self.metrics:
            grouped.setdefault(row.info.group, []).append(row)
        return list(grouped.items())

    @property
    def levels(self) -> list[LevelRow]:
        """How many members on each level of participation, now and in the window before."""
        rows = self.by_name
        return [
            LevelRow(level, LEVEL_LABELS[level], int(rows[f"participation_{level}"].value or 0),
                     int(rows[f"participation_{level}"].previous or 0))
            for level in LEVELS
        ]

    @property
    def movement(self) -> list[Move]:
        """How many people went from each level to each other, for every pair of levels, core first."""
        return [Move(source, target, self.health.movement[(source, target)]) for source in LEVELS for target in LEVELS]

    @property
    def movement_rows(self) -> list[tuple[str, list[int]]]:
        """The movement table as rows (from a level) of counts (to each level), for the page."""
        return [(LEVEL_LABELS[source], [self.health.movement[(source, target)] for target in LEVELS])
                for source in LEVELS]

    @property
    def moves(self) -> dict[str, int]:
        return metrics.moves(self.health.movement)


def concentration_curve(counts: Sequence[int], points: int = CURVE_POINTS) -> list[CurvePoint]:
    """The share of all contributions made by the top N people, for N from 1 to everyone who contributed (at most
    ``points`` values of N: each of the first ten, then evenly spaced, always ending with everyone)."""
    ordered = sorted((count for count in counts if count), reverse=True)
    total = sum(ordered)
    if not total:
        return []
    wanted = set(range(1, min(10, len(ordered)) + 1))
    rest = points - len(wanted)
    if len(ordered) > 10 and rest > 0:
        step = (len(ordered) - 10) / rest
        wanted.update(10 + round(step * i) for i in range(1, rest + 1))
    wanted.add(len(ordered))
    curve, running = [], 0
    for n, count in enumerate(ordered, start=1):
        running += count
        if n in wanted:
            curve.append(CurvePoint(n, running / total))
    return curve


def health_dashboard(*, community: Community, window: Window, people: bool) -> Dashboard:
    """The dashboard of ``community`` for ``window``; with ``people`` (the caller checked ``SEE_PEOPLE``), who is on
    which level and who dropped out. A constant number of queries (see the module's docstring)."""
    health = metrics.community_health(community=community, end=window.end, days=window.days)
    rows = [
        MetricRow(CATALOGUE[name], health.metrics[name].value, health.metrics[name].previous)
        for name in metrics.METRICS
        if name in CATALOGUE
    ]
    goals = goals_progress(community=community, health=health)
    contributors = contributions_per_person(
        community=community, since=window.starts_at - metrics.SILENCE, starts_at=window.starts_at,
        ends_before=window.ends_before,
    )
    listed = None
    if people:
        order = {level: index for index, level in enumerate(LEVELS)}
        levels = [
            PersonLevel(member, health.levels[member.user_id])
            for member in members_named(community=community)
            if member.user_id in health.levels
        ]
        levels.sort(key=lambda entry: (order[entry.level], entry.member.username.lower()))
        lost = [p for p in contributors if not p.in_window and p.before >= metrics.REGULAR]
        listed = People(levels=levels, lost_regulars=lost)
    return Dashboard(
        community=community, health=health, metrics=rows, goals=goals,
        curve=concentration_curve([p.in_window for p in contributors]), people=listed,
    )
