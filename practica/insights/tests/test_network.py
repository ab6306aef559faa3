"""The network view's reads (``insights/network.py``): the same numbers as ``metrics.community_health``, a
constant number of queries, who sees which communities, organisations, fading communities and brokers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from practica.accounts.models import User
from practica.communities.models import Community, Membership, Role, Visibility
from practica.communities.permissions import Access
from practica.discussions.models import Comment, Post, Thread, ThreadKind, Vote
from practica.insights import metrics, network
from practica.insights.models import DailyActivity
from practica.insights.permissions import SEE_HEALTH
from practica.lib.testing.factories import (
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

END = date(2026, 3, 31)
DAYS = 30
JOINED = datetime(2025, 1, 1, tzinfo=UTC)
LONG_AGO = datetime(2024, 1, 1, tzinfo=UTC)


def at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def thread(community: Community, author: User | None, when: datetime, kind: str = ThreadKind.QUESTION) -> Thread:
    made = Thread.objects.create(
        community=community, author=author, kind=kind, title=f"Thread of {when:%Y-%m-%d %H:%M}", created_at=when,
        last_activity_at=when,
    )
    Post.objects.create(thread=made, author=author, is_opening=True, body_source="x", body_html="x", created_at=when)
    return made


def reply(on: Thread, author: User | None, when: datetime, **fields: Any) -> Post:
    return Post.objects.create(thread=on, author=author, body_source="x", body_html="x", created_at=when, **fields)


def comment(on: Thread, author: User | None, when: datetime) -> Comment:
    post = on.posts.get(is_opening=True)
    return Comment.objects.create(post=post, author=author, body_source="x", body_html="x", created_at=when)


@dataclass
class Net:
    people: dict[str, User]
    wells: Community  # public, coordinated by ana; rich in edge cases
    pipes: Community  # members-only, coordinated by col; ben bridges it with wells
    vault: Community  # private, coordinated by vic; sam is its sponsor, mem a plain member
    quiet: Community  # public, coordinated by ana; busy in the previous window, silent in this one


def _join(community: Community, *users: User, role: str = Role.MEMBER) -> None:
    for user in users:
        MembershipFactory.create(community=community, user=user, role=role, joined_at=JOINED)


@pytest.fixture
def net() -> Net:
    org_a, org_b = OrganizationFactory.create(name="Org A"), OrganizationFactory.create(name="Org B")
    org_c = OrganizationFactory.create(name="Org C")  # declared by pipes, nobody of it is a member
    names = ("ana", "ben", "cai", "dee", "eve", "col", "vic", "sam", "mem", "out", "lou", "yan", "kit")
    orgs = {"ana": org_a, "ben": org_a, "cai": org_b, "eve": org_b, "col": org_b}
    p = {name: UserFactory.create(username=name, organization=orgs.get(name)) for name in names}
    p["admin"] = UserFactory.create(username="admin", is_superuser=True, is_staff=True)

    wells = CommunityFactory.create(creator=p["ana"], name="Wells", slug="wells")
    _join(wells, p["ben"], p["cai"], p["dee"], p["eve"], p["mem"], p["lou"], p["kit"])
    MembershipFactory.create(community=wells, user=p["yan"], state="left", joined_at=JOINED)  # left: still counted
    # Previous window (2026-01-31 .. 2026-03-01) and the 90 days before it.
    p1 = thread(wells, p["dee"], at(2, 10, 10))
    reply(p1, p["ana"], at(2, 10, 20))  # 10 h
    p2 = thread(wells, p["ana"], at(2, 20, 10), ThreadKind.DISCUSSION)
    reply(p2, p["cai"], at(3, 3, 10))  # in the current window: P2 is solo in the previous one
    lou = thread(wells, p["lou"], at(12, 10, year=2025))  # lou: a regular of the 90 days before, then silent
    for day in (11, 12, 13):
        reply(lou, p["lou"], at(12, day, year=2025))
    long_ago = thread(wells, p["yan"], at(6, 1, year=2025))  # yan: long before, then back in the window: reactivated
    comment(long_ago, p["kit"], at(6, 3, year=2025))  # kit: a comment long before, then back: reactivated
    thread(wells, p["out"], at(6, 2, year=2025))  # out: long before, no membership (metrics does not know it)
    # Current window (2026-03-02 .. 2026-03-31).
    t1 = thread(wells, p["ana"], at(3, 2, 10))
    comment(t1, p["ana"], at(3, 2, 11))  # her own comment: a contribution, no response
    accepted = reply(t1, p["ben"], at(3, 2, 12))  # 2 h
    t2 = thread(wells, p["ben"], at(3, 5, 9))
    reply(t2, p["ben"], at(3, 5, 10))
    comment(t2, p["cai"], at(3, 6, 9))  # 24 h, by comment
    t3 = thread(wells, p["cai"], at(3, 10), ThreadKind.DISCUSSION)
    reply(t3, p["ana"], at(3, 20))  # 240 h: too late for the coverage
    t4 = thread(wells, p["eve"], at(3, 15, 8))
    reply(t4, p["dee"], at(3, 15, 14))  # 6 h
    reply(t4, p["eve"], at(3, 16), deleted_at=at(3, 17))  # deleted: nothing
    reply(t4, p["mem"], at(3, 16), is_hidden=True)  # hidden: nothing
    t5 = thread(wells, p["dee"], at(3, 31, 23, 59), ThreadKind.IDEA)
    reply(t5, p["ana"], at(4, 1))  # after the window
    t6 = thread(wells, None, at(3, 20, 12))  # a deleted account's question
    reply(t6, p["ana"], at(3, 21, 12))
    t8 = thread(wells, p["cai"], at(3, 25))
    reply(t8, p["eve"], at(3, 25, 1))
    Thread.objects.filter(pk=t8.pk).update(deleted_at=at(3, 26))  # deleted with its reply
    thread(wells, p["yan"], at(3, 12))  # yan is back (she left since: she counts as a contributor, not a member)
    thread(wells, p["out"], at(3, 13))  # out: no membership, long before unknown to metrics: new
    thread(wells, p["kit"], at(3, 14))
    t9 = thread(wells, p["eve"], at(3, 18))
    reply(t9, p["ana"], at(3, 18, 1), is_hidden=True)  # hidden: T9 got no response
    Vote.objects.create(post=accepted, user=p["mem"], created_at=at(3, 3))  # mem reacted
    for name, day in [("ana", date(2026, 3, 31)), ("ben", date(2026, 3, 31)), ("ben", date(2026, 3, 30)),
                      ("cai", date(2026, 3, 25)), ("mem", date(2026, 3, 12)), ("dee", date(2026, 3, 1)),
                      ("out", date(2026, 3, 28))]:
        DailyActivity.objects.create(community=wells, user=p[name], day=day)

    pipes = CommunityFactory.create(
        creator=p["col"], name="Pipes", slug="pipes", visibility=Visibility.MEMBERS_ONLY, organizations=[org_c]
    )
    _join(pipes, p["ben"], p["cai"])
    for hour in range(3):
        reply(thread(pipes, p["ben"], at(3, 4, hour)), p["col"], at(3, 4, hour, 30))
    thread(pipes, p["cai"], at(2, 4))  # cai in pipes only in the previous window
    DailyActivity.objects.create(community=pipes, user=p["col"], day=date(2026, 3, 20))

    vault = CommunityFactory.create(creator=p["vic"], name="Vault", slug="vault", visibility=Visibility.PRIVATE)
    _join(vault, p["sam"], role=Role.SPONSOR)
    _join(vault, p["mem"], p["ben"])
    thread(vault, p["ben"], at(3, 8))  # ben bridges three communities
    reply(thread(vault, p["mem"], at(3, 9)), p["vic"], at(3, 9, 1))

    quiet = CommunityFactory.create(creator=p["ana"], name="Quiet", slug="quiet")
    _join(quiet, p["eve"])
    for day in (5, 6, 7, 8):
        thread(quiet, p["eve"], at(2, day))
    Community.objects.filter(pk=quiet.pk).update(created_at=LONG_AGO)
    Membership.objects.filter(user__in=[p["ana"], p["col"], p["vic"]]).update(joined_at=JOINED)
    return Net(people=p, wells=wells, pipes=pipes, vault=vault, quiet=quiet)


def _window(end: date = END, days: int = DAYS) -> metrics.Window:
    return metrics.window_ending(end, days)


def _health(user: User, end: date = END, days: int = DAYS) -> network.NetworkHealth:
    return network.network_health(user=user, window=_window(end, days))


def _row(health: network.NetworkHealth, community: Community) -> network.CommunityHealth:
    return next(row for row in health.communities if row.community.pk == community.pk)


@pytest.mark.parametrize(("end", "days"), [(END, 30), (END, 90), (date(2026, 4, 1), 31), (date(2026, 3, 1), 30)])
def test_the_network_numbers_are_those_of_each_communitys_health(net: Net, end: date, days: int) -> None:
    health = _health(net.people["admin"], end, days)
    assert [row.community.slug for row in health.communities] == ["pipes", "quiet", "vault", "wells"]
    for row in health.communities:
        expected = metrics.community_health(community=row.community, end=end, days=days).metrics
        for name in network.HEADLINE:
            got = row.metrics[name]
            assert (got.value, got.previous) == (
                pytest.approx(expected[name].value), pytest.approx(expected[name].previous)
            ), (row.community.slug, name)


def test_the_fixture_exercises_every_headline_number(net: Net) -> None:
    # So the comparison above is not between zeros: wells has a value for every headline metric.
    got = _row(_health(net.people["admin"]), net.wells).metrics
    assert {name: got[name].value for name in network.HEADLINE} == {
        "contributors": 8,  # ana, ben, cai, dee, eve, yan, out, kit
        "contributions": 17,
        "reply_coverage_7d": pytest.approx(4 / 10),  # T1, T2, T4, T6 of T1..T6, T9, yan's, out's and kit's
        "median_first_response_hours": pytest.approx(24),  # 2, 6, 24, 24, 240
        "active_members": 7,  # ana, ben, cai, dee, eve, kit contributed; mem read and voted (yan left, lou silent)
        "top10_share": 1.0,
        "dau_mau": pytest.approx(6 / 150),  # 6 person-days; ana, ben, cai, mem, out in the last 30 days
        # New: ben, cai, eve, and out (no membership, so metrics does not look further back); reactivated: yan
        # (her membership, though she left, says she contributed long before) and kit; lost: lou (4 in December).
        "net_contributor_change": 5,
    }


def _queries(user: User) -> int:
    with CaptureQueriesContext(connection) as queries:
        _health(user)
    return len(queries)


def _more_communities(net: Net, start: int, stop: int) -> None:
    for number in range(start, stop):
        extra = CommunityFactory.create(creator=net.people["ana"], name=f"Extra {number}", slug=f"extra-{number}")
        _join(extra, net.people["ben"], net.people["sam"])
        made = thread(extra, net.people["ben"], at(3, 3, number % 24))
        reply(made, net.people["sam"], at(3, 3, number % 24, 30))
        comment(made, net.people["ana"], at(3, 4))
        DailyActivity.objects.create(community=extra, user=net.people["ben"], day=date(2026, 3, 3))


@pytest.mark.parametrize("viewer", ["admin", "ben"])
def test_the_network_costs_the_same_queries_for_2_and_12_more_communities(net: Net, viewer: str) -> None:
    _more_communities(net, 0, 2)
    small = _queries(net.people[viewer])
    _more_communities(net, 2, 12)
    large = _queries(net.people[viewer])
    assert small == large
    assert large == network.QUERIES + (1 if viewer == "admin" else 0)  # the brokers' names
    # ben: wells, pipes and the extras (the vault is private and he is a plain member there).
    assert len(_health(net.people[viewer]).communities) == (16 if viewer == "admin" else 14)


def test_lists_exactly_the_communities_whose_health_the_rule_shows(net: Net) -> None:
    communities = list(Community.objects.all())
    for user in net.people.values():
        expected = {c.slug for c in communities if SEE_HEALTH.allows(Access(c, user))}
        assert {c.slug for c in network.communities_with_visible_health(user=user)} == expected, user.username


def test_a_network_admin_sees_every_community_and_the_brokers(net: Net) -> None:
    health = _health(net.people["admin"])
    assert len(health.communities) == 4
    assert health.brokers is not None
    # ben: 3 in pipes, 3 in wells, 1 in the vault; nobody else contributed in two communities in the window.
    assert [(b.username, [c.slug for c in b.communities]) for b in health.brokers] == [
        ("ben", ["pipes", "wells", "vault"]),
    ]
    assert health.brokers[0].contributions == 7
    assert health.brokers[0].organisation == "Org A"


def test_a_sponsor_sees_their_private_community_and_no_brokers(net: Net) -> None:
    health = _health(net.people["sam"])
    assert [row.community.slug for row in health.communities] == ["vault"]
    assert health.brokers is None


def test_a_coordinator_sees_their_community_and_the_public_ones_they_are_in_without_brokers(net: Net) -> None:
    health = _health(net.people["col"])
    assert [row.community.slug for row in health.communities] == ["pipes"]
    assert health.brokers is None


def test_a_plain_member_sees_non_private_communities_only(net: Net) -> None:
    # mem is a member of wells (public) and of the vault (private): the vault's health is not theirs to see.
    health = _health(net.people["mem"])
    assert [row.community.slug for row in health.communities] == ["wells"]
    assert health.brokers is None


def test_the_private_community_is_invisible_to_a_member_of_another_community(net: Net) -> None:
    for name in ("mem", "ben", "cai", "col"):
        health = _health(net.people[name])
        assert "vault" not in [row.community.slug for row in health.communities], name


def test_the_network_view_does_not_exist_for_an_outsider_or_the_anonymous(net: Net) -> None:
    from django.contrib.auth.models import AnonymousUser

    for user in (net.people["out"], AnonymousUser()):
        with pytest.raises(Http404):
            network.network_health(user=user, window=_window())
        assert not network.network_visible(user=user)


def test_lists_the_organisations_of_members_and_those_the_community_declares(net: Net) -> None:
    health = _health(net.people["admin"])
    assert [(o.name, o.members, o.declared) for o in _row(health, net.wells).organisations] == [
        ("Org A", 2, False),  # ana, ben
        ("Org B", 2, False),  # cai, eve (dee, mem and lou have none; yan left)
    ]
    assert [(o.name, o.members, o.declared) for o in _row(health, net.pipes).organisations] == [
        ("Org B", 2, False), ("Org A", 1, False), ("Org C", 0, True),  # col and cai; ben; declared only
    ]
    assert _row(health, net.wells).members == 8  # ana, ben, cai, dee, eve, mem, lou, kit


def test_a_community_whose_contributions_fell_or_stopped_is_fading_with_the_reason(net: Net) -> None:
    health = _health(net.people["admin"])
    assert _row(health, net.quiet).fading_reasons == [
        "Contributors down 100% (1 → 0)",
        "Contributions down 100% (4 → 0)",
        "No contribution in the last 30 days (the last on 2026-02-08)",
    ]
    assert not _row(health, net.wells).fading
    assert _row(health, net.pipes).fading_reasons == []  # cai's one of the previous window, ben's six now


def test_a_drop_of_exactly_30_percent_is_fading_and_less_is_not() -> None:
    def row(now: int, before: int) -> network.CommunityHealth:
        community = Community(name="x", created_at=datetime.now(UTC))
        flat = metrics.Metric(value=10, previous=10)
        values = dict.fromkeys(network.HEADLINE, flat)
        values["contributions"] = metrics.Metric(value=now, previous=before)
        return network.CommunityHealth(community, 1, values, [], datetime.now(UTC))

    window = metrics.window_ending(datetime.now(UTC).date(), 30)
    assert network.fading_reasons(row(7, 10), window) == ["Contributions down 30% (10 → 7)"]
    assert network.fading_reasons(row(8, 10), window) == []
    assert network.fading_reasons(row(5, 0), window) == []


def test_a_new_community_without_contributions_is_not_fading(net: Net) -> None:
    today = datetime.now(UTC).date()
    fresh = CommunityFactory.create(creator=net.people["ana"], name="Fresh", slug="fresh")
    assert _row(_health(net.people["admin"], today, 30), fresh).fading_reasons == []
    Community.objects.filter(pk=fresh.pk).update(created_at=datetime.now(UTC) - timedelta(days=40))
    assert _row(_health(net.people["admin"], today, 30), fresh).fading_reasons == [
        "No contribution in the last 30 days"
    ]


@pytest.mark.parametrize("sort", [*network.SORT_KEYS, *(f"-{key}" for key in network.SORT_KEYS)])
def test_the_table_sorts_by_every_column_with_missing_values_last(net: Net, sort: str) -> None:
    rows = network.sort_rows(_health(net.people["admin"]).communities, sort)
    assert len(rows) == 4
    key = network.SORT_KEYS[sort.removeprefix("-")]
    known = [key(row) for row in rows if key(row) is not None]
    assert known == sorted(known, reverse=sort.startswith("-"))
    assert all(key(row) is None for row in rows[len(known):])


def test_sorting_by_an_unknown_column_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        network.sort_rows([], "password")


def test_a_window_ending_in_the_future_or_too_early_is_refused_with_a_message() -> None:
    with pytest.raises(ValueError, match="today at the latest"):
        network.network_window(end=datetime.now(UTC).date() + timedelta(days=1))
    with pytest.raises(ValueError, match="or later"):
        network.network_window(end=date(1970, 2, 1), days=30)
    with pytest.raises(ValueError, match="from 1 to"):
        network.network_window(days=0)
