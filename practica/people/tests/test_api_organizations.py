"""An organisation in the API, as its page shows it: the communities it takes part in and its people."""

from __future__ import annotations

from typing import Any

import pytest

from practica.accounts.models import User
from practica.communities.models import Community
from practica.lib.testing.client import Api
from practica.lib.testing.factories import OrganizationFactory, UserFactory
from practica.lib.testing.openapi import assert_matches_schema
from practica.people.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(public_community: Community, private_community: Community) -> Organization:
    org = OrganizationFactory(name="Acme Drilling", slug="acme", website="https://acme.example")
    public_community.organizations.add(org)
    private_community.organizations.add(org)
    ada = UserFactory(username="ada", discipline="Drilling", organization=org)
    ada.profile.display_name = "Ada"
    ada.profile.save(update_fields=["display_name"])
    UserFactory(username="gone", organization=org, is_active=False)
    return org


def test_an_organisation_shows_its_communities_and_active_people(api: Api, acme: Organization) -> None:
    response = api.get("/api/v1/organizations/acme/")

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["kind"], body["website"], body["people"]) == (
        "Acme Drilling", "company", "https://acme.example", 1,
    )
    assert [c["slug"] for c in body["communities"]] == ["public-wells"]
    assert body["members"] == [{"username": "ada", "display_name": "Ada", "discipline": "Drilling"}]
    assert_matches_schema(response)


def test_a_member_of_a_private_community_sees_it_among_the_organisations_communities(
    api: Api, member: User, acme: Organization
) -> None:
    communities = api.as_user(member).get("/api/v1/organizations/acme/").json()["communities"]

    assert [c["slug"] for c in communities] == ["private-wells", "public-wells"]


def test_an_outsider_does_not_see_the_private_community_of_an_organisation(
    api: Api, outsider: User, acme: Organization
) -> None:
    communities = api.as_user(outsider).get("/api/v1/organizations/acme/").json()["communities"]

    assert "private-wells" not in {c["slug"] for c in communities}


def test_an_unknown_organisation_is_404(api: Api) -> None:
    response = api.get("/api/v1/organizations/nobody/")

    assert response.status_code == 404 and response.json()["detail"] == "No such organisation."


def test_an_organisation_cannot_be_written_through_the_api(api: Api, owner: User, acme: Organization) -> None:
    response = api.as_user(owner).patch("/api/v1/organizations/acme/", {"name": "Renamed"}, format="json")

    assert response.status_code == 405
    acme.refresh_from_db()
    assert acme.name == "Acme Drilling"


@pytest.mark.parametrize("people", [5, 50])
def test_organisation_detail_costs_the_same_queries_for_5_and_50_people(
    api: Api, people: int, django_assert_num_queries: Any
) -> None:
    org = OrganizationFactory(slug="big")
    for _ in range(people):
        UserFactory(organization=org)
    # The organisation with its count, its communities, its people.
    with django_assert_num_queries(3):
        response = api.get("/api/v1/organizations/big/")
    assert len(response.json()["members"]) == people
