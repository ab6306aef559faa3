"""The people API: one's own profile (/api/v1/me/), other people's profiles and organisations."""

from __future__ import annotations

import pytest

from practica.accounts.models import User
from practica.lib.testing.client import Api
from practica.lib.testing.factories import OrganizationFactory, UserFactory
from practica.people.models import Organization

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def test_me_shows_the_callers_profile(api: Api, member: User) -> None:
    response = api.as_user(member).get(ME)

    assert response.status_code == 200
    body = response.json()
    assert (body["username"], body["timezone"], body["expertise"], body["languages"]) == ("member", "UTC", [], [])


def test_me_needs_credentials(api: Api) -> None:
    assert api.get(ME).status_code == 401
    assert api.patch(ME, {"bio": "x"}, format="json").status_code == 401


def test_patching_me_updates_expertise_languages_timezone_and_organisation(api: Api, member: User) -> None:
    response = api.as_user(member).patch(
        ME,
        {
            "display_name": "Mette Berg",
            "expertise": ["Well Integrity", "cementing", "Well integrity"],
            "languages": ["Norwegian", "English"],
            "timezone": "Europe/Oslo",
            "organization": "Equinor",
            "discipline": "Drilling engineering",
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["display_name"] == "Mette Berg"
    assert sorted(body["expertise"]) == ["cementing", "well-integrity"]
    assert body["languages"] == ["Norwegian", "English"]
    assert body["timezone"] == "Europe/Oslo"
    assert body["organization"] == "Equinor"
    member.profile.refresh_from_db()
    assert member.profile.timezone == "Europe/Oslo"
    assert member.profile.organization == Organization.objects.get(name="Equinor")


def test_an_existing_organisation_is_reused_whatever_the_case(api: Api, member: User) -> None:
    existing = OrganizationFactory(name="Equinor", slug="equinor")

    api.as_user(member).patch(ME, {"organization": "EQUINOR"}, format="json")

    member.profile.refresh_from_db()
    assert member.profile.organization == existing
    assert Organization.objects.count() == 1


def test_unknown_time_zone_gives_400_with_a_field_message(api: Api, member: User) -> None:
    response = api.as_user(member).patch(ME, {"timezone": "Mars/Olympus_Mons", "bio": "Hello"}, format="json")

    assert response.status_code == 400
    assert "not a known time zone" in response.json()["timezone"][0]
    member.profile.refresh_from_db()
    assert (member.profile.timezone, member.profile.bio) == ("UTC", "")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("display_name", "x" * 101),
        ("bio", "x" * 5001),
        ("expertise", ["x" * 65]),
        ("languages", ["x" * 41]),
        ("expertise", "not a list"),
        ("languages", [f"Language {i}" for i in range(21)]),
    ],
)
def test_over_long_or_wrongly_typed_fields_give_400(api: Api, member: User, field: str, value: object) -> None:
    response = api.as_user(member).patch(ME, {field: value}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    member.profile.refresh_from_db()
    assert member.profile.display_name == "" and member.profile.bio == ""


def test_an_unusable_expertise_gives_400_and_changes_nothing(api: Api, member: User) -> None:
    response = api.as_user(member).patch(ME, {"expertise": ["!!!"], "bio": "Hello"}, format="json")

    assert response.status_code == 400
    assert "expertise" in response.json()
    member.profile.refresh_from_db()
    assert member.profile.bio == ""


def test_anyone_reads_a_persons_profile(api: Api, outsider: User) -> None:
    UserFactory(username="mette", expertise=["Cementing"], discipline="Drilling engineering")

    for viewer in (None, outsider):
        response = api.as_user(viewer).get("/api/v1/people/mette/")
        assert response.status_code == 200
        assert response.json()["expertise"] == ["cementing"]
        assert response.json()["discipline"] == "Drilling engineering"


def test_profile_lookup_ignores_the_case_of_the_username(api: Api, member: User) -> None:
    assert api.get("/api/v1/people/MEMBER/").json()["username"] == "member"


def test_unknown_or_deactivated_person_is_404(api: Api) -> None:
    UserFactory(username="gone", is_active=False)

    assert api.get("/api/v1/people/nobody/").status_code == 404
    assert api.get("/api/v1/people/gone/").status_code == 404


def test_a_nul_character_in_a_username_is_404_not_500(api: Api, member: User) -> None:
    assert api.get("/api/v1/people/mem%00ber/").status_code in (400, 404)


def test_organisations_list_counts_active_people(api: Api) -> None:
    org = OrganizationFactory(name="Equinor", slug="equinor")
    UserFactory(organization=org)
    UserFactory(organization=org, is_active=False)

    rows = api.get("/api/v1/organizations/").json()["results"]

    assert [(r["slug"], r["people"]) for r in rows] == [("equinor", 1)]
