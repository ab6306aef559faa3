"""The invitations the invitations page shows, in the API: the list of open ones and withdrawing one."""

from __future__ import annotations

from typing import Any

import pytest

from practica.accounts.models import User
from practica.communities import services
from practica.communities.models import Community, CommunityChange, Invitation, Role
from practica.lib.testing.client import Api
from practica.lib.testing.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _list_url(community: Community) -> str:
    return f"/api/v1/communities/{community.slug}/invitations/"


def _revoke_url(community: Community, invitation: Invitation | int) -> str:
    pk = invitation if isinstance(invitation, int) else invitation.pk
    return f"/api/v1/communities/{community.slug}/invitations/{pk}/revoke/"


def _link(community: Community, owner: User, **kwargs: Any) -> Invitation:
    return services.invitation_create(community=community, actor=owner, max_uses=5, **kwargs)


def test_coordinator_lists_open_invitations_with_their_links(
    api: Api, owner: User, private_community: Community
) -> None:
    link = _link(private_community, owner)
    withdrawn = _link(private_community, owner)
    services.invitation_revoke(community=private_community, actor=owner, invitation_id=withdrawn.pk)

    response = api.as_user(owner).get(_list_url(private_community))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [link.pk]
    assert rows[0]["url"] == services.invitation_url(link)
    assert rows[0]["max_uses"] == 5 and rows[0]["use_count"] == 0 and rows[0]["created_by"] == "owner"


def test_core_member_lists_invitations(api: Api, owner: User, member: User, public_community: Community) -> None:
    public_community.memberships.filter(user=member).update(role=Role.CORE)
    _link(public_community, owner)

    assert api.as_user(member).get(_list_url(public_community)).json()["count"] == 1


def test_plain_member_gets_403_on_the_invitation_list(api: Api, member: User, private_community: Community) -> None:
    response = api.as_user(member).get(_list_url(private_community))

    assert response.status_code == 403
    assert response.json()["detail"] == "Only coordinators and core members manage invitations."


def test_outsider_gets_404_on_the_invitations_of_a_private_community(
    api: Api, outsider: User, private_community: Community
) -> None:
    assert api.as_user(outsider).get(_list_url(private_community)).status_code == 404


def test_anonymous_gets_401_on_the_invitation_list(api: Api, public_community: Community) -> None:
    assert api.get(_list_url(public_community)).status_code == 401


@pytest.mark.parametrize("rows", [5, 50])
def test_invitation_list_costs_the_same_queries_for_5_and_50_rows(
    api: Api, owner: User, public_community: Community, rows: int, django_assert_num_queries: Any
) -> None:
    for _ in range(rows):
        _link(public_community, owner)
    api.as_user(owner)
    # A first read of the day also records the reader's activity (insights): read once, then count.
    api.get(_list_url(public_community), {"page_size": 100})
    # The community, the caller's membership, the count, the page of invitations with their authors.
    with django_assert_num_queries(4):
        response = api.get(_list_url(public_community), {"page_size": 100})
    assert len(response.json()["results"]) == rows


def test_coordinator_revokes_an_invitation_and_its_link_stops_working(
    api: Api, owner: User, outsider: User, private_community: Community
) -> None:
    link = _link(private_community, owner)

    response = api.as_user(owner).post(_revoke_url(private_community, link))

    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None and response.json()["is_usable"] is False
    assert api.get(_list_url(private_community)).json()["count"] == 0
    assert CommunityChange.objects.filter(community=private_community, summary="Withdrew an invitation").exists()
    accepted = api.as_user(outsider).post(
        "/api/v1/invitations/accept/", {"token": services.invitation_token(link)}, format="json"
    )
    assert accepted.status_code == 410


def test_plain_member_gets_403_on_revoke_and_the_invitation_stays(
    api: Api, owner: User, member: User, public_community: Community
) -> None:
    link = _link(public_community, owner)

    response = api.as_user(member).post(_revoke_url(public_community, link))

    assert response.status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None


def test_outsider_gets_404_on_revoke_in_a_private_community(
    api: Api, owner: User, outsider: User, private_community: Community
) -> None:
    link = _link(private_community, owner)

    assert api.as_user(outsider).post(_revoke_url(private_community, link)).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_revoking_another_communitys_invitation_is_404_and_changes_nothing(
    api: Api, owner: User, public_community: Community
) -> None:
    elsewhere = CommunityFactory(slug="elsewhere")
    MembershipFactory(community=elsewhere, user=owner, role=Role.COORDINATOR)
    theirs = _link(elsewhere, owner)

    response = api.as_user(owner).post(_revoke_url(public_community, theirs))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_revoking_an_unknown_invitation_gives_404_with_a_message(
    api: Api, owner: User, public_community: Community
) -> None:
    response = api.as_user(owner).post(_revoke_url(public_community, 987654))

    assert response.status_code == 404 and response.json()["detail"] == "No such invitation."
