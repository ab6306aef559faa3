"""The network view: the health of every community a person may see, side by side; the organisations taking part
in each; the communities that are fading; and the people who bridge several communities (brokers).

Who sees what:

- A community is listed when ``permissions.SEE_HEALTH`` lets the viewer see its health: every community for a
  network admin; for anyone else the communities they are an active sponsor, coordinator or core member of, and
  the non-private ones they are a member of. The view exists for whoever sees at least one community's health
  (a plain member of a public community sees that community's row: its numbers are open to its members anyway);
  for everyone else it does not exist (404), and a private community never appears, not even by name, to whoever
  may not see its health.
- **Brokers** are per-person data across communities: network admins only (``permissions.may_see_brokers``).

The numbers are ``metrics.py``'s, not a second definition: the same contributions (``selectors``), the same "first
response by someone else as known at the end of the window", and the same functions turn the rows into metrics
(``_responsiveness``, ``_concentration``, ``_levels``, ``_participation``, ``_regulars``). Only the SQL differs: a
constant number of queries grouped by community (``QUERIES``) instead of ``community_health``'s eight per
community, so 200 communities cost what two do (``tests/test_network.py`` checks both: equal numbers, constant
count).

A community is **fading** when, against the previous window, its contributors or its contributions fell by
``FADING_DROP_PERCENT`` % or more, or when nobody contributed in the last ``QUIET_DAYS`` days of the window (unless
it is younger than that and has had no contribution yet: a new community is not fading). Each flag says why.

A **broker** contributed (a thread, reply or comment) in two or more of the listed communities in the window.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, Max, Min, OuterRef, Q, QuerySet
from django.http import Http404

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState, Stage
from practica.communities.permissions import Access, AnyUser, is_network_admin
from practica.discussions.models import Comment, Post, Thread, Vote
from practica.insights.metrics import (
    DEFAULT_DAYS,
    SILENCE,
    STICKINESS_DAYS,
    Contributor,
    Metric,
    Number,
    Window,
    _concentration,
    _first_by_someone_else,
    _levels,
    _MemberRow,
    _participation,
    _regulars,
    _responsiveness,
    _ThreadRow,
    share,
    window_ending,
)
from practica.insights.models import DailyActivity
from practica.insights.permissions import SEE_HEALTH, may_see_brokers
from practica.insights.selectors import contributions_among

HEADLINE: tuple[str, ...] = (
    "contributors",
    "contributions",
    "reply_coverage_7d",
    "median_first_response_hours",
    "active_members",
    "top10_share",
    "dau_mau",
    "net_contributor_change",
)
FADING_DROP_PERCENT = 30  # contributors or contributions down by this much against the previous window
QUIET_DAYS = 30  # no contribution in this many days, the window's last
WINDOW_CHOICES = (30, 90, 365)  # the page's selector; the API takes any length metrics.window_ending does
# The viewer's communities (1: every community for a network admin, else their memberships), contributions (1),
# the windows' threads with their first responses (2), daily activity (1), memberships (1), declared
# organisations (1); and the brokers' names (1 more, for network admins, when there are brokers).
QUERIES = 7

_COMMUNITY_OF = {"threads": "community_id", "replies": "thread__community_id", "comments": "post__thread__community_id"}


@dataclass(frozen=True)
class Organisation:
    """An organisation taking part in a community: declared by the community, or that of active members."""

    slug: str
    name: str
    members: int  # active members from it
    declared: bool  # in the community's own list (Community.organizations)


@dataclass
class CommunityHealth:
    """One row of the network table."""

    community: Community
    members: int  # active members today
    metrics: dict[str, Metric]
    organisations: list[Organisation]
    last_contribution_at: datetime | None  # the last from 90 days before the previous window to the window's end
    fading_reasons: list[str] = field(default_factory=list)

    @property
    def fading(self) -> bool:
        return bool(self.fading_reasons)


@dataclass(frozen=True)
class BrokerCommunity:
    slug: str
    name: str
    contributions: int


@dataclass(frozen=True)
class Broker:
    """Someone who contributed in two or more of the listed communities in the window."""

    user_id: int
    username: str
    display_name: str
    organisation: str
    communities: list[BrokerCommunity]

    @property
    def contributions(self) -> int:
        return sum(c.contributions for c in self.communities)


@dataclass(frozen=True)
class NetworkHealth:
    window: Window
    previous_window: Window
    communities: list[CommunityHealth]
    brokers: list[Broker] | None  # None: the viewer may not see them (not a network admin)


# --- Who sees what ---------------------------------------------------------------------------------------------


def communities_with_visible_health(*, user: AnyUser) -> list[Community]:
    """The communities whose health ``user`` may see (``SEE_HEALTH``), by name. A network admin sees every one
    (no query of their memberships); anyone else at most those they are an active member of, the only ones the
    rule can allow them (one query)."""
    if not user.is_authenticated:
        return []
    if is_network_admin(user):
        allowed = list(Community.objects.all())
    else:
        memberships = Membership.objects.filter(user=user, state=MembershipState.ACTIVE).select_related("community")
        allowed = [m.community for m in memberships if SEE_HEALTH(Access(m.community, user, m))]
    return sorted(allowed, key=lambda c: (c.name.lower(), c.pk))  # the same order on every database


def network_visible(*, user: AnyUser) -> bool:
    """Whether the network view exists for ``user`` (the link to it shows): they see some community's health."""
    return bool(communities_with_visible_health(user=user))


def network_window(*, end: date | None = None, days: int = DEFAULT_DAYS) -> Window:
    """The window asked for: ``days`` UTC days ending with ``end`` (today by default). ValueError with a message
    for a window that ends after today (the future has no numbers) or that ``window_ending`` refuses."""
    today = datetime.now(UTC).date()
    if end is not None and end > today:
        raise ValueError("The window ends today at the latest.")
    return window_ending(end or today, days)


def network_health(*, user: AnyUser, window: Window) -> NetworkHealth:
    """The network view for ``user`` over ``window`` and the one before it: 404 when they see the health of no
    community. ``QUERIES`` queries (one more for the brokers' names), whatever the number of communities."""
    communities = communities_with_visible_health(user=user)
    if not communities:
        raise Http404("No such page.")
    previous = window.previous()
    rows = _rows(communities, window, previous)
    brokers = _brokers(communities, rows.people[window]) if may_see_brokers(user) else None
    table = [
        CommunityHealth(
            community=community,
            members=rows.members_now[community.pk],
            metrics=rows.metrics(community.pk),
            organisations=rows.organisations(community.pk),
            last_contribution_at=rows.last_contribution.get(community.pk),
        )
        for community in communities
    ]
    for row in table:
        row.fading_reasons = fading_reasons(row, window)
    return NetworkHealth(window=window, previous_window=previous, communities=table, brokers=brokers)


# --- Fading ----------------------------------------------------------------------------------------------------


def fading_reasons(row: CommunityHealth, window: Window) -> list[str]:
    """Why the community is fading (empty: it is not); see the module's docstring."""
    reasons = []
    for name, label in (("contributors", "Contributors"), ("contributions", "Contributions")):
        now, before = row.metrics[name].value, row.metrics[name].previous
        if (
            isinstance(now, int) and isinstance(before, int) and before > 0
            and 100 * (before - now) >= FADING_DROP_PERCENT * before
        ):
            drop = round(100 * (before - now) / before)
            reasons.append(f"{label} down {drop}% ({before} → {now})")
    quiet_from = window.ends_before - timedelta(days=QUIET_DAYS)
    last = row.last_contribution_at
    if last is not None and last < quiet_from:
        reasons.append(f"No contribution in the last {QUIET_DAYS} days (the last on {last.date().isoformat()})")
    elif last is None and row.community.created_at < quiet_from:
        reasons.append(f"No contribution in the last {QUIET_DAYS} days")
    return reasons


# --- Sorting the table -----------------------------------------------------------------------------------------

_STAGES = [value for value, _label in Stage.choices]


def _metric(name: str) -> Callable[[CommunityHealth], Any]:
    return lambda row: row.metrics[name].value


SORT_KEYS: dict[str, Callable[[CommunityHealth], Any]] = {
    "name": lambda row: row.community.name.lower(),
    "stage": lambda row: _STAGES.index(row.community.stage) if row.community.stage in _STAGES else None,
    "members": lambda row: row.members,
    "organisations": lambda row: len(row.organisations),
    **{name: _metric(name) for name in HEADLINE},
    "fading": lambda row: len(row.fading_reasons),
}


def sort_rows(rows: Iterable[CommunityHealth], sort: str) -> list[CommunityHealth]:
    """The rows by ``sort``: a key of ``SORT_KEYS``, descending with a leading ``-``; rows without a value (a share
    of nothing) last either way, ties by name. KeyError for an unknown key."""
    descending = sort.startswith("-")
    key = SORT_KEYS[sort.removeprefix("-")]
    rows = list(rows)
    known = [row for row in rows if key(row) is not None]
    unknown = [row for row in rows if key(row) is None]
    known.sort(key=lambda row: row.community.name.lower())
    known.sort(key=key, reverse=descending)  # stable: ties stay by name
    return known + unknown


# --- The grouped queries ---------------------------------------------------------------------------------------


def _in(window: Window) -> Q:
    return Q(created_at__gte=window.starts_at, created_at__lt=window.ends_before)


def _before(window: Window) -> Q:
    return Q(created_at__gte=window.starts_at - SILENCE, created_at__lt=window.starts_at)


def _last_days(window: Window) -> Q:
    return Q(day__gt=window.end - timedelta(days=STICKINESS_DAYS), day__lte=window.end)


def _member_of(window: Window) -> ExpressionWrapper:
    joined = Q(joined_at__isnull=True) | Q(joined_at__lt=window.ends_before)
    return ExpressionWrapper(Q(state=MembershipState.ACTIVE) & joined, output_field=BooleanField())


class _Rows:
    """What the grouped queries return, per community and window, as ``metrics.py``'s own row types."""

    def __init__(self, window: Window, previous: Window) -> None:
        self.windows = (window, previous)
        self.people: dict[Window, dict[int, dict[int, Contributor]]] = {w: defaultdict(dict) for w in self.windows}
        self.threads: dict[Window, dict[int, list[_ThreadRow]]] = {w: defaultdict(list) for w in self.windows}
        self.members: dict[Window, dict[int, list[_MemberRow]]] = {w: defaultdict(list) for w in self.windows}
        self.person_days: dict[Window, dict[int, tuple[int, int]]] = {w: {} for w in self.windows}  # (days, MAU)
        self.members_now: dict[int, int] = defaultdict(int)
        self.member_organisations: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
        self.declared: dict[int, set[tuple[str, str]]] = defaultdict(set)
        self.last_contribution: dict[int, datetime] = {}

    def window_values(self, community_id: int, window: Window) -> dict[str, Number]:
        """``metrics._window``'s values for the headline, from the rows instead of its per-community queries."""
        people, members = self.people[window][community_id], self.members[window][community_id]
        values: dict[str, Number] = {}
        values.update(_responsiveness(self.threads[window][community_id]))
        values.update(_concentration(people))
        values.update(_participation(people, members, _levels(people, members)))
        values.update(_regulars(people, members))
        person_days, mau = self.person_days[window].get(community_id, (0, 0))
        values["dau_mau"] = share(person_days, STICKINESS_DAYS * mau)
        return values

    def metrics(self, community_id: int) -> dict[str, Metric]:
        window, previous = self.windows
        now, before = self.window_values(community_id, window), self.window_values(community_id, previous)
        return {name: Metric(value=now[name], previous=before[name]) for name in HEADLINE}

    def organisations(self, community_id: int) -> list[Organisation]:
        counted = self.member_organisations[community_id]
        declared = self.declared[community_id]
        found = [
            Organisation(slug=slug, name=name, members=counted.get((slug, name), 0), declared=(slug, name) in declared)
            for slug, name in set(counted) | declared
        ]
        return sorted(found, key=lambda o: (-o.members, o.name.lower()))


def _rows(communities: list[Community], window: Window, previous: Window) -> _Rows:
    ids = [c.pk for c in communities]
    rows = _Rows(window, previous)
    _read_contributions(rows, ids)
    for w in rows.windows:
        _read_threads(rows, ids, w)
    _read_activity(rows, ids)
    _read_memberships(rows, ids)
    through = Community.organizations.through.objects.filter(community_id__in=ids)
    for community_id, slug, name in through.values_list("community_id", "organization__slug", "organization__name"):
        rows.declared[community_id].add((slug, name))
    return rows


def _read_contributions(rows: _Rows, ids: list[int]) -> None:
    """Per community, person and kind: contributions in each window and in the ``SILENCE`` before it, the first
    in each window, the last before it, and the last of all. One ``UNION ALL`` query."""
    window, previous = rows.windows
    kinds = contributions_among(communities=ids).filter(
        created_at__gte=previous.starts_at - SILENCE, created_at__lt=window.ends_before
    )
    aggregates: dict[str, Any] = {}
    for n, w in enumerate(rows.windows):
        aggregates |= {
            f"in_{n}": Count("id", filter=_in(w)),
            f"before_{n}": Count("id", filter=_before(w)),
            f"first_in_{n}": Min("created_at", filter=_in(w)),
            f"last_before_{n}": Max("created_at", filter=_before(w)),
        }
    aggregates["last"] = Max("created_at")
    parts: list[QuerySet[Any]] = [
        qs.order_by().values(_COMMUNITY_OF[kind], "author_id").annotate(**aggregates)
        .values_list(_COMMUNITY_OF[kind], "author_id", *aggregates)
        for kind, qs in kinds._asdict().items()
    ]
    for community_id, user_id, *counts in parts[0].union(parts[1], parts[2], all=True):
        values = dict(zip(aggregates, counts, strict=True))
        for n, w in enumerate(rows.windows):
            if not (values[f"in_{n}"] or values[f"before_{n}"]):
                continue  # not among metrics' contributors of this window (nothing from 90 days before it)
            person = rows.people[w][community_id].setdefault(user_id, Contributor(user_id, None))
            person.in_window += values[f"in_{n}"]
            person.before += values[f"before_{n}"]
            person.first_in_window = _earliest(person.first_in_window, values[f"first_in_{n}"])
            person.last_before = _latest(person.last_before, values[f"last_before_{n}"])
        last = rows.last_contribution.get(community_id)
        rows.last_contribution[community_id] = _latest(last, values["last"]) or values["last"]


def _earliest(*times: datetime | None) -> datetime | None:
    known = [t for t in times if t is not None]
    return min(known) if known else None


def _latest(*times: datetime | None) -> datetime | None:
    known = [t for t in times if t is not None]
    return max(known) if known else None


def _read_threads(rows: _Rows, ids: list[int], window: Window) -> None:
    """The window's standing threads of every community, each with its first response by someone else as known
    at the end of the window (``metrics._window_threads``, for many communities). One query."""
    before_end = window.ends_before
    replies = Post.objects.filter(
        thread_id=OuterRef("pk"), is_opening=False, deleted_at=None, is_hidden=False, created_at__lt=before_end
    )
    comments = Comment.objects.filter(
        post__thread_id=OuterRef("pk"), post__deleted_at=None, post__is_hidden=False, deleted_at=None,
        created_at__lt=before_end,
    )
    threads = (
        Thread.objects.filter(community_id__in=ids, deleted_at=None, is_hidden=False)
        .filter(_in(window))
        .order_by()
        .annotate(
            first_reply_at=_first_by_someone_else(replies, "author_id"),
            first_comment_at=_first_by_someone_else(comments, "author_id"),
        )
        .values_list("community_id", "author_id", "kind", "created_at", "first_reply_at", "first_comment_at")
    )
    for community_id, author_id, kind, created_at, first_reply_at, first_comment_at in threads:
        # Whose first thread it is and whether it has an accepted answer are left out: no headline metric reads them.
        rows.threads[window][community_id].append(_ThreadRow(
            author_id, kind, created_at, first_reply_at, first_comment_at, authors_first=False, accepted=False
        ))


def _read_activity(rows: _Rows, ids: list[int]) -> None:
    """Person-days and monthly active people in the last ``STICKINESS_DAYS`` days of each window, per community
    (``metrics._activity``'s DAU/MAU). One query."""
    window, previous = rows.windows
    aggregates: dict[str, Any] = {}
    for n, w in enumerate(rows.windows):
        aggregates[f"days_{n}"] = Count("id", filter=_last_days(w))
        aggregates[f"mau_{n}"] = Count("user", distinct=True, filter=_last_days(w))
    counts = (
        DailyActivity.objects.filter(community_id__in=ids)
        .filter(_last_days(window) | _last_days(previous))
        .order_by()
        .values("community_id")
        .annotate(**aggregates)
        .values_list("community_id", *aggregates)
    )
    for community_id, *numbers in counts:
        values = dict(zip(aggregates, numbers, strict=True))
        for n, w in enumerate(rows.windows):
            rows.person_days[w][community_id] = (values[f"days_{n}"], values[f"mau_{n}"])


def _read_memberships(rows: _Rows, ids: list[int]) -> None:
    """Every membership of every community, whatever its state (``metrics._members``), with what its person did
    in each window beyond contributing (read, voted), and their organisation. One query, one row per membership."""
    community, person = OuterRef("community_id"), OuterRef("user_id")
    annotations: dict[str, Any] = {}
    for n, w in enumerate(rows.windows):
        annotations |= {
            f"member_{n}": _member_of(w),
            f"read_{n}": Exists(DailyActivity.objects.filter(
                community_id=community, user_id=person, day__gte=w.start, day__lte=w.end
            )),
            f"reacted_{n}": Exists(Vote.objects.filter(
                user_id=person, post__thread__community_id=community, created_at__gte=w.starts_at,
                created_at__lt=w.ends_before,
            )),
        }
    memberships = (
        Membership.objects.filter(community_id__in=ids)
        .order_by()
        .annotate(**annotations)
        .values_list("community_id", "user_id", "role", "state", "user__profile__organization__slug",
                     "user__profile__organization__name", *annotations)
    )
    for community_id, user_id, role, state, org_slug, org_name, *flags in memberships:
        values = dict(zip(annotations, flags, strict=True))
        for n, w in enumerate(rows.windows):
            # Whether they contributed long before only tells a new contributor from a reactivated one; the
            # headline's net change counts both alike, so it is not read (six subqueries a membership saved).
            rows.members[w][community_id].append(_MemberRow(
                user_id, role, bool(values[f"member_{n}"]), values[f"read_{n}"], values[f"reacted_{n}"],
                contributed_long_before=False,
            ))
        if state == MembershipState.ACTIVE:
            rows.members_now[community_id] += 1
            if org_slug is not None:
                counted = rows.member_organisations[community_id]
                counted[(org_slug, org_name)] = counted.get((org_slug, org_name), 0) + 1


# --- Brokers ---------------------------------------------------------------------------------------------------


def _brokers(communities: list[Community], people: dict[int, dict[int, Contributor]]) -> list[Broker]:
    """People with contributions in the window in two or more of ``communities``, most communities first, then
    most contributions. One query for their names (none without brokers)."""
    by_id = {c.pk: c for c in communities}
    bridged: dict[int, list[BrokerCommunity]] = defaultdict(list)
    for community_id, contributors in people.items():
        community = by_id[community_id]
        for user_id, person in contributors.items():
            if person.in_window:
                bridged[user_id].append(BrokerCommunity(community.slug, community.name, person.in_window))
    ids = [user_id for user_id, found in bridged.items() if len(found) >= 2]
    if not ids:
        return []
    names = User.objects.filter(pk__in=ids).values_list(
        "pk", "username", "profile__display_name", "profile__organization__name"
    )
    brokers = [
        Broker(
            user_id=pk, username=username, display_name=display_name or username, organisation=organisation or "",
            communities=sorted(bridged[pk], key=lambda c: (-c.contributions, c.name.lower())),
        )
        for pk, username, display_name, organisation in names
    ]
    return sorted(brokers, key=lambda b: (-len(b.communities), -b.contributions, b.username))
