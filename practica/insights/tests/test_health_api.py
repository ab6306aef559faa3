"""``GET /api/v1/communities/{slug}/health/`` and ``.../health/people/``: who may see them, what they answer (the
numbers of ``metrics.community_health``, in the shape the schema declares), bad windows, and their cost."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practica.accounts.models import User
from practica.communities.models import Community, Role
from practica.insights import metrics
from practica.insights.dashboard import today_utc
from practica.insights.tests.health_world import DAYS, END, QUERY, grow, populate
from practica.lib.testing.client import Api
from practica.lib.testing.factories import MembershipFactory, UserFactory
from practica.lib.testing.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db


def url(community: Community, people: bool = False) -> str:
    return f"/api/v1/communities/{community.slug}/health/" + ("people/" if people else "")


def with_role(community: Community, role: str, name: str) -> User:
    person = UserFactory.create(username=name)
    MembershipFactory.create(community=community, user=person, role=role)
    return person


@pytest.fixture
def regular(community: Community, owner: User, member: User) -> User:
    return populate(community, owner, member)


def test_the_coordinator_gets_the_metrics_of_community_health_in_the_declared_shape(
    api: Api, community: Community, owner: User, regular: User
) -> None:
    response = api.as_user(owner).get(url(community), QUERY)
    assert response.status_code == 200, response.content
    assert_matches_schema(response)
    body = response.json()
    health = metrics.community_health(community=community, end=END, days=DAYS)
    assert set(body["metrics"]) == set(metrics.METRICS)
    for name, metric in health.metrics.items():
        assert (body["metrics"][name]["value"], body["metrics"][name]["previous"]) == (metric.value, metric.previous), name
    assert body["window"] == {"start": "2026-03-02", "end": "2026-03-31", "days": 30}
    assert body["previous_window"] == {"start": "2026-01-31", "end": "2026-03-01", "days": 30}
    # Two contributions in the window (the question and the answer, and the member's comment): 3 by 2 people.
    assert body["metrics"]["contributions"]["value"] == 3 and body["metrics"]["contributors"]["value"] == 2
    assert body["metrics"]["lost_regulars"] == {
        **body["metrics"]["lost_regulars"], "value": 1, "previous": 0, "change": 1, "direction": "up",
        "verdict": "worse", "label": "Lost regulars", "better": "down",
    }


def test_the_payload_has_the_goals_the_levels_and_the_movement_between_them(
    api: Api, community: Community, owner: User, regular: User
) -> None:
    body = api.as_user(owner).get(url(community), QUERY).json()
    assert [goal["description"] for goal in body["goals"]] == ["Answer every question", "Be friendly"]
    assert body["goals"][0]["metric"] == "reply_coverage_7d" and body["goals"][0]["value"] == 1.0
    assert body["goals"][1]["status"] == "not_measured"
    levels = {row["level"]: row["count"] for row in body["participation"]["levels"]}
    # The owner by role, the member by contributions (2 of 3 reach half); the regular wrote nothing in the window.
    assert levels == {"core": 2, "active": 0, "occasional": 0, "peripheral": 0, "inactive": 1}
    moves = {(m["from"], m["to"]): m["count"] for m in body["participation"]["movement"]}
    # The regular made most of February's contributions (4 of 5): core then, inactive now.
    assert len(moves) == 25 and moves[("core", "inactive")] == 1
    assert body["participation"]["moves"]["dropped"] >= 1
    assert body["concentration"][-1] == {"people": 2, "share": 1.0}


@pytest.mark.parametrize("role", [Role.CORE, Role.SPONSOR, Role.COORDINATOR])
def test_coordinators_core_members_and_sponsors_see_a_private_communitys_health(
    api: Api, private_community: Community, role: str
) -> None:
    person = with_role(private_community, role, f"the-{role}")
    assert api.as_user(person).get(url(private_community)).status_code == 200


def test_a_member_of_a_public_community_sees_the_numbers_but_not_the_people(
    api: Api, community: Community, member: User, regular: User
) -> None:
    assert api.as_user(member).get(url(community), QUERY).status_code == 200
    refused = api.as_user(member).get(url(community, people=True), QUERY)
    assert refused.status_code == 403 and "coordinators" in refused.json()["detail"]


def test_a_core_member_and_a_sponsor_see_the_numbers_but_not_the_people(api: Api, community: Community) -> None:
    for role in (Role.CORE, Role.SPONSOR):
        person = with_role(community, role, f"the-{role}")
        assert api.as_user(person).get(url(community)).status_code == 200
        assert api.as_user(person).get(url(community, people=True)).status_code == 403


def test_a_member_of_a_private_community_without_a_role_gets_404(
    api: Api, private_community: Community, member: User
) -> None:
    for people in (False, True):
        assert api.as_user(member).get(url(private_community, people)).status_code == 404


def test_an_outsider_and_the_anonymous_visitor_get_404_for_a_private_and_a_public_community(
    api: Api, public_community: Community, private_community: Community, outsider: User
) -> None:
    for person in (outsider, None):
        for slug in (public_community.slug, private_community.slug, "no-such-community"):
            for people in (False, True):
                response = api.as_user(person).get(url(Community(slug=slug), people))
                assert response.status_code == 404, (person, slug, people)


def test_a_hidden_community_answers_404_before_its_bad_window_answers_400(
    api: Api, private_community: Community, outsider: User
) -> None:
    assert api.as_user(outsider).get(url(private_community), {"days": 0}).status_code == 404


def test_the_coordinator_sees_who_is_on_which_level_and_the_lost_regulars(
    api: Api, community: Community, owner: User, regular: User
) -> None:
    response = api.as_user(owner).get(url(community, people=True), QUERY)
    assert response.status_code == 200
    assert_matches_schema(response)
    body = response.json()
    assert [(p["username"], p["level"]) for p in body["levels"]] == [
        ("member", "core"), ("owner", "core"), ("regular", "inactive")
    ]
    assert body["lost_regulars"] == [{"username": "regular", "name": "Rita Regular", "contributions_before": 4}]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"days": 0}, "days"),
        ({"days": 3661}, "days"),
        ({"days": "ninety"}, "days"),
        ({"end": "2026-13-01"}, "end"),
        ({"end": "yesterday"}, "end"),
        ({"end": "1970-02-01"}, "end"),  # the window before would start in 1969
    ],
)
def test_a_bad_window_is_a_400_naming_the_field(
    api: Api, community: Community, owner: User, query: dict[str, Any], field: str
) -> None:
    response = api.as_user(owner).get(url(community), query)
    assert response.status_code == 400
    assert response.json()[field][0]


def test_a_window_ending_in_the_future_is_a_400_that_says_so(api: Api, community: Community, owner: User) -> None:
    tomorrow = today_utc() + timedelta(days=1)
    response = api.as_user(owner).get(url(community), {"end": tomorrow.isoformat()})
    assert response.status_code == 400 and "future" in response.json()["end"][0]


def test_the_window_ends_today_by_default_and_lasts_90_days(api: Api, community: Community, owner: User) -> None:
    window = api.as_user(owner).get(url(community)).json()["window"]
    assert window["end"] == today_utc().isoformat() and window["days"] == 90


def _queries(api: Api, path: str) -> int:
    """The queries of a second read (the day's first read by a person writes their activity row)."""
    api.get(path, QUERY)
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(path, QUERY)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_cost_is_the_same_for_5_and_for_50_members_and_threads(
    api: Api, community: Community, owner: User, member: User
) -> None:
    populate(community, owner, member)
    api.as_user(owner)
    grow(community, owner, 5, prefix="few")
    small = (_queries(api, url(community)), _queries(api, url(community, people=True)))
    grow(community, owner, 45, prefix="many")
    assert (_queries(api, url(community)), _queries(api, url(community, people=True))) == small
    # community, membership, 2 x QUERIES_PER_WINDOW metrics (less the rhythm's stored occurrences, not read without
    # any event), goals, contributions per person (+ members by name)
    per_window = metrics.QUERIES_PER_WINDOW - 1
    assert small == (2 + 2 * per_window + 2, 2 + 2 * per_window + 3)
