"""The schema is the truth: real responses of the communities and people API match what /api/v1/schema/ says."""

from __future__ import annotations

import jsonschema
import pytest

from practica.accounts.models import User
from practica.communities import services
from practica.communities.models import Community, Membership, MembershipState, Role
from practica.lib.testing.client import Api
from practica.lib.testing.factories import MembershipFactory, OrganizationFactory, UserFactory
from practica.lib.testing.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db


def _url(community: Community, suffix: str = "") -> str:
    return f"/api/v1/communities/{community.slug}/{suffix}"


def test_community_reads_match_the_schema(api: Api, owner: User, member: User, public_community: Community) -> None:
    public_community.organizations.add(OrganizationFactory(slug="acme"))
    services.charter_update(
        community=public_community, actor=owner, purpose="Safer wells.",
        goals=[services.GoalData(description="Meet monthly")],
    )
    hopeful = UserFactory(username="hopeful")
    MembershipFactory(community=public_community, user=hopeful, state=MembershipState.REQUESTED)
    UserFactory(username="driller", expertise=[t.name for t in public_community.topics.all()] or ["drilling"])
    services.invitation_create(community=public_community, actor=owner, email="new@example.org")
    api.as_user(owner)

    for suffix in ("", "members/", "requests/", "invitations/", "history/", "recruits/"):
        response = api.get(_url(public_community, suffix))
        assert response.status_code == 200, suffix
        assert_matches_schema(response)
    listing = api.get("/api/v1/communities/")
    assert_matches_schema(listing)
    assert_matches_schema(api.as_user(None).get("/api/v1/communities/"))


def test_community_writes_match_the_schema(
    api: Api, owner: User, member: User, outsider: User, public_community: Community
) -> None:
    api.as_user(owner)
    created = api.post(
        "/api/v1/communities/",
        {"name": "Cementing", "slug": "cementing", "domain": "Cement jobs.", "charter": {"goals": [{"description": "A"}]}},
        format="json",
    )
    assert created.status_code == 201
    assert_matches_schema(created)
    assert_matches_schema(api.patch(_url(public_community), {"domain": "Wells."}, format="json"))
    membership = Membership.objects.get(community=public_community, user=member)
    assert_matches_schema(api.patch(_url(public_community, f"members/{membership.pk}/"), {"role": "core"}, format="json"))
    invitation = api.post(_url(public_community, "invitations/"), {"max_uses": 2}, format="json")
    assert invitation.status_code == 201
    assert_matches_schema(invitation)
    assert_matches_schema(api.post(_url(public_community, f"invitations/{invitation.json()['id']}/revoke/")))
    recruit = UserFactory(username="recruit")
    assert_matches_schema(api.post(_url(public_community, "recruits/"), {"user_id": recruit.pk}, format="json"))

    joined = api.as_user(outsider).post(_url(public_community, "join/"))
    assert joined.status_code == 200
    assert_matches_schema(joined)
    assert_matches_schema(api.post(_url(public_community, "leave/")))
    token = services.invitation_token(
        services.invitation_create(community=public_community, actor=owner, role=Role.MEMBER)
    )
    assert_matches_schema(api.post("/api/v1/invitations/accept/", {"token": token}, format="json"))


def test_a_response_with_an_undeclared_field_fails_the_contract(api: Api, public_community: Community) -> None:
    """The check is not blind: a payload the schema does not describe is caught."""
    response = api.get(_url(public_community))
    response.json()["surprise"] = 1  # the parsed body is cached on the response
    with pytest.raises(jsonschema.ValidationError, match="surprise"):
        assert_matches_schema(response)
