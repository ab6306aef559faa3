"""The charter's planned cadence of meetings: set on the charter page and through the API, kept in the history."""

from __future__ import annotations

import pytest

from practica.accounts.models import User
from practica.communities.models import Cadence, Charter, Community, CommunityChange
from practica.lib.testing.client import Api, page_client, page_html
from practica.lib.testing.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db


def _cadence(community: Community) -> str:
    return Charter.objects.get(community=community).cadence


def test_a_new_charter_plans_no_rhythm(community: Community) -> None:
    assert _cadence(community) == Cadence.NONE


def test_the_charter_page_sets_the_cadence_and_the_history_keeps_it(owner: User, community: Community) -> None:
    client = page_client(owner)
    assert '<option value="monthly">Monthly</option>' in page_html(client.get(f"/communities/{community.slug}/charter/"))

    data = {"purpose": "", "cadence": "monthly", "goals-TOTAL_FORMS": "0", "goals-INITIAL_FORMS": "0"}
    response = client.post(f"/communities/{community.slug}/charter/", data)

    assert response.status_code == 302
    assert _cadence(community) == Cadence.MONTHLY
    change = CommunityChange.objects.get(community=community, summary="Changed the charter cadence")
    assert change.changes == {"cadence": ["none", "monthly"]}
    assert "Planned meetings: monthly" in page_html(client.get(f"/communities/{community.slug}/"))


def test_the_charter_page_refuses_an_unknown_cadence(owner: User, community: Community) -> None:
    data = {"purpose": "", "cadence": "daily", "goals-TOTAL_FORMS": "0", "goals-INITIAL_FORMS": "0"}

    response = page_client(owner).post(f"/communities/{community.slug}/charter/", data)

    assert response.status_code == 400
    assert "Select a valid choice" in page_html(response)
    assert _cadence(community) == Cadence.NONE


def test_the_api_sets_the_cadence(api: Api, owner: User, community: Community) -> None:
    response = api.as_user(owner).patch(
        f"/api/v1/communities/{community.slug}/", {"charter": {"cadence": "fortnightly"}}, format="json"
    )

    assert response.status_code == 200, response.content
    assert_matches_schema(response)
    assert response.json()["charter"]["cadence"] == "fortnightly"
    assert _cadence(community) == Cadence.FORTNIGHTLY


def test_the_api_refuses_an_unknown_cadence_with_a_400(api: Api, owner: User, community: Community) -> None:
    response = api.as_user(owner).patch(
        f"/api/v1/communities/{community.slug}/", {"charter": {"cadence": "daily"}}, format="json"
    )

    assert response.status_code == 400
    assert "cadence" in str(response.json())
    assert _cadence(community) == Cadence.NONE


def test_a_community_is_created_with_its_cadence(api: Api, owner: User) -> None:
    payload = {"name": "Wells", "slug": "wells", "domain": "Wells.", "charter": {"cadence": "quarterly"}}

    response = api.as_user(owner).post("/api/v1/communities/", payload, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["charter"]["cadence"] == "quarterly"


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("outsider", 404)])
def test_only_coordinators_set_the_cadence_of_a_private_community(
    who: str, status: int, request: pytest.FixtureRequest, api: Api, private_community: Community
) -> None:
    response = api.as_user(request.getfixturevalue(who)).patch(
        f"/api/v1/communities/{private_community.slug}/", {"charter": {"cadence": "weekly"}}, format="json"
    )

    assert response.status_code == status
    assert _cadence(private_community) == Cadence.NONE
