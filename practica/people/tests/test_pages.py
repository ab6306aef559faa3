"""Profile, organisation and account pages, seen from every side: the person themself, another member,
an outsider and the anonymous visitor."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from practica.accounts.models import User
from practica.communities.models import Community, Visibility
from practica.lib.testing.client import field_errors, page_client, page_html
from practica.lib.testing.factories import PASSWORD, CommunityFactory, OrganizationFactory, UserFactory
from practica.people.models import Organization, Profile

pytestmark = pytest.mark.django_db


# --- Profile page ---------------------------------------------------------------------------------


def test_profile_shows_the_persons_background(client: Client) -> None:
    org = OrganizationFactory(name="Norsk Boring", slug="norsk-boring")
    person = UserFactory(username="kari", organization=org, discipline="Drilling", expertise=["Cementing"])
    Profile.objects.filter(user=person).update(display_name="Kari Nordmann", job_title="Well engineer")

    response = client.get("/people/kari/")

    assert response.status_code == 200
    html = page_html(response)
    for text in ("Kari Nordmann", "Well engineer", "Norsk Boring", "Drilling", "Cementing", "@kari"):
        assert text in html
    assert "Edit my profile" not in html


def test_profile_of_an_unknown_person_is_404(client: Client) -> None:
    assert client.get("/people/nobody-here/").status_code == 404


def test_profile_of_a_deactivated_person_is_404(client: Client) -> None:
    UserFactory(username="gone", is_active=False)

    assert client.get("/people/gone/").status_code == 404


@pytest.mark.parametrize("side", ["outsider", None])
def test_profile_hides_private_communities_the_viewer_cannot_see(
    side: str | None,
    request: pytest.FixtureRequest,
    member: User,
    public_community: Community,
    members_only_community: Community,
    private_community: Community,
) -> None:
    viewer = request.getfixturevalue(side) if side else None

    html = page_html(page_client(viewer).get("/people/member/"))

    assert "Public Wells" in html
    assert "Members Wells" in html
    assert "Private Wells" not in html
    assert "private-wells" not in html


@pytest.mark.parametrize("side", ["member", "owner"])
def test_profile_shows_private_communities_to_people_in_them(
    side: str, request: pytest.FixtureRequest, member: User, private_community: Community
) -> None:
    html = page_html(page_client(request.getfixturevalue(side)).get("/people/member/"))

    assert "Private Wells" in html


def test_own_profile_offers_the_edit_link(member: User) -> None:
    assert "/people/me/edit/" in page_html(page_client(member).get("/people/member/"))


# --- Editing one's profile ------------------------------------------------------------------------


def _profile_data(**overrides: str) -> dict[str, str]:
    data = {
        "display_name": "Mette Member",
        "organization": "Havbunn Engineering",
        "organization_kind": Organization.Kind.COMPANY,
        "discipline": "Drilling engineering",
        "job_title": "Drilling supervisor",
        "location": "Stavanger",
        "timezone": "Europe/Oslo",
        "bio": "Twenty years offshore.",
        "expertise": "Cementing, Well control, cementing",
        "languages": "Norwegian, English",
    }
    data.update(overrides)
    return data


def test_anonymous_visitor_is_sent_to_sign_in_to_edit_a_profile(client: Client) -> None:
    for response in (client.get("/people/me/edit/"), client.post("/people/me/edit/", _profile_data())):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/people/me/edit/")


def test_person_edits_their_own_profile_and_organisation_is_created_on_the_fly(
    member: User, owner: User
) -> None:
    client = page_client(member)
    assert client.get("/people/me/edit/").status_code == 200

    response = client.post("/people/me/edit/", _profile_data())

    assert response.status_code == 302
    assert response["Location"] == "/people/member/"
    profile = Profile.objects.select_related("organization").get(user=member)
    assert profile.display_name == "Mette Member"
    assert profile.timezone == "Europe/Oslo"
    assert profile.languages == ["Norwegian", "English"]
    assert profile.organization is not None
    assert (profile.organization.name, profile.organization.slug) == (
        "Havbunn Engineering",
        "havbunn-engineering",
    )
    assert sorted(t.slug for t in profile.expertise.all()) == ["cementing", "well-control"]
    # The owner's profile is untouched: the edit page always edits the signed-in person.
    owner_profile = Profile.objects.get(user=owner)
    assert owner_profile.display_name != "Mette Member"
    assert owner_profile.organization is None
    page = page_html(client.get("/people/member/"))
    assert "Havbunn Engineering" in page
    assert "Well control" in page


def test_editing_reuses_an_existing_organisation_whatever_the_letter_case(member: User) -> None:
    org = OrganizationFactory(name="Norsk Boring", slug="norsk-boring")

    page_client(member).post("/people/me/edit/", _profile_data(organization="norsk boring"))

    assert Profile.objects.get(user=member).organization == org
    assert Organization.objects.count() == 1


def test_edit_page_ignores_attempts_to_edit_someone_else(member: User, owner: User) -> None:
    # There is no username in the address; extra fields naming another person change nothing.
    page_client(member).post("/people/me/edit/", {**_profile_data(), "user": owner.pk, "username": "owner"})

    assert Profile.objects.get(user=member).display_name == "Mette Member"
    assert Profile.objects.get(user=owner).display_name == ""


def test_unknown_time_zone_is_a_form_error_and_nothing_is_saved(member: User) -> None:
    response = page_client(member).post("/people/me/edit/", _profile_data(timezone="Mars/Olympus_Mons"))

    assert response.status_code == 400
    assert "Select a valid choice" in field_errors(page_html(response), "timezone")
    profile = Profile.objects.get(user=member)
    assert profile.display_name == ""
    assert profile.timezone == "UTC"


def test_over_long_display_name_is_a_form_error(member: User) -> None:
    response = page_client(member).post("/people/me/edit/", _profile_data(display_name="x" * 101))

    assert response.status_code == 400
    assert "at most 100 characters" in field_errors(page_html(response), "display_name")
    assert Profile.objects.get(user=member).display_name == ""


def test_over_long_expertise_is_refused_next_to_the_field(member: User) -> None:
    response = page_client(member).post("/people/me/edit/", _profile_data(expertise="x" * 65))

    assert response.status_code == 400
    assert "at most 64 characters" in field_errors(page_html(response), "expertise")
    assert not Profile.objects.get(user=member).expertise.exists()


# --- Organisations --------------------------------------------------------------------------------


def test_organisations_list_shows_each_with_its_people(client: Client) -> None:
    org = OrganizationFactory(name="Norsk Boring", slug="norsk-boring")
    UserFactory(organization=org)
    UserFactory(organization=org)

    response = client.get("/organizations/")

    assert response.status_code == 200
    html = page_html(response)
    assert "/organizations/norsk-boring/" in html
    assert re.search(r"Norsk Boring</a></td><td>Company</td><td>2</td>", html)


@pytest.mark.parametrize("side", ["outsider", None])
def test_organisation_page_does_not_list_private_communities_to_outsiders(
    side: str | None, request: pytest.FixtureRequest, owner: User, member: User
) -> None:
    org = OrganizationFactory(name="Norsk Boring", slug="norsk-boring")
    CommunityFactory(creator=owner, name="Open wells", slug="open-wells", organizations=[org])
    CommunityFactory(
        creator=owner,
        name="Secret wells",
        slug="secret-wells",
        organizations=[org],
        visibility=Visibility.PRIVATE,
    )
    UserFactory(username="kari", organization=org)
    viewer = request.getfixturevalue(side) if side else None

    response = page_client(viewer).get("/organizations/norsk-boring/")

    assert response.status_code == 200
    html = page_html(response)
    assert "Open wells" in html
    assert "/people/kari/" in html
    assert "Secret wells" not in html


def test_organisation_page_lists_private_communities_to_their_members(owner: User) -> None:
    org = OrganizationFactory(name="Norsk Boring", slug="norsk-boring")
    CommunityFactory(
        creator=owner,
        name="Secret wells",
        slug="secret-wells",
        organizations=[org],
        visibility=Visibility.PRIVATE,
    )

    assert "Secret wells" in page_html(page_client(owner).get("/organizations/norsk-boring/"))


def test_unknown_organisation_is_404(client: Client) -> None:
    assert client.get("/organizations/nowhere/").status_code == 404


# --- Sign-up and password reset (allauth) ---------------------------------------------------------


def _signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "email": "nina@example.org",
        "username": "nina",
        "password1": "a-Long-enough-passphrase-42",
        "password2": "a-Long-enough-passphrase-42",
        "display_name": "Nina Nurse",
        "organization": "St. Olav Hospital",
        "discipline": "Nursing",
    }
    data.update(overrides)
    return data


def test_sign_up_creates_the_account_and_profile(client: Client, mailoutbox: list[Any]) -> None:
    assert client.get("/accounts/signup/").status_code == 200

    response = client.post("/accounts/signup/", _signup_data())

    assert response.status_code == 302
    user = User.objects.select_related("profile__organization").get(username="nina")
    assert user.email == "nina@example.org"
    assert user.profile.display_name == "Nina Nurse"
    assert user.profile.discipline == "Nursing"
    assert user.profile.organization is not None
    assert user.profile.organization.name == "St. Olav Hospital"
    # Signed in by confirming the address (a sign-up does not tell whether an address was registered already).
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mailoutbox[-1].body)
    assert link is not None
    client.post(link.group(1))
    assert "Nina Nurse" in page_html(client.get("/"))


@pytest.mark.parametrize(("existing", "attempt"), [("nina", "NINA"), ("Nina", "nina"), ("nina", "Nina")])
def test_sign_up_refuses_a_username_that_differs_only_in_case(
    client: Client, existing: str, attempt: str
) -> None:
    UserFactory(username=existing, email="first@example.org")

    response = client.post("/accounts/signup/", _signup_data(username=attempt))

    assert response.status_code == 200
    assert "already" in field_errors(page_html(response), "username")
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("existing", "attempt"),
    [("nina@example.org", "NINA@Example.ORG"), ("Nina@Example.org", "nina@example.org")],
)
def test_sign_up_makes_no_account_for_an_email_that_differs_only_in_case(
    client: Client, existing: str, attempt: str, mailoutbox: list[Any]
) -> None:
    UserFactory(username="first", email=existing)

    response = client.post("/accounts/signup/", _signup_data(email=attempt))

    # The same answer as for a new address (practica/accounts/account_forms.py); the owner is told by email.
    assert response.status_code == 302
    assert User.objects.count() == 1
    assert [m.to[0].lower() for m in mailoutbox] == ["nina@example.org"]


def test_sign_in_works_with_username_or_email(client: Client, member: User) -> None:
    response = client.post("/accounts/login/", {"login": "MEMBER@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert client.get("/").context["user"] == member


def test_password_reset_sends_an_email_with_a_reset_link(
    client: Client, member: User, mailoutbox: list[Any]
) -> None:
    assert client.get("/accounts/password/reset/").status_code == 200

    response = client.post("/accounts/password/reset/", {"email": "member@example.org"})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["member@example.org"]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mailoutbox[0].body)
    assert link, mailoutbox[0].body
    follow = client.get(link.group(1), follow=True)
    assert follow.status_code == 200
    assert 'name="password1"' in page_html(follow)
