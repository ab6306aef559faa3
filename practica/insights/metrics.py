"""The metric catalogue: a community's health over a window of UTC days, and over the window before it.

Every definition is in ``docs/metrics.md``; the names here are the API's (``METRICS``). Everything is computed
as known at the end of the window (a reply written after it does not count), so the numbers of a past window
never change. The cost is a constant number of queries (``QUERIES_PER_WINDOW`` per window) whatever the
community's size: counts are aggregated in the database, and only compact value lists come back (one row per
thread of the window, one per contributor), never model instances.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import Case, When

from practica.communities.models import Community, Membership, MembershipState, Role
from practica.discussions.models import Comment, Post, Thread, ThreadKind, Vote
from practica.insights import rhythm
from practica.insights.models import DailyActivity
from practica.insights.selectors import contributions
from practica.knowledge.models import Endorsement, HelpfulMark, ItemView, KnowledgeItem, KnowledgeStatus
from practica.people.models import Organization

DEFAULT_DAYS = 90
RESPONSE_WINDOW = timedelta(hours=7 * 24)
TOP_CONTRIBUTORS = 10
STICKINESS_DAYS = 30  # DAU/MAU is read over the last 30 days of the window, whatever its length
SILENCE = timedelta(days=90)  # back after this long without contributing: reactivated
REGULAR = 4  # contributions in a window (or in the SILENCE before it) that make a regular
LEVELS = ("core", "active", "occasional", "peripheral", "inactive")
QUERIES_PER_WINDOW = 7 + rhythm.QUERIES  # the rhythm reads events: practica/insights/rhythm.py
MAX_DAYS = 3660  # ten years
EARLIEST = date(1970, 1, 1)

METRICS: tuple[str, ...] = (
    "new_threads",
    "contributions",
    "contributors",
    "top10_share",
    "absence_factor",
    "elephant_factor",
    "reply_coverage_7d",
    "median_first_response_hours",
    "p90_first_response_hours",
    "newcomer_reply_coverage_7d",
    "unanswered",
    "unanswered_rate",
    "solo_thread_rate",
    "accepted_answer_rate",
    "dau",
    "wau",
    "mau",
    "dau_mau",
    "active_members",
    "participation_core",
    "participation_active",
    "participation_occasional",
    "participation_peripheral",
    "participation_inactive",
    "new_contributors",
    "reactivated_contributors",
    "lost_regulars",
    "net_contributor_change",
    "knowledge_created",
    "knowledge_published",
    "knowledge_endorsed",
    "knowledge_reuse",
    "knowledge_views",
    "knowledge_past_review_share",
    "knowledge_captured_share",
    "contributor_evenness_organisation",
    "contributor_evenness_discipline",
    "contributor_evenness_location",
    "member_evenness_organisation",
    "member_evenness_discipline",
    "member_evenness_location",
    *rhythm.RHYTHM_METRICS,
)
# The profile fields people are grouped by for the evenness measures and ``voices_by_group``.
GROUP_FIELDS: tuple[str, ...] = ("organisation", "discipline", "location")

Number = int | float | None


@dataclass(frozen=True)
class Window:
    """``days`` UTC days ending with ``end``, inclusive: from ``start`` 00:00:00 UTC to the moment before
    ``end + 1 day`` 00:00:00 UTC."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def starts_at(self) -> datetime:
        return datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)

    @property
    def ends_before(self) -> datetime:
        """The first moment after the window (exclusive bound)."""
        after = self.end + timedelta(days=1)
        return datetime(after.year, after.month, after.day, tzinfo=UTC)

    def previous(self) -> Window:
        """The window of the same length that ends the day before this one starts."""
        return window_ending(self.start - timedelta(days=1), self.days)


def window_ending(end: date, days: int = DEFAULT_DAYS) -> Window:
    """The ``days`` UTC days ending with ``end``. ValueError (with a message for the person who asked) for a
    length outside 1..``MAX_DAYS`` or a window that would start before ``EARLIEST``."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"A window has from 1 to {MAX_DAYS} days.")
    if end - EARLIEST < timedelta(days=2 * days):  # this window and the one before it
        raise ValueError(f"The window and the one before it must start on {EARLIEST.isoformat()} or later.")
    return Window(start=end - timedelta(days=days - 1), end=end)


@dataclass(frozen=True)
class Metric:
    """One metric's value for the window and for the previous window of the same length (None: undefined,
    e.g. a share of nothing)."""

    value: Number
    previous: Number


@dataclass(frozen=True)
class Health:
    """A community's metrics for a window and the one before; each member's level of participation in the
    window (user id -> level: for coordinators only, never for members' eyes); and the movement between levels
    from the previous window to this one (``movement``)."""

    window: Window
    previous_window: Window
    metrics: dict[str, Metric]
    levels: dict[int, str]
    movement: dict[tuple[str, str], int]


def community_health(*, community: Community, end: date | None = None, days: int = DEFAULT_DAYS) -> Health:
    """Every metric of ``METRICS`` for ``community`` over the ``days`` UTC days ending with ``end`` (today, UTC,
    by default) and over the window before it. ``2 * QUERIES_PER_WINDOW`` queries."""
    window = window_ending(end or datetime.now(UTC).date(), days)
    previous = window.previous()
    (current_values, current_levels), (previous_values, previous_levels) = (
        _window(community, window), _window(community, previous)
    )
    metrics = {name: Metric(value=current_values[name], previous=previous_values[name]) for name in METRICS}
    return Health(
        window=window, previous_window=previous, metrics=metrics, levels=current_levels,
        movement=movement(previous_levels, current_levels),
    )


def window_metrics(community: Community, window: Window) -> dict[str, Number]:
    """Every metric of ``METRICS`` for one window (``QUERIES_PER_WINDOW`` queries)."""
    return _window(community, window)[0]


def _window(community: Community, window: Window) -> tuple[dict[str, Number], dict[int, str]]:
    """The window's metrics, and each member's level of participation in it (user id -> level)."""
    values: dict[str, Number] = {}
    values.update(_responsiveness(_window_threads(community, window)))
    people = _contributors(community, window)
    members = _members(community, window, people)
    values.update(_concentration(people))
    levels = _levels(people, members)
    values.update(_participation(people, members, levels))
    values.update(_regulars(people, members))
    values.update(_activity(community, window))
    values.update(_knowledge(community, window))
    values.update(_diversity(people, members))
    values.update(rhythm.rhythm_metrics(community, window))
    return values, levels


def movement(before: dict[int, str], after: dict[int, str]) -> dict[tuple[str, str], int]:
    """How many people went from each level of participation to each other from one window to the next
    (``(from, to) -> count``, every pair of ``LEVELS``); someone who was no member in a window counts as inactive
    in it."""
    table = {(source, target): 0 for source in LEVELS for target in LEVELS}
    for user_id in before.keys() | after.keys():
        table[(before.get(user_id, "inactive"), after.get(user_id, "inactive"))] += 1
    return table


def moves(table: dict[tuple[str, str], int]) -> dict[str, int]:
    """The movement table summed up: promoted (to a higher level), held (the same level, inactive excepted) and
    dropped (to a lower level)."""
    rank = {level: index for index, level in enumerate(reversed(LEVELS))}  # inactive 0 .. core 4
    summary = {"promoted": 0, "held": 0, "dropped": 0}
    for (source, target), count in table.items():
        if rank[target] > rank[source]:
            summary["promoted"] += count
        elif rank[target] < rank[source]:
            summary["dropped"] += count
        elif source != "inactive":
            summary["held"] += count
    return summary


# --- Shares, medians and percentiles ---------------------------------------------------------------------------


def share(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to take a share of."""
    return part / whole if whole else None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The ``fraction`` percentile of ``values`` by linear interpolation between the two nearest ranks (the
    "inclusive" method: numpy's default, PostgreSQL's ``percentile_cont``); the median for 0.5. None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def fewest_reaching_half(counts: Sequence[int]) -> int | None:
    """The fewest of ``counts`` (largest first) whose sum reaches half of the total; None if the total is 0."""
    total = sum(counts)
    if not total:
        return None
    reached = 0
    for taken, count in enumerate(sorted(counts, reverse=True), start=1):
        reached += count
        if 2 * reached >= total:
            return taken
    return None  # not reached: counts are not negative


# --- Responsiveness: one row per thread of the window ----------------------------------------------------------


def _is_someone_else(author_field: str) -> Any:
    """A reply's or comment's author differs from the thread's (``OuterRef("author_id")``). A thread by a
    deleted account (author None): any known person is someone else; a reply by a deleted account under a known
    person's thread is someone else's too; when both are unknown, nobody can tell, and it does not count."""
    return Q(**{f"{author_field}__lt": OuterRef("author_id")}) | Q(**{f"{author_field}__gt": OuterRef("author_id")})


def _first(queryset: QuerySet[Any]) -> Subquery:
    return Subquery(queryset.order_by("created_at").values("created_at")[:1], output_field=DateTimeField())


def _first_by_someone_else(replies: QuerySet[Any], author_field: str) -> Case:
    """The first of ``replies`` (a subquery on the thread, ``OuterRef("pk")``) written by someone other than the
    thread's author, as a datetime or NULL."""
    return Case(
        When(author_id__isnull=True, then=_first(replies.filter(**{f"{author_field}__isnull": False}))),
        default=_first(replies.filter(Q(**{f"{author_field}__isnull": True}) | _is_someone_else(author_field))),
        output_field=DateTimeField(),
    )


@dataclass(frozen=True)
class _ThreadRow:
    author_id: int | None
    kind: str
    created_at: datetime
    first_reply_at: datetime | None  # first reply (post) by someone else, by the end of the window
    first_comment_at: datetime | None  # first comment by someone else, by the end of the window
    authors_first: bool  # the author's first thread in the community
    accepted: bool  # a question with an accepted answer written by the end of the window

    @property
    def first_response_at(self) -> datetime | None:
        times = [t for t in (self.first_reply_at, self.first_comment_at) if t is not None]
        return min(times) if times else None


def thread_responses(community: Community, window: Window) -> QuerySet[Any]:
    """The standing threads created in the window (not deleted, not hidden), each with its first reply and first
    comment by someone else and when its accepted answer was written, as known at the end of the window:
    ``(author_id, kind, created_at, first_reply_at, first_comment_at, authors_first, accepted_at)``. One query; also
    read by the back-fill of history (``series.py``) for one long window."""
    before_end = window.ends_before
    replies = Post.objects.filter(
        thread_id=OuterRef("pk"), is_opening=False, deleted_at=None, is_hidden=False, created_at__lt=before_end
    )
    comments = Comment.objects.filter(
        post__thread_id=OuterRef("pk"), post__deleted_at=None, post__is_hidden=False, deleted_at=None,
        created_at__lt=before_end,
    )
    earlier = Thread.objects.filter(community=community, author_id=OuterRef("author_id")).filter(
        Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id"))
    )
    accepted = Post.objects.filter(pk=OuterRef("accepted_post_id"), deleted_at=None, created_at__lt=before_end)
    return (
        Thread.objects.filter(
            community=community, deleted_at=None, is_hidden=False,
            created_at__gte=window.starts_at, created_at__lt=before_end,
        )
        .order_by()
        .annotate(
            first_reply_at=_first_by_someone_else(replies, "author_id"),
            first_comment_at=_first_by_someone_else(comments, "author_id"),
            authors_first=Case(When(author_id__isnull=True, then=False), default=~Exists(earlier)),
            accepted_at=Subquery(accepted.values("created_at")[:1], output_field=DateTimeField()),
        )
        .values_list(
            "author_id", "kind", "created_at", "first_reply_at", "first_comment_at", "authors_first", "accepted_at"
        )
    )


def _window_threads(community: Community, window: Window) -> list[_ThreadRow]:
    """The window's threads as the responsiveness metrics read them (``thread_responses``). One query."""
    return [
        _ThreadRow(author, kind, created, reply, comment, first, accepted_at is not None)
        for author, kind, created, reply, comment, first, accepted_at in thread_responses(community, window)
    ]


def _hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def _covered(thread: _ThreadRow) -> bool:
    first = thread.first_response_at
    return first is not None and first - thread.created_at <= RESPONSE_WINDOW


def _responsiveness(threads: list[_ThreadRow]) -> dict[str, Number]:
    hours = [_hours(t.created_at, t.first_response_at) for t in threads if t.first_response_at is not None]
    firsts = [t for t in threads if t.authors_first]
    questions = [t for t in threads if t.kind == ThreadKind.QUESTION]
    unanswered = sum(1 for t in questions if t.first_reply_at is None)
    return {
        "new_threads": len(threads),
        "reply_coverage_7d": share(sum(1 for t in threads if _covered(t)), len(threads)),
        "median_first_response_hours": percentile(hours, 0.5),
        "p90_first_response_hours": percentile(hours, 0.9),
        "newcomer_reply_coverage_7d": share(sum(1 for t in firsts if _covered(t)), len(firsts)),
        "unanswered": unanswered,
        "unanswered_rate": share(unanswered, len(questions)),
        "solo_thread_rate": share(sum(1 for t in threads if t.first_response_at is None), len(threads)),
        "accepted_answer_rate": share(sum(1 for t in questions if t.accepted), len(questions)),
    }


# --- Contributions: one row per person and kind of contribution ------------------------------------------------


@dataclass
class Contributor:
    """A person's contributions in the window and in the ``SILENCE`` before it."""

    user_id: int
    organization_id: int | None
    discipline: str = ""  # as written on the profile (``group_key`` folds the spelling)
    location: str = ""
    in_window: int = 0
    before: int = 0  # in the 90 days before the window
    first_in_window: datetime | None = None
    last_before: datetime | None = None  # the last in the 90 days before the window


def contributions_in(community: Community, window: Window) -> QuerySet[Any]:
    """The contributions (``selectors.contributions``) from 90 days before the window to its end, per person and
    kind, as one ``UNION ALL`` query: ``(author_id, organization_id, in_window, before, first_in_window,
    last_before, discipline, location)`` (the last two from the author's profile)."""
    since = window.starts_at - SILENCE
    inside, before = Q(created_at__gte=window.starts_at), Q(created_at__lt=window.starts_at)
    kinds = contributions(community=community).filter(created_at__gte=since, created_at__lt=window.ends_before)
    parts = [
        qs.order_by()
        .values(
            "author_id", "author__profile__organization_id", "author__profile__discipline",
            "author__profile__location",
        )
        .annotate(
            in_window=Count("id", filter=inside),
            before=Count("id", filter=before),
            first_in_window=Min("created_at", filter=inside),
            last_before=Max("created_at", filter=before),
        )
        .values_list("author_id", "author__profile__organization_id", "in_window", "before", "first_in_window",
                     "last_before", "author__profile__discipline", "author__profile__location")
        for qs in kinds
    ]
    return parts[0].union(parts[1], parts[2], all=True)


def _earliest(*times: datetime | None) -> datetime | None:
    known = [t for t in times if t is not None]
    return min(known) if known else None


def _latest(*times: datetime | None) -> datetime | None:
    known = [t for t in times if t is not None]
    return max(known) if known else None


def _contributors(community: Community, window: Window) -> dict[int, Contributor]:
    people: dict[int, Contributor] = {}
    rows = contributions_in(community, window)
    for user_id, organization_id, in_window, before, first_in, last_before, discipline, location in rows:
        person = people.setdefault(user_id, Contributor(user_id, organization_id, discipline or "", location or ""))
        person.in_window += in_window
        person.before += before
        person.first_in_window = _earliest(person.first_in_window, first_in)
        person.last_before = _latest(person.last_before, last_before)
    return people


def _core_threshold(counts: Sequence[int]) -> int | None:
    """The contributions of the last of the fewest people who make half of all (the absence factor's people):
    whoever has at least as many is core. None when nobody contributed."""
    taken = fewest_reaching_half(counts)
    return sorted(counts, reverse=True)[taken - 1] if taken else None


def _concentration(people: dict[int, Contributor]) -> dict[str, Number]:
    counts = sorted((p.in_window for p in people.values() if p.in_window), reverse=True)
    total = sum(counts)
    by_organization: dict[int, int] = {}
    for person in people.values():
        if person.organization_id is not None and person.in_window:
            by_organization[person.organization_id] = by_organization.get(person.organization_id, 0) + person.in_window
    return {
        "contributions": total,
        "contributors": len(counts),
        "top10_share": share(sum(counts[:TOP_CONTRIBUTORS]), total),
        "absence_factor": fewest_reaching_half(counts),
        "elephant_factor": fewest_reaching_half(list(by_organization.values())),
    }


# --- Activity: DailyActivity and membership --------------------------------------------------------------------


def _activity(community: Community, window: Window) -> dict[str, Number]:
    """DAU (people active on the last day), WAU (last 7 days), MAU (last 30 days) and stickiness: the mean of
    the daily active people over the last 30 days divided by MAU. One query."""
    end = window.end
    last = {n: Q(day__gt=end - timedelta(days=n), day__lte=end) for n in (1, 7, STICKINESS_DAYS)}
    counts = DailyActivity.objects.filter(community=community, **{"day__gt": end - timedelta(days=STICKINESS_DAYS),
                                                                  "day__lte": end}).aggregate(
        dau=Count("user", distinct=True, filter=last[1]),
        wau=Count("user", distinct=True, filter=last[7]),
        mau=Count("user", distinct=True, filter=last[STICKINESS_DAYS]),
        person_days=Count("id"),
    )
    mau = counts["mau"]
    return {
        "dau": counts["dau"],
        "wau": counts["wau"],
        "mau": mau,
        "dau_mau": share(counts["person_days"], STICKINESS_DAYS * mau),
    }


@dataclass(frozen=True)
class _MemberRow:
    user_id: int
    role: str
    is_member: bool  # an active membership, joined by the end of the window (when the date is known)
    read: bool  # a day of activity in the window (DailyActivity)
    reacted: bool  # voted in the window
    contributed_long_before: bool  # a contribution more than 90 days before the window
    organization_id: int | None = None  # from the profile, for the evenness of the membership
    discipline: str = ""
    location: str = ""


def _members(community: Community, window: Window, people: dict[int, Contributor]) -> list[_MemberRow]:
    """Everyone with a membership of the community, whatever its state (people who left can be lost regulars),
    with what they did in the window beyond contributing. Three queries whatever the community's size: the
    memberships; who read (a day of activity) or voted in the window, one ``UNION``; and which of the window's
    contributors without a contribution in the ``SILENCE`` before it contributed earlier still (``_long_before``).
    Grouped reads rather than a subquery per membership: on 10,000 members, four correlated subqueries each cost
    most of a second."""
    present = _present(community, window)
    long_before = _long_before(community, window, people)
    is_member = Q(state=MembershipState.ACTIVE) & (Q(joined_at__isnull=True) | Q(joined_at__lt=window.ends_before))
    rows = (
        Membership.objects.filter(community=community)
        .order_by()
        .annotate(is_member=ExpressionWrapper(is_member, output_field=BooleanField()))
        .values_list(
            "user_id", "role", "is_member", "user__profile__organization_id", "user__profile__discipline",
            "user__profile__location",
        )
    )
    return [
        _MemberRow(
            user_id, role, is_member, read=user_id in present, reacted=False,
            contributed_long_before=user_id in long_before, organization_id=organization_id,
            discipline=discipline or "", location=location or "",
        )
        for user_id, role, is_member, organization_id, discipline, location in rows
    ]


def _present(community: Community, window: Window) -> set[int]:
    """Who had a day of activity (read) or voted in the window: one ``UNION`` of two distinct lists."""
    readers = DailyActivity.objects.filter(
        community=community, day__gte=window.start, day__lte=window.end
    ).order_by().values_list("user_id")
    voters = Vote.objects.filter(
        post__thread__community=community, created_at__gte=window.starts_at, created_at__lt=window.ends_before
    ).order_by().values_list("user_id")
    return {user_id for (user_id,) in readers.union(voters)}


def _long_before(community: Community, window: Window, people: dict[int, Contributor]) -> set[int]:
    """Which of the window's contributors with no contribution in the ``SILENCE`` before it had contributed before
    that (back, not new): one ``UNION`` over the few people it can be, run even when there is nobody to ask so that
    the number of queries never depends on the data."""
    candidates = [p.user_id for p in people.values() if p.in_window and p.last_before is None] or [0]
    earlier = contributions(community=community).filter(
        author_id__in=candidates, created_at__lt=window.starts_at - SILENCE
    )
    parts = [qs.order_by().values_list("author_id") for qs in earlier]
    return {user_id for (user_id,) in parts[0].union(parts[1], parts[2])}


def _levels(people: dict[int, Contributor], members: list[_MemberRow]) -> dict[int, str]:
    """Each member on one level, the first that fits: core (coordinator or core member by role, or among the
    fewest people who make half the contributions, ties included), active (``REGULAR`` contributions or more),
    occasional (fewer), peripheral (read or reacted only), inactive."""
    threshold = _core_threshold([p.in_window for p in people.values() if p.in_window])
    levels: dict[int, str] = {}
    for member in members:
        if not member.is_member:
            continue
        contributed = people[member.user_id].in_window if member.user_id in people else 0
        if member.role in (Role.COORDINATOR, Role.CORE) or (threshold and contributed >= threshold):
            levels[member.user_id] = "core"
        elif contributed >= REGULAR:
            levels[member.user_id] = "active"
        elif contributed:
            levels[member.user_id] = "occasional"
        elif member.read or member.reacted:
            levels[member.user_id] = "peripheral"
        else:
            levels[member.user_id] = "inactive"
    return levels


def _participation(
    people: dict[int, Contributor], members: list[_MemberRow], levels: dict[int, str]
) -> dict[str, Number]:
    """How many members on each level, and the active members: with a contribution, a read or a vote."""
    counts = dict.fromkeys(LEVELS, 0)
    for level in levels.values():
        counts[level] += 1
    values: dict[str, Number] = {f"participation_{level}": count for level, count in counts.items()}
    values["active_members"] = sum(
        1 for m in members
        if m.is_member and (m.read or m.reacted or (m.user_id in people and people[m.user_id].in_window))
    )
    return values


def _regulars(people: dict[int, Contributor], members: list[_MemberRow]) -> dict[str, Number]:
    """New contributors (their first contribution ever is in the window), reactivated ones (their previous
    contribution was ``SILENCE`` or more before their first in the window) and lost regulars (``REGULAR`` or more
    contributions in the ``SILENCE`` before the window, none in it)."""
    long_before = {m.user_id for m in members if m.contributed_long_before}
    new = reactivated = lost = 0
    for person in people.values():
        if person.in_window and person.first_in_window is not None:
            if person.last_before is not None:
                reactivated += person.first_in_window - person.last_before >= SILENCE
            elif person.user_id in long_before:
                reactivated += 1
            else:
                new += 1
        elif person.before >= REGULAR:
            lost += 1
    return {
        "new_contributors": new,
        "reactivated_contributors": reactivated,
        "lost_regulars": lost,
        "net_contributor_change": new + reactivated - lost,
    }


# --- Knowledge: one UNION ALL of four aggregates ---------------------------------------------------------------


def _knowledge_counts(community: Community, window: Window) -> dict[str, tuple[int, ...]]:
    """The window's knowledge counts as one query: a ``UNION ALL`` of one aggregate row per source (items,
    endorsements, "this helped me" marks, views), each ``(part, a, b, c, d, e)``."""
    starts, ends = window.starts_at, window.ends_before
    inside = Q(created_at__gte=starts, created_at__lt=ends)
    captured = Q(source_thread__isnull=False) | ~Q(source_title="") | ~Q(source_url="")
    published_at_end = Q(status=KnowledgeStatus.PUBLISHED, published_at__lt=ends)
    zero = Value(0, output_field=IntegerField())

    def single_row(queryset: QuerySet[Any], part: str, **counts: Any) -> QuerySet[Any]:
        # A constant in values() adds nothing to GROUP BY: one row per part, even over no rows at all.
        columns = {name: counts.get(name, zero) for name in ("a", "b", "c", "d", "e")}
        return (
            queryset.order_by().annotate(part=Value(part)).values("part").annotate(**columns)
            .values_list("part", *columns)
        )

    items = single_row(
        KnowledgeItem.objects.filter(community=community), "items",
        a=Count("id", filter=inside),
        b=Count("id", filter=inside & captured),
        c=Count("id", filter=Q(published_at__gte=starts, published_at__lt=ends)),
        d=Count("id", filter=published_at_end),
        e=Count("id", filter=published_at_end & Q(review_due__lte=window.end)),
    )
    endorsed = single_row(
        Endorsement.objects.filter(item__community=community).filter(inside), "endorsed",
        a=Count("item_id", distinct=True),
    )
    reused = single_row(HelpfulMark.objects.filter(item__community=community).filter(inside), "reuse", a=Count("id"))
    views = single_row(
        ItemView.objects.filter(item__community=community, day__gte=window.start, day__lte=window.end), "views",
        a=Count("id"),
    )
    return {part: tuple(numbers) for part, *numbers in items.union(endorsed, reused, views, all=True)}


def _knowledge(community: Community, window: Window) -> dict[str, Number]:
    """Items created, first published and endorsed in the window, "this helped me" marks and views in it; the
    share of published items past their review date at the window's end, and the share of the window's new items
    captured from practice (a thread, a meeting's notes). One query."""
    counts = _knowledge_counts(community, window)
    created, captured, published, published_at_end, past_review = counts.get("items", (0, 0, 0, 0, 0))
    return {
        "knowledge_created": created,
        "knowledge_published": published,
        "knowledge_endorsed": counts.get("endorsed", (0,))[0],
        "knowledge_reuse": counts.get("reuse", (0,))[0],
        "knowledge_views": counts.get("views", (0,))[0],
        "knowledge_past_review_share": share(past_review, published_at_end),
        "knowledge_captured_share": share(captured, created),
    }


# --- Diversity: how evenly people spread over organisations, disciplines and locations -------------------------


def evenness(counts: Sequence[int]) -> float | None:
    """Normalised Shannon evenness of people spread over groups: H / ln(k), where H = −Σ pᵢ ln pᵢ over the k
    groups with someone in them and pᵢ is a group's share of the people. 1 when every group is as big, near 0 when
    one group holds almost everyone; None with fewer than two groups (nothing to be even about)."""
    present = [count for count in counts if count > 0]
    if len(present) < 2:
        return None
    total = sum(present)
    entropy = -sum(count / total * math.log(count / total) for count in present)
    return entropy / math.log(len(present))


def group_key(value: str | None) -> str | None:
    """The group a free-text profile value (discipline, location) falls in: spaces collapsed and case folded, so
    "Process safety" and "process  safety" are one group; None for a blank value (left out)."""
    key = " ".join((value or "").split()).casefold()
    return key or None


def _group_of(person: Contributor | _MemberRow, field: str) -> int | str | None:
    if field == "organisation":
        return person.organization_id
    if field == "discipline":
        return group_key(person.discipline)
    if field == "location":
        return group_key(person.location)
    raise ValueError(f"People are grouped by one of {', '.join(GROUP_FIELDS)}; not {field!r}.")


def _group_sizes(people: Sequence[Contributor | _MemberRow], field: str) -> dict[int | str, int]:
    """How many of ``people`` are in each group of ``field`` (people with no value left out)."""
    sizes: dict[int | str, int] = {}
    for person in people:
        group = _group_of(person, field)
        if group is not None:
            sizes[group] = sizes.get(group, 0) + 1
    return sizes


def _voices(people: dict[int, Contributor], members: list[_MemberRow]) -> tuple[list[Contributor], list[_MemberRow]]:
    """The window's contributors (a contribution in it) and its members."""
    return [p for p in people.values() if p.in_window], [m for m in members if m.is_member]


def _diversity(people: dict[int, Contributor], members: list[_MemberRow]) -> dict[str, Number]:
    """The evenness of the window's contributors and of its members over each ``GROUP_FIELDS``: each person counts
    once, whatever their number of contributions."""
    contributors, current = _voices(people, members)
    values: dict[str, Number] = {}
    for field in GROUP_FIELDS:
        values[f"contributor_evenness_{field}"] = evenness(list(_group_sizes(contributors, field).values()))
        values[f"member_evenness_{field}"] = evenness(list(_group_sizes(current, field).values()))
    return values


@dataclass(frozen=True)
class GroupVoice:
    """One group (an organisation, a discipline, a location) of a community in a window: how many of its members
    and of its contributors are in it, and which share of each that is (of the members, of the contributors with
    a value for the field; None when nobody has one). A group with a big ``member_share`` and a small
    ``contributor_share`` is one whose members are silent."""

    group: str
    members: int
    contributors: int
    member_share: float | None
    contributor_share: float | None

    @property
    def gap(self) -> float | None:
        """``contributor_share − member_share``: below 0, the group speaks less than its weight among members."""
        if self.member_share is None or self.contributor_share is None:
            return None
        return self.contributor_share - self.member_share


def voices_by_group(community: Community, window: Window, field: str) -> list[GroupVoice]:
    """Per group of ``field`` (one of ``GROUP_FIELDS``: "organisation", "discipline", "location"), the members and
    contributors of ``community`` in ``window``: are some groups members but silent? Every group with a member or
    a contributor, most members first (then most contributors, then by name); people with no value for the field
    are left out. ValueError for another field. Five queries (contributions, memberships, readers and voters, earlier contributors, organisation names)."""
    if field not in GROUP_FIELDS:
        raise ValueError(f"People are grouped by one of {', '.join(GROUP_FIELDS)}; not {field!r}.")
    people = _contributors(community, window)
    contributors, current = _voices(people, _members(community, window, people))
    by_contributors, by_members = _group_sizes(contributors, field), _group_sizes(current, field)
    groups = by_members.keys() | by_contributors.keys()
    labels = _group_labels(contributors, current, field, groups)
    all_members, all_contributors = sum(by_members.values()), sum(by_contributors.values())
    voices = [
        GroupVoice(
            group=labels[group],
            members=by_members.get(group, 0),
            contributors=by_contributors.get(group, 0),
            member_share=share(by_members.get(group, 0), all_members),
            contributor_share=share(by_contributors.get(group, 0), all_contributors),
        )
        for group in groups
    ]
    return sorted(voices, key=lambda v: (-v.members, -v.contributors, v.group.casefold(), v.group))


def _group_labels(
    contributors: list[Contributor], members: list[_MemberRow], field: str, groups: set[int | str]
) -> dict[int | str, str]:
    """A readable name per group: the organisation's name (one query), or the first spelling in alphabetical
    order among the people of a free-text group."""
    if field == "organisation":
        names: dict[int | str, str] = dict(Organization.objects.filter(pk__in=list(groups)).values_list("id", "name"))
        return {group: names.get(group, "") for group in groups}
    spellings: dict[int | str, str] = {}
    for person in [*contributors, *members]:
        text = " ".join(getattr(person, field).split())
        group = group_key(text)
        if group is not None and (group not in spellings or text < spellings[group]):
            spellings[group] = text
    return spellings


__all__ = [
    "DEFAULT_DAYS", "GROUP_FIELDS", "LEVELS", "METRICS", "GroupVoice", "Health", "Metric", "Window",
    "community_health", "contributions_in", "evenness", "fewest_reaching_half", "group_key", "movement", "moves",
    "percentile", "share", "voices_by_group", "window_ending", "window_metrics",
]

