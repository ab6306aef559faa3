"""``GET /api/v1/network/health/``: the network view in the API, for each kind of caller, checked against its
schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from practica.insights import metrics, network
from practica.insights.tests.network_world import DAYS, END, Net, build_net, more_communities
from practica.lib.testing.client import Api
from practica.lib.testing.openapi import assert_matches_schema
from practica.lib.testing.queries import api_queries

pytestmark = pytest.mark.django_db

URL = "/api/v1/network/health/"
WINDOW = {"days": DAYS, "end": END.isoformat()}


@pytest.fixture
def net() -> Net:
    return build_net()


def _get(net: Net, name: str | None, params: dict[str, Any] | None = None) -> Any:
    return Api().as_user(net.people[name] if name else None).get(URL, WINDOW if params is None else params)


def _slugs(response: Any) -> list[str]:
    return [community["slug"] for community in response.json()["communities"]]


def test_the_anonymous_caller_must_sign_in(net: Net) -> None:
    assert _get(net, None).status_code == 401


def test_someone_who_sees_no_communitys_health_gets_404(net: Net) -> None:
    response = _get(net, "out")
    assert response.status_code == 404


def test_a_network_admin_gets_every_community_and_the_brokers(net: Net) -> None:
    response = _get(net, "admin")
    assert response.status_code == 200, response.content
    assert_matches_schema(response)
    body = response.json()
    assert body["window"] == {"start": "2026-03-02", "end": "2026-03-31"}
    assert body["previous_window"] == {"start": "2026-01-31", "end": "2026-03-01"}
    assert _slugs(response) == ["pipes", "quiet", "vault", "wells"]
    assert body["brokers"] == [{
        "username": "ben", "display_name": "ben", "organisation": "Org A", "contributions": 7,
        "communities": [
            {"slug": "pipes", "name": "Pipes", "contributions": 3},
            {"slug": "wells", "name": "Wells", "contributions": 3},
            {"slug": "vault", "name": "Vault", "contributions": 1},
        ],
    }]


def test_each_communitys_numbers_are_those_of_its_health(net: Net) -> None:
    communities = {c["slug"]: c for c in _get(net, "admin").json()["communities"]}
    for community in (net.wells, net.pipes, net.vault, net.quiet):
        expected = metrics.community_health(community=community, end=END, days=DAYS).metrics
        got = communities[community.slug]["metrics"]
        assert set(got) == set(network.HEADLINE)
        for name in network.HEADLINE:
            assert got[name] == {
                "value": pytest.approx(expected[name].value), "previous": pytest.approx(expected[name].previous)
            }, (community.slug, name)
    wells = communities["wells"]
    assert (wells["members"], wells["stage"], wells["visibility"], wells["fading"]) == (8, "potential", "public", False)
    assert wells["organisations"] == [
        {"slug": "org-a", "name": "Org A", "members": 2, "declared": False},
        {"slug": "org-b", "name": "Org B", "members": 2, "declared": False},
    ]
    assert communities["wells"]["metrics"]["contributors"] == {"value": 8, "previous": 2}  # integers stay integers
    quiet = communities["quiet"]
    assert quiet["fading"] and quiet["fading_reasons"][-1].startswith("No contribution in the last 30 days")
    assert quiet["last_contribution_at"] == "2026-02-08T00:00:00Z"


def test_a_sponsor_gets_their_private_community_and_no_brokers(net: Net) -> None:
    response = _get(net, "sam")
    assert_matches_schema(response)
    assert _slugs(response) == ["vault"]
    assert response.json()["brokers"] is None


def test_a_coordinator_gets_their_community_and_no_brokers(net: Net) -> None:
    response = _get(net, "col")
    assert (_slugs(response), response.json()["brokers"]) == (["pipes"], None)


def test_a_private_community_never_reaches_a_plain_member_of_it_or_of_another(net: Net) -> None:
    for name in ("mem", "ben", "cai"):
        response = _get(net, name)
        assert response.status_code == 200
        assert "vault" not in response.content.decode().lower(), name
    assert _slugs(_get(net, "mem")) == ["wells"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"days": "0"}, "days"), ({"days": "abc"}, "days"), ({"days": str(metrics.MAX_DAYS + 1)}, "days"),
     ({"end": "yesterday"}, "end"), ({"end": "2026-02-30"}, "end"), ({"end": "1970-01-20"}, "end"),
     ({"end": "9999-12-31"}, "end")],
)
def test_a_wrong_window_is_a_400_naming_the_field(net: Net, params: dict[str, str], field: str) -> None:
    response = _get(net, "admin", params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("params", [{}, {"days": "90", "end": ""}])
def test_the_window_defaults_to_the_90_days_ending_today(net: Net, params: dict[str, str]) -> None:
    response = _get(net, "admin", params)
    assert_matches_schema(response)
    today = datetime.now(UTC).date()
    assert response.json()["window"] == {"start": (today - timedelta(days=89)).isoformat(), "end": today.isoformat()}


@pytest.mark.parametrize("viewer", ["admin", "ben"])
def test_the_api_costs_the_same_queries_for_2_and_12_more_communities(net: Net, viewer: str) -> None:
    api = Api().as_user(net.people[viewer])
    more_communities(net, 0, 2)
    _, small = api_queries(api, URL, WINDOW)
    more_communities(net, 2, 12)
    response, large = api_queries(api, URL, WINDOW)
    assert len(small) == len(large), "\n".join(large)
    assert len(response.json()["communities"]) == (16 if viewer == "admin" else 14)
