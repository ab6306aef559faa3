"""``manage.py seed_demo``: the demo network, its demo login, and running it twice."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from practica.accounts.models import User
from practica.communities import selectors
from practica.communities.models import (
    Community,
    CommunityChange,
    Goal,
    Membership,
    MembershipState,
    Role,
    Visibility,
)
from practica.discussions.models import Comment, Post, Thread, Vote
from practica.people.models import Organization, Profile

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, int]:
    return {
        "organizations": Organization.objects.count(),
        "communities": Community.objects.count(),
        "people": User.objects.count(),
        "profiles": Profile.objects.count(),
        "memberships": Membership.objects.count(),
        "goals": Goal.objects.count(),
        "history": CommunityChange.objects.count(),
        "emails": EmailAddress.objects.count(),
        "threads": Thread.objects.count(),
        "posts": Post.objects.count(),
        "comments": Comment.objects.count(),
        "votes": Vote.objects.count(),
    }


def test_seed_demo_creates_the_demo_network() -> None:
    call_command("seed_demo", "--quiet", "--skip-datasets")

    assert Organization.objects.count() >= 3
    assert len(set(Organization.objects.values_list("kind", flat=True))) >= 3
    assert Community.objects.count() >= 4
    assert User.objects.count() >= 40
    assert Membership.objects.filter(state=MembershipState.ACTIVE).values("user").distinct().count() >= 40
    assert {Visibility.PUBLIC, Visibility.MEMBERS_ONLY, Visibility.PRIVATE} <= set(
        Community.objects.values_list("visibility", flat=True)
    )
    for community in Community.objects.all():
        active = community.memberships.filter(state=MembershipState.ACTIVE)
        assert active.filter(role=Role.COORDINATOR).exists(), community.slug
        assert active.filter(role=Role.CORE).exists(), community.slug
        assert active.filter(role=Role.SPONSOR).exists(), community.slug
        assert active.filter(role=Role.MEMBER).exists(), community.slug
        assert community.charter.purpose, community.slug
        goals = list(community.charter.goals.all())
        assert 2 <= len(goals) <= 4, community.slug
        assert all(goal.due_date for goal in goals), community.slug
        # Every demo goal binds to a metric of the insights catalogue, with a target.
        assert all(goal.is_measurable for goal in goals), community.slug
        assert community.topics.exists(), community.slug
        assert community.organizations.exists(), community.slug
        assert community.changes.exists(), community.slug


def test_demo_people_have_varied_backgrounds() -> None:
    call_command("seed_demo", "--quiet", "--skip-datasets")

    profiles = Profile.objects.exclude(user__username="admin")
    assert not profiles.filter(organization=None).exists()
    assert profiles.values("organization").distinct().count() >= 5
    assert profiles.values("discipline").distinct().count() >= 10
    assert profiles.values("timezone").distinct().count() >= 10
    assert not profiles.filter(expertise=None).exists()
    assert all(profile.languages for profile in profiles)


def test_members_only_community_has_pending_requests_and_private_one_a_pending_invitation() -> None:
    call_command("seed_demo", "--quiet", "--skip-datasets")

    members_only = Community.objects.get(visibility=Visibility.MEMBERS_ONLY)
    assert selectors.pending_requests(community=members_only).count() >= 2
    assert Membership.objects.filter(state=MembershipState.INVITED).count() == 1


def test_every_community_has_people_who_may_belong_there() -> None:
    call_command("seed_demo", "--quiet", "--skip-datasets")

    for community in Community.objects.all():
        assert selectors.recruitment_candidates(community=community).exists(), community.slug


def test_demo_and_admin_can_sign_in_with_mandatory_email_verification() -> None:
    call_command("seed_demo", "--quiet", "--skip-datasets")

    demo = User.objects.get(username="demo")
    assert demo.memberships.filter(state=MembershipState.ACTIVE, role=Role.COORDINATOR).exists()
    assert demo.memberships.filter(state=MembershipState.ACTIVE).exclude(role=Role.COORDINATOR).exists()
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    with override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory"):
        for username, password in (("demo", "practica-demo"), ("admin", "practica-admin")):
            client = Client()
            response = client.post(reverse("account_login"), {"login": username, "password": password})
            assert response.status_code == 302, username
            assert "confirm-email" not in response["Location"], username
            assert client.session.get("_auth_user_id") == str(User.objects.get(username=username).pk)


def test_running_seed_demo_twice_creates_no_duplicates() -> None:
    call_command("seed_demo", "--quiet", "--skip-datasets")
    before = _snapshot()

    out = StringIO()
    call_command("seed_demo", "--skip-datasets", stdout=out)

    assert _snapshot() == before
    assert "Nothing new" in out.getvalue()
    assert "Demo data ready." in out.getvalue()


def test_seed_demo_keeps_changes_people_made_and_restores_only_what_is_missing() -> None:
    call_command("seed_demo", "--quiet", "--skip-datasets")
    ingrid = Profile.objects.get(user__username="ingrid.solberg")
    ingrid.job_title = "Well Integrity Team Lead"
    ingrid.save()
    Community.objects.get(slug="human-factors").delete()

    call_command("seed_demo", "--quiet", "--skip-datasets")

    assert Profile.objects.get(user__username="ingrid.solberg").job_title == "Well Integrity Team Lead"
    restored = Community.objects.get(slug="human-factors")
    assert restored.memberships.filter(state=MembershipState.ACTIVE).count() >= 5


DATASET = Path(__file__).resolve().parents[3].parent / "shared" / "datasets" / "quantumcomputing"


@pytest.mark.dataset
@pytest.mark.skipif(not (DATASET / "Posts.xml").is_file(), reason=f"dataset absent: {DATASET}")
def test_seed_demo_includes_the_imported_real_community_once():
    call_command("seed_demo", "--quiet")
    community = Community.objects.get(slug="quantum-computing")
    assert community.name == "Quantum Computing"
    assert community.threads.count() == 612
    threads_before = Thread.objects.count()
    call_command("seed_demo", "--quiet")
    assert Thread.objects.count() == threads_before


def test_seed_demo_says_why_it_skips_the_real_community_when_the_dataset_is_absent(settings, tmp_path):
    settings.SHARED_DATASETS_DIR = tmp_path
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Skipped the real-data community: no dataset at" in out.getvalue()
    assert not Community.objects.filter(slug="quantum-computing").exists()


def test_the_demo_communities_have_their_health_history_from_the_first_visit() -> None:
    from practica.insights.models import DailyActivity, HealthSnapshot

    call_command("seed_demo", "--quiet", "--skip-datasets")

    for community in Community.objects.filter(threads__isnull=False).distinct():
        assert DailyActivity.objects.filter(community=community, contributed=True).exists(), community.slug
        assert HealthSnapshot.objects.filter(community=community).count() > 30, community.slug
