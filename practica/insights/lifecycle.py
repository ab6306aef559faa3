"""The lifecycle stage a community's health suggests (potential, coalescing, maturing, stewardship,
transformation: ``communities.models.Stage``), with its reasons, and a coordinator's confirmation or override,
which enters the community's history through the communities service that edits a community.

The rules, over a health window (``metrics.Health``; *contributors* and the other names are its metrics; *age*
is the days from the community's creation to the window's end; *members* the active members in the window, all
levels of participation together). The first that applies is the suggestion:

1. **transformation**: at least ``FADING_AGE_DAYS`` (365) old, and its contributors fell to half or fewer of the
   previous window's, which had at least ``FADING_FROM`` (6): an established community losing its energy closes,
   merges or changes focus.
2. **potential**: fewer than ``POTENTIAL_MEMBERS`` (5) members, or fewer than ``POTENTIAL_CONTRIBUTORS`` (3)
   contributors: people are still finding each other.
3. **coalescing**: younger than ``COALESCING_DAYS`` (180 days), or fewer than ``CORE_CONTRIBUTORS`` (10)
   contributors: a core group is forming and finding the value of sharing.
4. **stewardship**: at least ``STEWARDSHIP_AGE_DAYS`` (730) old, reply coverage (7 days) at least
   ``STEWARDSHIP_COVERAGE`` (0.75), new contributors in the window (it renews itself), contributors at least
   ``STEWARDSHIP_KEPT`` (75%) of the previous window's (momentum kept), and, where the catalogue measures it,
   knowledge published in the window.
5. **maturing**: every other community with a core group: growing, defining its practice and its knowledge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from practica.communities import permissions as community_permissions
from practica.communities import services as community_services
from practica.communities.models import Community, Stage
from practica.insights.metrics import Health

if TYPE_CHECKING:
    from practica.accounts.models import User
    from practica.communities.permissions import Access

FADING_AGE_DAYS = 365
FADING_FROM = 6
POTENTIAL_MEMBERS = 5
POTENTIAL_CONTRIBUTORS = 3
COALESCING_DAYS = 180
CORE_CONTRIBUTORS = 10
STEWARDSHIP_AGE_DAYS = 730
STEWARDSHIP_COVERAGE = 0.75
STEWARDSHIP_KEPT = 0.75
KNOWLEDGE_METRIC = "knowledge_published"  # used when the health computes it

PARTICIPATION = ("participation_core", "participation_active", "participation_occasional",
                 "participation_peripheral", "participation_inactive")


@dataclass(frozen=True)
class Suggestion:
    """The stage the metrics suggest, and why, one sentence a coordinator reads per reason."""

    stage: str
    reasons: list[str]

    @property
    def label(self) -> str:
        return Stage(self.stage).label


def _value(health: Health, name: str) -> float | None:
    metric = health.metrics.get(name)
    return float(metric.value) if metric is not None and metric.value is not None else None


def _previous(health: Health, name: str) -> float | None:
    metric = health.metrics.get(name)
    return float(metric.previous) if metric is not None and metric.previous is not None else None


def _n(value: float | None) -> str:
    return f"{value:g}" if value is not None else "no"


def _people(value: float, word: str) -> str:
    return f"{value:g} {word}" if value != 1 else f"1 {word[:-1]}"


def suggest_stage(*, community: Community, health: Health) -> Suggestion:
    """The stage ``health`` suggests for ``community`` by the rules above (no query)."""
    days = health.window.days
    age = (health.window.end - community.created_at.date()).days
    members = sum(_value(health, name) or 0 for name in PARTICIPATION)
    contributors = _value(health, "contributors") or 0
    before = _previous(health, "contributors") or 0
    coverage = _value(health, "reply_coverage_7d")
    newcomers = _value(health, "new_contributors") or 0
    knowledge = _value(health, KNOWLEDGE_METRIC) if KNOWLEDGE_METRIC in health.metrics else None
    old = f"It is {age} days old"

    if age >= FADING_AGE_DAYS and before >= FADING_FROM and contributors <= before / 2:
        return Suggestion(Stage.TRANSFORMATION, [
            f"Contributors fell from {_n(before)} to {_n(contributors)} between the last two {days}-day windows "
            f"(half or fewer).",
            f"{old}: an established community losing its energy is closing, merging or changing its focus.",
        ])
    if members < POTENTIAL_MEMBERS or contributors < POTENTIAL_CONTRIBUTORS:
        return Suggestion(Stage.POTENTIAL, [
            f"{_people(members, 'members')} and {_people(contributors, 'contributors')} in the last {days} days (a core group "
            f"needs at least {POTENTIAL_MEMBERS} members and {POTENTIAL_CONTRIBUTORS} contributors).",
            "People are still finding each other and the domain they share.",
        ])
    if age < COALESCING_DAYS or contributors < CORE_CONTRIBUTORS:
        reasons = []
        if age < COALESCING_DAYS:
            reasons.append(f"{old} (younger than {COALESCING_DAYS} days).")
        if contributors < CORE_CONTRIBUTORS:
            reasons.append(
                f"{_n(contributors)} contributors in the last {days} days (fewer than {CORE_CONTRIBUTORS})."
            )
        reasons.append("A core group is forming and finding the value of sharing.")
        return Suggestion(Stage.COALESCING, reasons)

    grown = [
        f"{_n(contributors)} contributors in the last {days} days ({CORE_CONTRIBUTORS} or more).",
        f"{old} ({COALESCING_DAYS} days or more).",
    ]
    missing = []
    if age < STEWARDSHIP_AGE_DAYS:
        missing.append(f"younger than {STEWARDSHIP_AGE_DAYS} days")
    if coverage is None or coverage < STEWARDSHIP_COVERAGE:
        missing.append(f"reply coverage {_n(coverage)} is under {STEWARDSHIP_COVERAGE:g}")
    if newcomers < 1:
        missing.append("no new contributors in the window")
    if before and contributors < STEWARDSHIP_KEPT * before:
        missing.append(f"contributors fell from {_n(before)} to {_n(contributors)}")
    if KNOWLEDGE_METRIC in health.metrics and not knowledge:
        missing.append("no knowledge published in the window")
    if not missing:
        return Suggestion(Stage.STEWARDSHIP, [
            *grown,
            f"Reply coverage {_n(coverage)} ({STEWARDSHIP_COVERAGE:g} or more), {_n(newcomers)} new contributors, "
            f"and its contributors held ({_n(before)} before).",
            "A well-established community keeping its momentum and its relevance.",
        ])
    return Suggestion(Stage.MATURING, [
        *grown,
        f"Not yet stewardship: {'; '.join(missing)}.",
        "A growing community defining its practice and its knowledge.",
    ])


@dataclass(frozen=True)
class LifecyclePanel:
    """What ``insights/_lifecycle.html`` shows (the health page's context variable ``lifecycle``)."""

    community: Community
    suggestion: Suggestion
    may_set: bool  # the viewer may confirm or override it (coordinators, network admins)
    errors: list[str] = field(default_factory=list)

    @property
    def current(self) -> str:
        return self.community.stage

    @property
    def current_label(self) -> str:
        return Stage(self.community.stage).label

    @property
    def agrees(self) -> bool:
        return self.community.stage == self.suggestion.stage

    @property
    def stages(self) -> list[tuple[str, str]]:
        return list(Stage.choices)


def lifecycle_panel(*, community: Community, health: Health, access: Access, errors: list[str] | None = None
                    ) -> LifecyclePanel:
    """The lifecycle panel of the health page for this viewer (no query)."""
    return LifecyclePanel(
        community=community, suggestion=suggest_stage(community=community, health=health),
        may_set=community_permissions.EDIT_COMMUNITY(access), errors=errors or [],
    )


def stage_summary(*, old: str, new: str, suggested: str) -> str:
    """The history's words for a stage set from the health page."""
    if new == suggested:
        return f"Stage: {old} → {new} (suggested by the health metrics)"
    return f"Stage: {old} → {new} (set by a coordinator; the health metrics suggested {suggested})"


def stage_set(*, community: Community, actor: User, stage: str, suggestion: Suggestion) -> Community:
    """Confirm or override the suggested stage: the communities service that edits a community checks the
    actor's right (``EDIT_COMMUNITY``), validates the stage and records the change in the community's history.
    Setting the stage it already has changes nothing and records nothing."""
    summary = stage_summary(old=community.stage, new=stage, suggested=suggestion.stage)
    fields: dict[str, Any] = {"stage": stage}
    return community_services.community_update(community=community, actor=actor, summary=summary, **fields)
