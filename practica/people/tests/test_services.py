"""Profile and organisation services."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from practica.accounts.models import User
from practica.lib.testing.factories import UserFactory
from practica.people import services
from practica.people.models import Organization, Profile

pytestmark = pytest.mark.django_db


def test_every_new_account_gets_a_profile() -> None:
    user = User.objects.create_user(username="fresh", email="fresh@example.org", password="pw-Secret-123")

    assert Profile.objects.filter(user=user).count() == 1


def test_a_person_edits_their_own_profile(member: User) -> None:
    services.profile_update(
        profile=member.profile, actor=member, display_name="  Mette  ", expertise="Cementing, Well integrity",
        languages="Norwegian, English, Norwegian", timezone="Europe/Oslo",
    )

    member.profile.refresh_from_db()
    assert member.profile.display_name == "Mette"
    assert member.profile.languages == ["Norwegian", "English"]
    assert member.profile.timezone == "Europe/Oslo"
    assert sorted(t.slug for t in member.profile.expertise.all()) == ["cementing", "well-integrity"]


def test_a_person_cannot_edit_anothers_profile(member: User, outsider: User) -> None:
    with pytest.raises(PermissionDenied):
        services.profile_update(profile=outsider.profile, actor=member, bio="Hijacked")

    outsider.profile.refresh_from_db()
    assert outsider.profile.bio == ""


def test_a_network_admin_may_edit_any_profile(member: User) -> None:
    admin = UserFactory(is_superuser=True)

    services.profile_update(profile=member.profile, actor=admin, job_title="Driller")

    member.profile.refresh_from_db()
    assert member.profile.job_title == "Driller"


def test_unknown_time_zone_is_a_field_error(member: User) -> None:
    with pytest.raises(ValidationError) as exc:
        services.profile_update(profile=member.profile, actor=member, timezone="Nowhere/Land")

    assert "timezone" in exc.value.message_dict
    member.profile.refresh_from_db()
    assert member.profile.timezone == "UTC"


def test_over_long_field_is_a_field_error(member: User) -> None:
    with pytest.raises(ValidationError) as exc:
        services.profile_update(profile=member.profile, actor=member, job_title="x" * 101)

    assert "job_title" in exc.value.message_dict
    member.profile.refresh_from_db()
    assert member.profile.job_title == ""


def test_unknown_profile_fields_are_refused(member: User) -> None:
    with pytest.raises(ValidationError) as exc:
        services.profile_update(profile=member.profile, actor=member, is_superuser=True)

    assert "is_superuser" in exc.value.messages[0]
    member.refresh_from_db()
    assert not member.is_superuser


def test_organisations_are_matched_case_insensitively_and_get_unique_slugs() -> None:
    first = services.organization_get_or_create(name="Equinor  ASA")
    same = services.organization_get_or_create(name="equinor asa")
    Organization.objects.create(name="Other", slug="acme")
    acme = services.organization_get_or_create(name="Acme")

    assert same == first and first.name == "Equinor ASA"
    assert acme.slug == "acme-2"


@pytest.mark.parametrize(("name", "kind", "field"), [("", "company", "organization"),
                                                     ("x" * 201, "company", "organization"),
                                                     ("Acme", "guild", "kind")])
def test_bad_organisation_input_is_a_field_error(name: str, kind: str, field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.organization_get_or_create(name=name, kind=kind)

    assert field in exc.value.message_dict
    assert not Organization.objects.exists()
