"""The metric catalogue as people read it: each metric's label, unit, which direction is better, and one line
that says what it measures (the formulas are in ``docs/metrics.md``; the computation in ``metrics.py``).

Pages, the API's schema, CSV headers and charter goals (a goal binds to a metric by its name: a choice from
``goal_choices()``, not free text) all read this one catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["count", "share", "hours", "ratio", "people"]
Better = Literal["up", "down", "none"]


@dataclass(frozen=True)
class MetricInfo:
    name: str
    label: str
    unit: Unit
    better: Better
    help: str
    group: str


_GROUP_ACTIVITY = "Activity"
_GROUP_RESPONSIVENESS = "Responsiveness"
_GROUP_CONCENTRATION = "Concentration and diversity"
_GROUP_PARTICIPATION = "Participation"
_GROUP_MOVEMENT = "Movement"
_GROUP_KNOWLEDGE = "Knowledge"
_GROUP_RHYTHM = "Rhythm"

CATALOGUE: dict[str, MetricInfo] = {
    info.name: info
    for info in (
        MetricInfo("new_threads", "New threads", "count", "up", "Threads started in the window.", _GROUP_ACTIVITY),
        MetricInfo(
            "contributions", "Contributions", "count", "up", "Threads, replies and comments written in the window.",
            _GROUP_ACTIVITY,
        ),
        MetricInfo("contributors", "Contributors", "people", "up", "People who contributed in the window.",
                   _GROUP_ACTIVITY),
        MetricInfo("dau", "Daily active people", "people", "up", "People active on the window's last day.",
                   _GROUP_ACTIVITY),
        MetricInfo("wau", "Weekly active people", "people", "up", "People active in the window's last 7 days.",
                   _GROUP_ACTIVITY),
        MetricInfo("mau", "Monthly active people", "people", "up", "People active in the window's last 30 days.",
                   _GROUP_ACTIVITY),
        MetricInfo("dau_mau", "Stickiness (DAU/MAU)", "ratio", "up",
                   "How many of the month's active people come back on a typical day.", _GROUP_ACTIVITY),
        MetricInfo("active_members", "Active members", "people", "up",
                   "Members who contributed, read or voted in the window.", _GROUP_ACTIVITY),
        MetricInfo("reply_coverage_7d", "Reply coverage (7 days)", "share", "up",
                   "Threads answered by someone else within a week.", _GROUP_RESPONSIVENESS),
        MetricInfo("median_first_response_hours", "Median time to first response", "hours", "down",
                   "Half of the answered threads got a first response within this many hours.",
                   _GROUP_RESPONSIVENESS),
        MetricInfo("p90_first_response_hours", "Time to first response (90th percentile)", "hours", "down",
                   "Nine answered threads in ten got a first response within this many hours.",
                   _GROUP_RESPONSIVENESS),
        MetricInfo("newcomer_reply_coverage_7d", "Newcomers answered (7 days)", "share", "up",
                   "Newcomers' first threads answered by someone else within a week.", _GROUP_RESPONSIVENESS),
        MetricInfo("unanswered", "Unanswered questions", "count", "down",
                   "The window's questions with no reply by someone else yet.", _GROUP_RESPONSIVENESS),
        MetricInfo("unanswered_rate", "Unanswered rate", "share", "down",
                   "Share of the window's questions with no reply by someone else.", _GROUP_RESPONSIVENESS),
        MetricInfo("solo_thread_rate", "Solo threads", "share", "down",
                   "Share of the window's threads nobody else responded to.", _GROUP_RESPONSIVENESS),
        MetricInfo("accepted_answer_rate", "Accepted answers", "share", "up",
                   "Share of the window's questions with an accepted answer.", _GROUP_RESPONSIVENESS),
        MetricInfo("top10_share", "Top-10 share", "share", "none",
                   "Share of contributions made by the 10 most active people (30–55% healthy, over 70% fragile).",
                   _GROUP_CONCENTRATION),
        MetricInfo("absence_factor", "Absence factor", "people", "up",
                   "The fewest people who make half of the contributions.", _GROUP_CONCENTRATION),
        MetricInfo("elephant_factor", "Elephant factor", "count", "up",
                   "The fewest organisations whose people make half of the contributions.", _GROUP_CONCENTRATION),
        MetricInfo("participation_core", "Core", "people", "up",
                   "Coordinators, core members and the top contributors.", _GROUP_PARTICIPATION),
        MetricInfo("participation_active", "Active", "people", "up", "Members with 4 or more contributions.",
                   _GROUP_PARTICIPATION),
        MetricInfo("participation_occasional", "Occasional", "people", "up", "Members with 1 to 3 contributions.",
                   _GROUP_PARTICIPATION),
        MetricInfo("participation_peripheral", "Peripheral", "people", "none",
                   "Members who read or voted but did not contribute.", _GROUP_PARTICIPATION),
        MetricInfo("participation_inactive", "Inactive", "people", "down", "Members with no activity at all.",
                   _GROUP_PARTICIPATION),
        MetricInfo("new_contributors", "New contributors", "people", "up",
                   "People whose first contribution is in the window.", _GROUP_MOVEMENT),
        MetricInfo("reactivated_contributors", "Reactivated contributors", "people", "up",
                   "People back after 90 days or more of silence.", _GROUP_MOVEMENT),
        MetricInfo("lost_regulars", "Lost regulars", "people", "down",
                   "Regulars of the 90 days before the window with no contribution in it.", _GROUP_MOVEMENT),
        MetricInfo("net_contributor_change", "Net contributor change", "people", "up",
                   "New plus reactivated contributors, minus lost regulars.", _GROUP_MOVEMENT),
        MetricInfo("knowledge_created", "Knowledge items created", "count", "up",
                   "Knowledge items started in the window, drafts included.", _GROUP_KNOWLEDGE),
        MetricInfo("knowledge_published", "Knowledge items published", "count", "up",
                   "Knowledge items published for the first time in the window.", _GROUP_KNOWLEDGE),
        MetricInfo("knowledge_endorsed", "Knowledge items endorsed", "count", "up",
                   "Knowledge items that received an endorsement in the window.", _GROUP_KNOWLEDGE),
        MetricInfo("knowledge_reuse", "Knowledge reused", "count", "up",
                   "“This helped me” marks given in the window.", _GROUP_KNOWLEDGE),
        MetricInfo("knowledge_views", "Knowledge views", "count", "up",
                   "Knowledge item reads in the window (each person, item and day once).", _GROUP_KNOWLEDGE),
        MetricInfo("knowledge_past_review_share", "Knowledge past its review date", "share", "down",
                   "Share of the published items whose review date had come at the window's end.",
                   _GROUP_KNOWLEDGE),
        MetricInfo("knowledge_captured_share", "Knowledge captured from practice", "share", "up",
                   "Share of the window's new items captured from a thread or a meeting's notes.",
                   _GROUP_KNOWLEDGE),
        MetricInfo("contributor_evenness_organisation", "Contributors' evenness by organisation", "ratio", "up",
                   "How evenly the window's contributors spread over organisations (1: evenly).",
                   _GROUP_CONCENTRATION),
        MetricInfo("contributor_evenness_discipline", "Contributors' evenness by discipline", "ratio", "up",
                   "How evenly the window's contributors spread over disciplines (1: evenly).", _GROUP_CONCENTRATION),
        MetricInfo("contributor_evenness_location", "Contributors' evenness by location", "ratio", "up",
                   "How evenly the window's contributors spread over locations (1: evenly).", _GROUP_CONCENTRATION),
        MetricInfo("member_evenness_organisation", "Members' evenness by organisation", "ratio", "none",
                   "How evenly the members spread over organisations, to compare with the contributors'.",
                   _GROUP_CONCENTRATION),
        MetricInfo("member_evenness_discipline", "Members' evenness by discipline", "ratio", "none",
                   "How evenly the members spread over disciplines, to compare with the contributors'.",
                   _GROUP_CONCENTRATION),
        MetricInfo("member_evenness_location", "Members' evenness by location", "ratio", "none",
                   "How evenly the members spread over locations, to compare with the contributors'.",
                   _GROUP_CONCENTRATION),
        MetricInfo("meetings_planned", "Meetings planned", "count", "none",
                   "Meetings the charter's cadence plans in the window (e.g. monthly: one a month).", _GROUP_RHYTHM),
        MetricInfo("meetings_held", "Meetings held", "count", "up",
                   "Meetings of the community that took place in the window (cancelled ones left out).",
                   _GROUP_RHYTHM),
        MetricInfo("attendance_rate", "Attendance rate", "share", "up",
                   "Of the people who said yes to the window's past meetings, the share marked as present.",
                   _GROUP_RHYTHM),
        MetricInfo("actions_closed_on_time", "Actions closed on time", "share", "up",
                   "Meeting actions due in the window that were done by their due date.", _GROUP_RHYTHM),
    )
}


def info(name: str) -> MetricInfo:
    """The catalogue entry of a metric (KeyError for a name not in it)."""
    return CATALOGUE[name]


def goal_choices() -> list[tuple[str, str]]:
    """(name, label) of every metric a charter goal may bind to, for forms and the API."""
    return [(entry.name, entry.label) for entry in CATALOGUE.values()]
