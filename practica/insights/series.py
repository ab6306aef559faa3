"""The health metrics of every day of a community's history at once: what a back-fill of daily snapshots needs
(an imported community shows years of trend on the day it is imported).

Asking ``metrics.window_metrics`` for each day would cost ``QUERIES_PER_WINDOW`` queries a day, each reading
the window's rows again: tens of thousands of queries for a history of years. Here a handful of queries read
compact rows once (one per thread, one per person and day of contributions, of activity and of votes, one per
membership), and one pass over the days slides the windows along in memory. Every value equals what
``window_metrics`` gives for that day's window (``tests/test_history.py`` checks each day of a fixture); a metric
of ``METRICS`` this module does not slide (``SERIES_METRICS``) is read day by day: the knowledge and rhythm
metrics with their own small queries, only when the community has knowledge items or events (``DAILY_METRICS``),
and any other from ``window_metrics``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Min
from django.db.models.functions import TruncDate

from practica.communities.models import Community, Membership, MembershipState, Role
from practica.discussions.models import Vote
from practica.events.models import Event
from practica.insights.metrics import (
    GROUP_FIELDS,
    METRICS,
    REGULAR,
    SILENCE,
    STICKINESS_DAYS,
    TOP_CONTRIBUTORS,
    Number,
    Window,
    _knowledge,
    _responsiveness,
    _ThreadRow,
    evenness,
    fewest_reaching_half,
    group_key,
    share,
    thread_responses,
    window_metrics,
)
from practica.insights.models import DailyActivity
from practica.insights.rhythm import RHYTHM_METRICS, rhythm_metrics
from practica.insights.selectors import contributions
from practica.knowledge.models import KnowledgeItem

SERIES_METRICS = frozenset({
    "new_threads", "reply_coverage_7d", "median_first_response_hours", "p90_first_response_hours",
    "newcomer_reply_coverage_7d", "unanswered", "unanswered_rate", "solo_thread_rate", "accepted_answer_rate",
    "contributions", "contributors", "top10_share", "absence_factor", "elephant_factor",
    "participation_core", "participation_active", "participation_occasional", "participation_peripheral",
    "participation_inactive", "active_members",
    "new_contributors", "reactivated_contributors", "lost_regulars", "net_contributor_change",
    "dau", "wau", "mau", "dau_mau",
    *(f"{who}_evenness_{field}" for who in ("contributor", "member") for field in GROUP_FIELDS),
})
# Metrics read day by day with their own small queries (knowledge: one; rhythm: ``rhythm.QUERIES``), and only when
# the community has what they count: without knowledge items or events their values are the same every day.
KNOWLEDGE_METRICS = frozenset({
    "knowledge_created", "knowledge_published", "knowledge_endorsed", "knowledge_reuse", "knowledge_views",
    "knowledge_past_review_share", "knowledge_captured_share",
})
DAILY_METRICS = KNOWLEDGE_METRICS | frozenset(RHYTHM_METRICS)
Groups = tuple[int | None, str | None, str | None]  # organisation id, discipline and location keys
CORE_ROLES = (Role.COORDINATOR, Role.CORE)
_SILENCE_DAYS = SILENCE.days  # SILENCE is whole days: its bound falls on a UTC midnight, like the window's


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _days(first: date, last: date) -> Iterable[date]:
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


# --- Compact rows, read once -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Thread:
    author_id: int | None
    kind: str
    created_at: datetime
    first_reply_at: datetime | None  # by someone else, up to the last day
    first_comment_at: datetime | None
    authors_first: bool
    accepted_at: datetime | None  # when the accepted answer was written (not deleted)

    def as_known(self, ends_before: datetime) -> _ThreadRow:
        """The thread as ``metrics`` sees it at the end of a window (responses written later unknown yet)."""

        def known(moment: datetime | None) -> datetime | None:
            return moment if moment is not None and moment < ends_before else None

        return _ThreadRow(
            self.author_id, self.kind, self.created_at, known(self.first_reply_at), known(self.first_comment_at),
            self.authors_first, known(self.accepted_at) is not None,
        )

    @property
    def settled_on(self) -> date:
        """From this UTC day on, every later window sees the thread the same way."""
        moments = [m for m in (self.first_reply_at, self.first_comment_at, self.accepted_at) if m is not None]
        return _utc_day(max(moments, default=self.created_at))


def _threads(community: Community, window: Window) -> list[_Thread]:
    """The standing threads created in ``window``, with their first responses by someone else written by its
    end and when the accepted answer was written (``metrics.thread_responses`` for one long window). One query."""
    return [_Thread(*row) for row in thread_responses(community, window)]


@dataclass
class _Person:
    """A person's contributions, day by day (UTC days, in order), over the whole history."""

    organization_id: int | None
    groups: Groups = (None, None, None)  # for the evenness measures (``group_key``)
    days: list[date] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    earliest: list[datetime] = field(default_factory=list)  # the day's first contribution
    latest: list[datetime] = field(default_factory=list)  # the day's last contribution

    def first_from(self, day: date) -> datetime | None:
        """The first contribution on ``day`` or later."""
        index = bisect_left(self.days, day)
        return self.earliest[index] if index < len(self.days) else None

    def last_before(self, day: date) -> datetime | None:
        """The last contribution before ``day``."""
        index = bisect_left(self.days, day)
        return self.latest[index - 1] if index else None


def _people(community: Community, last: date) -> dict[int, _Person]:
    """Every contribution (``selectors.contributions``) up to the end of ``last``, per person and UTC day: count,
    first and last moment. One ``UNION ALL`` query; a row per person, day and kind."""
    day = TruncDate("created_at", tzinfo=UTC)
    kinds = contributions(community=community).filter(created_at__lt=midnight(last + timedelta(days=1)))
    parts = [
        qs.order_by()
        .annotate(day=day)
        .values("author_id", "author__profile__organization_id", "day")
        .annotate(n=Count("id"), earliest=Min("created_at"), latest=Max("created_at"))
        .values_list(
            "author_id", "author__profile__organization_id", "day", "n", "earliest", "latest",
            "author__profile__discipline", "author__profile__location",
        )
        for qs in kinds
    ]
    merged: dict[tuple[int, date], list[Any]] = {}
    organizations: dict[int, int | None] = {}
    groups: dict[int, Groups] = {}
    rows = parts[0].union(parts[1], parts[2], all=True)
    for user_id, organization_id, on, n, earliest, latest, discipline, location in rows:
        organizations[user_id] = organization_id
        groups[user_id] = (organization_id, group_key(discipline), group_key(location))
        if isinstance(on, datetime):  # some backends hand back a datetime for a date
            on = on.date()
        entry = merged.get((user_id, on))
        if entry is None:
            merged[(user_id, on)] = [n, earliest, latest]
        else:
            entry[0] += n
            entry[1] = min(entry[1], earliest)
            entry[2] = max(entry[2], latest)
    people: dict[int, _Person] = {}
    for (user_id, on), (n, earliest, latest) in sorted(merged.items()):
        person = people.setdefault(user_id, _Person(organizations[user_id], groups[user_id]))
        person.days.append(on)
        person.counts.append(n)
        person.earliest.append(earliest)
        person.latest.append(latest)
    return people


# --- Sliding windows -------------------------------------------------------------------------------------------


class _Sliding:
    """A counter of per-person numbers over a window of UTC days that moves one day at a time: on day ``e`` it
    covers ``[e - lag - width + 1, e - lag]``."""

    def __init__(self, buckets: dict[date, list[tuple[int, int]]], width: int, lag: int = 0) -> None:
        self.buckets, self.width, self.lag = buckets, width, lag
        self.counts: Counter[int] = Counter()
        self.total = 0
        self.day: date | None = None

    def _add(self, day: date, sign: int) -> None:
        for user_id, n in self.buckets.get(day, ()):
            self.counts[user_id] += sign * n
            self.total += sign * n
            if not self.counts[user_id]:
                del self.counts[user_id]

    def move_to(self, end: date) -> None:
        top = end - timedelta(days=self.lag)
        if self.day is None or (top - self.day).days > self.width:
            self.counts.clear()
            self.total = 0
            for offset in range(self.width):
                self._add(top - timedelta(days=offset), 1)
        else:
            for offset in range((top - self.day).days):
                entering = self.day + timedelta(days=offset + 1)
                self._add(entering, 1)
                self._add(entering - timedelta(days=self.width), -1)
        self.day = top


# --- The series ----------------------------------------------------------------------------------------------------


@dataclass
class _Members:
    """Who is a member on which day: active memberships by the moment they were joined (None: always)."""

    joined: dict[int, datetime | None]  # active members
    roles: dict[int, str]
    anyone: set[int]  # every membership, whatever its state (people who left can be lost or reactivated)
    sorted_joined: list[datetime]
    sorted_core_joined: list[datetime]
    always: int
    always_core: int
    groups: dict[int, Groups] = field(default_factory=dict)  # active members' groups (``group_key``)

    @classmethod
    def read(cls, community: Community) -> _Members:
        joined: dict[int, datetime | None] = {}
        roles: dict[int, str] = {}
        anyone: set[int] = set()
        groups: dict[int, Groups] = {}
        rows = Membership.objects.filter(community=community).values_list(
            "user_id", "role", "state", "joined_at", "user__profile__organization_id", "user__profile__discipline",
            "user__profile__location",
        )
        for user_id, role, state, joined_at, organization_id, discipline, location in rows:
            anyone.add(user_id)
            if state == MembershipState.ACTIVE:
                joined[user_id], roles[user_id] = joined_at, role
                groups[user_id] = (organization_id, group_key(discipline), group_key(location))
        core = [user_id for user_id, role in roles.items() if role in CORE_ROLES]
        return cls(
            joined=joined, roles=roles, anyone=anyone,
            sorted_joined=sorted(j for j in joined.values() if j is not None),
            sorted_core_joined=sorted(joined[u] for u in core if joined[u] is not None),  # type: ignore[misc]
            always=sum(1 for j in joined.values() if j is None),
            always_core=sum(1 for u in core if joined[u] is None),
            groups=groups,
        )

    def is_member(self, user_id: int, ends_before: datetime) -> bool:
        if user_id not in self.joined:
            return False
        joined_at = self.joined[user_id]
        return joined_at is None or joined_at < ends_before

    def counts(self, ends_before: datetime) -> tuple[int, int]:
        """(members, of whom coordinators and core members) at the end of a window."""
        return (
            self.always + bisect_left(self.sorted_joined, ends_before),
            self.always_core + bisect_left(self.sorted_core_joined, ends_before),
        )


class _MemberGroups:
    """How many members each group holds at the end of each day: members only join as the days go by (an active
    membership counts from the moment it was joined, or always), so the counts grow and are never recounted."""

    def __init__(self, members: _Members) -> None:
        self.sizes: list[Counter[int | str]] = [Counter() for _ in GROUP_FIELDS]
        self.joining = sorted(
            (joined_at, user_id) for user_id, joined_at in members.joined.items() if joined_at is not None
        )
        self.next = 0
        self.groups = members.groups
        for user_id, joined_at in members.joined.items():
            if joined_at is None:
                self._add(user_id)

    def _add(self, user_id: int) -> None:
        for index, group in enumerate(self.groups.get(user_id, (None, None, None))):
            if group is not None:
                self.sizes[index][group] += 1

    def at(self, ends_before: datetime) -> list[Counter[int | str]]:
        while self.next < len(self.joining) and self.joining[self.next][0] < ends_before:
            self._add(self.joining[self.next][1])
            self.next += 1
        return self.sizes


def _diversity(inside: Counter[int], people: dict[int, _Person], members: list[Counter[int | str]]) -> dict[str, Number]:
    """``metrics._diversity`` for one day's window: each contributor of the window and each member counts once."""
    contributors: list[Counter[int | str]] = [Counter() for _ in GROUP_FIELDS]
    for user_id in inside:
        for index, group in enumerate(people[user_id].groups):
            if group is not None:
                contributors[index][group] += 1
    values: dict[str, Number] = {}
    for index, name in enumerate(GROUP_FIELDS):
        values[f"contributor_evenness_{name}"] = evenness(list(contributors[index].values()))
        values[f"member_evenness_{name}"] = evenness(list(members[index].values()))
    return values


def _day_sets(rows: Iterable[tuple[int, Any]]) -> dict[date, list[tuple[int, int]]]:
    """(user, day) rows, distinct, as day -> [(user, 1)]."""
    seen: dict[date, set[int]] = defaultdict(set)
    for user_id, on in rows:
        seen[on.date() if isinstance(on, datetime) else on].add(user_id)
    return {on: [(user_id, 1) for user_id in users] for on, users in seen.items()}


def _daily_parts(community: Community) -> dict[Any, bool]:
    """The metrics read day by day (``DAILY_METRICS``), each with whether the community has anything they count
    (two queries): without a knowledge item, or without an event, every day's values are the same."""
    return {
        _knowledge: KnowledgeItem.objects.filter(community=community).exists(),
        rhythm_metrics: Event.objects.filter(community=community).exists(),
    }


def first_day(community: Community) -> date | None:
    """The UTC day of the community's first contribution (or, failing that, its first recorded activity)."""
    kinds = contributions(community=community)
    moments = [qs.aggregate(first=Min("created_at"))["first"] for qs in kinds]
    known = [_utc_day(m) for m in moments if m is not None]
    if known:
        return min(known)
    return DailyActivity.objects.filter(community=community).aggregate(first=Min("day"))["first"]


def daily_metrics(
    *, community: Community, first: date, last: date, days: int
) -> dict[date, dict[str, Number]]:
    """Every metric of ``METRICS`` for the window of ``days`` UTC days ending with each day from ``first`` to
    ``last``: day -> {name: value}, equal to ``window_metrics(community, window_ending(day, days))``. Six queries
    for the metrics of ``SERIES_METRICS`` whatever the number of days, plus ``QUERIES_PER_WINDOW`` a day for any
    other metric."""
    if last < first:
        return {}
    earliest = first - timedelta(days=days - 1)
    # Each thread with the day from which every window sees it whole, and how it looks then (built once).
    threads_by_day: dict[date, list[tuple[_Thread, date, _ThreadRow]]] = defaultdict(list)
    for thread in _threads(community, Window(start=earliest, end=last)):
        threads_by_day[_utc_day(thread.created_at)].append(
            (thread, thread.settled_on, thread.as_known(midnight(last + timedelta(days=1))))
        )
    people = _people(community, last)
    contributions_by_day: dict[date, list[tuple[int, int]]] = defaultdict(list)
    for user_id, person in people.items():
        for on, n in zip(person.days, person.counts, strict=True):
            contributions_by_day[on].append((user_id, n))
    members = _Members.read(community)
    active_since = min(earliest, first - timedelta(days=STICKINESS_DAYS - 1))
    activity = _day_sets(
        DailyActivity.objects.filter(community=community, day__gte=active_since, day__lte=last).values_list(
            "user_id", "day"
        )
    )
    votes = _day_sets(
        Vote.objects.filter(
            post__thread__community=community, created_at__gte=midnight(earliest),
            created_at__lt=midnight(last + timedelta(days=1)),
        )
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values_list("user_id", "day")
    )
    present_by_day = {on: activity.get(on, []) + votes.get(on, []) for on in activity.keys() | votes.keys()}

    inside = _Sliding(contributions_by_day, days)
    before = _Sliding(contributions_by_day, _SILENCE_DAYS, lag=days)
    present = _Sliding(present_by_day, days)
    month = _Sliding(activity, STICKINESS_DAYS)
    week = _Sliding(activity, 7)
    member_groups = _MemberGroups(members)
    daily = _daily_parts(community)
    constant_parts: dict[Any, dict[str, Number]] = {}
    others = [name for name in METRICS if name not in SERIES_METRICS and name not in DAILY_METRICS]
    series: dict[date, dict[str, Number]] = {}
    for end in _days(first, last):
        start = end - timedelta(days=days - 1)
        ends_before = midnight(end + timedelta(days=1))
        for sliding in (inside, before, present, month, week):
            sliding.move_to(end)
        values: dict[str, Number] = {}
        values.update(_responsiveness([
            settled if end >= settled_on else thread.as_known(ends_before)
            for on in _days(start, end) for thread, settled_on, settled in threads_by_day.get(on, ())
        ]))
        values.update(_concentration(inside.counts, people))
        values.update(_participation(inside.counts, present.counts, members, ends_before))
        values.update(_regulars(inside.counts, before.counts, people, members, start))
        mau = len(month.counts)
        values.update({
            "dau": len(activity.get(end, ())), "wau": len(week.counts), "mau": mau,
            "dau_mau": share(month.total, STICKINESS_DAYS * mau),
        })
        values.update(_diversity(inside.counts, people, member_groups.at(ends_before)))
        window = Window(start=start, end=end)
        for part, reads in daily.items():
            if reads:
                values.update(part(community, window))
            else:  # nothing to count: the same values every day, read once
                if part not in constant_parts:
                    constant_parts[part] = part(community, window)
                values.update(constant_parts[part])
        if others:
            computed = window_metrics(community, Window(start=start, end=end))
            values.update({name: computed[name] for name in others})
        series[end] = {name: values[name] for name in METRICS}
    return series


def _concentration(inside: Counter[int], people: dict[int, _Person]) -> dict[str, Number]:
    counts = sorted(inside.values(), reverse=True)
    total = sum(counts)
    by_organization: Counter[int] = Counter()
    for user_id, n in inside.items():
        organization_id = people[user_id].organization_id
        if organization_id is not None:
            by_organization[organization_id] += n
    return {
        "contributions": total,
        "contributors": len(counts),
        "top10_share": share(sum(counts[:TOP_CONTRIBUTORS]), total),
        "absence_factor": fewest_reaching_half(counts),
        "elephant_factor": fewest_reaching_half(list(by_organization.values())),
    }


def _participation(
    inside: Counter[int], present: Counter[int], members: _Members, ends_before: datetime
) -> dict[str, Number]:
    """``metrics._levels`` and ``_participation`` counted, not listed: members on each level."""
    counts = sorted(inside.values(), reverse=True)
    taken = fewest_reaching_half(counts)
    threshold = counts[taken - 1] if taken else None
    total, core = members.counts(ends_before)
    active = occasional = peripheral = 0
    for user_id, n in inside.items():
        if not members.is_member(user_id, ends_before) or members.roles[user_id] in CORE_ROLES:
            continue
        if threshold and n >= threshold:
            core += 1
        elif n >= REGULAR:
            active += 1
        else:
            occasional += 1
    for user_id in present:
        if (user_id not in inside and members.is_member(user_id, ends_before)
                and members.roles[user_id] not in CORE_ROLES):
            peripheral += 1
    active_members = sum(1 for user_id in inside.keys() | present.keys() if members.is_member(user_id, ends_before))
    return {
        "participation_core": core,
        "participation_active": active,
        "participation_occasional": occasional,
        "participation_peripheral": peripheral,
        "participation_inactive": total - core - active - occasional - peripheral,
        "active_members": active_members,
    }


def _regulars(
    inside: Counter[int], before: Counter[int], people: dict[int, _Person], members: _Members, start: date
) -> dict[str, Number]:
    """``metrics._regulars`` over the sliding counts."""
    silence_starts = start - timedelta(days=_SILENCE_DAYS)
    new = reactivated = lost = 0
    for user_id in inside:
        person = people[user_id]
        first_in_window = person.first_from(start)
        last_before = person.last_before(start) if before.get(user_id) else None
        if first_in_window is None:
            continue
        if last_before is not None:
            reactivated += first_in_window - last_before >= SILENCE
        elif user_id in members.anyone and bisect_left(person.days, silence_starts) > 0:
            reactivated += 1  # a member whose last contribution is older than the silence before the window
        else:
            new += 1
    for user_id, n in before.items():
        if user_id not in inside and n >= REGULAR:
            lost += 1
    return {
        "new_contributors": new,
        "reactivated_contributors": reactivated,
        "lost_regulars": lost,
        "net_contributor_change": new + reactivated - lost,
    }


__all__ = ["SERIES_METRICS", "daily_metrics", "first_day", "midnight"]
