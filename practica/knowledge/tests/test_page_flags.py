"""The knowledge pages offer writing exactly when ``permissions.may_write`` allows it, seen from the network
admin's side (they take part everywhere without being members; the empty list used to test membership)."""

from __future__ import annotations

import pytest

from practica.accounts.models import User
from practica.communities.models import Community
from practica.lib.testing.client import page_client, page_html
from practica.lib.testing.factories import UserFactory

WRITE_ONE = ">Write one</a>"


@pytest.fixture
def network_admin(db: None) -> User:
    return UserFactory(username="netadmin", is_superuser=True, is_staff=True)


def test_a_network_admin_is_offered_to_write_one_when_no_item_matches(community: Community, network_admin: User) -> None:
    html = page_html(page_client(network_admin).get(f"/communities/{community.slug}/knowledge/?q=nothing+like+this"))

    assert "No knowledge item matches." in html
    assert WRITE_ONE in html


def test_a_member_is_offered_to_write_one_and_an_outsider_is_not(
    community: Community, member: User, outsider: User
) -> None:
    url = f"/communities/{community.slug}/knowledge/?q=nothing+like+this"

    assert WRITE_ONE in page_html(page_client(member).get(url))
    assert WRITE_ONE not in page_html(page_client(outsider).get(url))


def test_the_htmx_results_offer_the_network_admin_to_write_one_too(community: Community, network_admin: User) -> None:
    response = page_client(network_admin).get(
        f"/communities/{community.slug}/knowledge/?q=nothing+like+this", HTTP_HX_REQUEST="true"
    )

    html = page_html(response)
    assert "<html" not in html and WRITE_ONE in html
