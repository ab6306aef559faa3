"""The front pages: the home page from all three sides, and the health check."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from practica.accounts.models import User
from practica.communities import services
from practica.communities.models import Community
from practica.lib.testing.client import page_client

pytestmark = pytest.mark.django_db


# --- Home -----------------------------------------------------------------------------------------


def test_anonymous_visitor_sees_the_featured_communities_but_not_private_ones(
    public_community: Community, members_only_community: Community, private_community: Community
) -> None:
    response = page_client().get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Create an account" in html
    assert "Public Wells" in html and "Members Wells" in html
    assert "Private Wells" not in html and "private-wells" not in html


@pytest.mark.parametrize("side", ["owner", "member"])
def test_a_member_sees_their_communities_private_ones_included(
    request: pytest.FixtureRequest, side: str, public_community: Community, private_community: Community
) -> None:
    html = page_client(request.getfixturevalue(side)).get("/").content.decode()

    assert "My communities" in html
    assert "Public Wells" in html and "Private Wells" in html


def test_an_outsider_sees_none_of_the_communities_and_an_invitation_to_find_one(
    outsider: User, private_community: Community
) -> None:
    html = page_client(outsider).get("/").content.decode()

    assert "You are not in any community yet." in html
    assert "Private Wells" not in html


def test_an_invited_person_sees_the_invitation_with_who_sent_it(
    owner: User, outsider: User, private_community: Community
) -> None:
    services.member_invite(community=private_community, actor=owner, user=outsider)

    html = page_client(outsider).get("/").content.decode()

    assert "Invitations" in html
    assert f"Private Wells</a> — invited by {owner.display_name}" in html


def test_home_answers_405_to_post(member: User) -> None:
    assert page_client(member).post("/").status_code == 405


# --- Health check ---------------------------------------------------------------------------------


def test_healthz_answers_ok_as_json(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(client: Client, monkeypatch: Any) -> None:
    from django.db import DatabaseError, connection

    def broken_cursor(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_healthz_answers_405_to_post(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
