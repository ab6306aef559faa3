"""CSV exports of the health page's tables: the same numbers as the page and the API, one file per table, named
after the community and the window. The people tables (who is on which level, the lost regulars) are for those
who may see people (``SEE_PEOPLE``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from practica.insights.dashboard import Dashboard


@dataclass(frozen=True)
class Table:
    """One exportable table: its header, its rows from a dashboard, and whether it names people."""

    header: list[str]
    rows: Callable[[Dashboard], Iterable[list[Any]]]
    people: bool = False


def _metrics(d: Dashboard) -> Iterable[list[Any]]:
    for row in d.metrics:
        yield [row.info.group, row.name, row.info.label, row.info.unit, row.info.better, row.value, row.previous,
               row.change, row.verdict]


def _goals(d: Dashboard) -> Iterable[list[Any]]:
    for goal in d.goals:
        yield [goal.goal_id, goal.description, goal.metric, goal.target, goal.due_date, goal.value, goal.previous,
               goal.projected, goal.status, goal.reason]


def _levels(d: Dashboard) -> Iterable[list[Any]]:
    assert d.people is not None
    for entry in d.people.levels:
        yield [entry.member.username, entry.member.name, entry.member.role, entry.level]


def _lost(d: Dashboard) -> Iterable[list[Any]]:
    assert d.people is not None
    for person in d.people.lost_regulars:
        yield [person.username, person.name, person.before]


TABLES: dict[str, Table] = {
    "metrics": Table(["group", "metric", "label", "unit", "better", "value", "previous", "change", "verdict"],
                     _metrics),
    "participation": Table(["level", "label", "count", "previous"],
                           lambda d: ([row.level, row.label, row.count, row.previous] for row in d.levels)),
    "movement": Table(["from", "to", "count"], lambda d: ([m.source, m.target, m.count] for m in d.movement)),
    "goals": Table(["goal_id", "description", "metric", "target", "due_date", "value", "previous", "projected",
                    "status", "reason"], _goals),
    "concentration": Table(["people", "share"], lambda d: ([p.people, p.share] for p in d.curve)),
    "people": Table(["username", "name", "role", "level"], _levels, people=True),
    "lost_regulars": Table(["username", "name", "contributions_before"], _lost, people=True),
}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A text a spreadsheet would run as a formula (``=HYPERLINK(...)`` as someone's name) is kept as text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def table_csv(name: str, dashboard: Dashboard) -> str:
    """The table ``name`` of ``TABLES`` as CSV text, header first."""
    table = TABLES[name]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.header)
    for row in table.rows(dashboard):
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def filename(name: str, dashboard: Dashboard) -> str:
    window = dashboard.window
    return f"{dashboard.community.slug}-health-{name}-{window.start.isoformat()}-{window.end.isoformat()}.csv"
