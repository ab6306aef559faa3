"""The network view's reads (``insights/network.py``): the same numbers as ``metrics.community_health``, a
constant number of queries, who sees which communities, organisations, fading communities and brokers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from practica.accounts.models import User
from practica.communities.models import Community
from practica.communities.permissions import Access
from practica.insights import metrics, network
from practica.insights.permissions import SEE_HEALTH
from practica.insights.tests.network_world import DAYS, END, Net, build_net, more_communities
from practica.lib.testing.factories import CommunityFactory

pytestmark = pytest.mark.django_db



@pytest.fixture
def net() -> Net:
    return build_net()


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


@pytest.mark.parametrize("viewer", ["admin", "ben"])
def test_the_network_costs_the_same_queries_for_2_and_12more_communities(net: Net, viewer: str) -> None:
    more_communities(net, 0, 2)
    small = _queries(net.people[viewer])
    more_communities(net, 2, 12)
    large = _queries(net.people[viewer])
    assert small == large
    assert large == network.QUERIES + (1 if viewer == "admin" else 0)  # the brokers' names
    # ben: wells, pipes and the extras (the vault is private and he is a plain member there).
    assert len(_health(net.people[viewer]).communities) == (16 if viewer == "admin" else 14)


def test_lists_exactly_the_communities_whose_health_the_rule_shows(net: Net) -> None:
    communities = list(Community.objects.all())
    for user in net.people.values():
        expected = {c.slug for c in communities if SEE_HEALTH(Access(c, user))}
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
