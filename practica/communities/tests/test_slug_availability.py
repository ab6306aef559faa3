"""Whether an address is taken by a community one may not see cannot be told from the answer: a reserved word,
every taken address (private or not, in any letter case) and a race lost at the database all get one message,
on the page form and in the API, when creating and when changing the address ([P12] finding 14)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from practica.accounts.models import User
from practica.communities import services
from practica.communities.models import Community, Membership
from practica.lib.testing.client import Api, page_client
from practica.lib.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

NOT_AVAILABLE = "This address is not available; choose another."
# Taken (by a private, a members-only and a public community, in other cases too) or reserved.
UNAVAILABLE = ["private-wells", "Private-Wells", "members-wells", "public-wells", "admin", "new", "API"]


@pytest.fixture
def admin(db: None) -> User:
    return User.objects.create_superuser("netadmin", "netadmin@example.org", "pw-Secret-123")


@pytest.fixture
def everyone(
    owner: User, member: User, outsider: User, admin: User,
    private_community: Community, members_only_community: Community, public_community: Community,
) -> dict[str, User]:
    return {"outsider": outsider, "member": member, "network admin": admin}


def _page_form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Casing design", "slug": "casing-design", "domain": "Designing casing strings.",
        "topics": "Casing", "visibility": "public", "stage": "potential", "charter-purpose": "",
        "goals-TOTAL_FORMS": "0", "goals-INITIAL_FORMS": "0", "goals-MIN_NUM_FORMS": "0",
        "goals-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def _slug_errors(html: str) -> str:
    match = re.search(r'<ul class="errorlist" id="id_slug_error">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


def _api_payload(slug: str) -> dict[str, Any]:
    return {"name": "Casing design", "slug": slug, "domain": "Designing casing strings.", "topics": ["Casing"],
            "visibility": "public", "stage": "potential"}


@pytest.mark.parametrize("who", ["outsider", "member", "network admin"])
def test_the_page_answers_every_unavailable_address_the_same_way(everyone: dict[str, User], who: str) -> None:
    client = page_client(everyone[who])
    before = Community.objects.count()

    answers = set()
    for slug in UNAVAILABLE:
        response = client.post("/communities/new/", _page_form(slug=slug))
        assert response.status_code == 400, slug
        answers.add(_slug_errors(response.content.decode()))

    assert len(answers) == 1
    assert NOT_AVAILABLE in answers.pop()
    assert Community.objects.count() == before
    fresh = client.post("/communities/new/", _page_form(slug="casing-design"))
    assert fresh.status_code == 302


@pytest.mark.parametrize("who", ["outsider", "member", "network admin"])
def test_the_api_answers_every_unavailable_address_the_same_way(everyone: dict[str, User], who: str) -> None:
    api = Api().as_user(everyone[who])
    before = (Community.objects.count(), Membership.objects.count())

    answers = []
    for slug in UNAVAILABLE:
        response = api.post("/api/v1/communities/", _api_payload(slug), format="json")
        answers.append((response.status_code, response.json()))

    assert answers == [(400, {"slug": [NOT_AVAILABLE]})] * len(UNAVAILABLE)
    assert (Community.objects.count(), Membership.objects.count()) == before
    assert api.post("/api/v1/communities/", _api_payload("casing-design"), format="json").status_code == 201


def test_changing_the_address_to_a_private_communitys_answers_as_for_a_reserved_word(
    everyone: dict[str, User], outsider: User
) -> None:
    mine = services.community_create(creator=outsider, name="Outsider's own", slug="outsiders-own", domain="Mine.")
    api = Api().as_user(outsider)
    client = page_client(outsider)
    edit = {"name": mine.name, "domain": mine.domain, "topics": "Casing", "visibility": "public",
            "stage": "potential"}

    api_answers = {
        slug: api.patch(f"/api/v1/communities/{mine.slug}/", {"slug": slug}, format="json").json()
        for slug in ("private-wells", "PRIVATE-WELLS", "admin", "public-wells")
    }
    page_answers = {
        slug: _slug_errors(client.post(f"/communities/{mine.slug}/edit/", {**edit, "slug": slug}).content.decode())
        for slug in ("private-wells", "admin", "public-wells")
    }

    assert set(map(str, api_answers.values())) == {str({"slug": [NOT_AVAILABLE]})}
    assert len(set(page_answers.values())) == 1 and NOT_AVAILABLE in page_answers["private-wells"]
    mine.refresh_from_db()
    assert mine.slug == "outsiders-own"


def test_a_race_lost_at_the_database_gets_the_same_answer(everyone: dict[str, User], monkeypatch: Any) -> None:
    # Another request took the address between the check and the insert.
    monkeypatch.setattr(services, "_validate_slug", lambda slug, **kwargs: slug.strip().lower())
    api = Api().as_user(UserFactory.create())

    response = api.post("/api/v1/communities/", _api_payload("private-wells"), format="json")

    assert (response.status_code, response.json()) == (400, {"slug": [NOT_AVAILABLE]})
