"""The demo discussions ``seed_demo`` writes: every demo community has questions, discussions and ideas with
answers, votes and comments, dated over months, found by search only by those who may read them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState
from practica.demo.discussions import DEMO_THREADS
from practica.discussions.models import Comment, Post, Thread, ThreadKind
from practica.search import selectors
from practica.search.tests.conftest import viewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(django_capture_on_commit_callbacks: Any) -> None:
    # As in ``make demo``: what the services queue for after the commit (indexing) runs.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--quiet", "--skip-datasets")


def test_every_demo_community_has_answered_questions_discussions_and_ideas(seeded: None) -> None:
    for community in Community.objects.all():
        threads = Thread.objects.filter(community=community)
        assert threads.filter(kind=ThreadKind.QUESTION, accepted_post__isnull=False).exists(), community.slug
        assert threads.filter(kind=ThreadKind.QUESTION, first_response_at__isnull=True).exists(), community.slug
        assert threads.exclude(kind=ThreadKind.QUESTION).exists(), community.slug
    assert Thread.objects.count() == len(DEMO_THREADS)
    assert Post.objects.filter(is_opening=False).count() >= 30
    assert Comment.objects.exists()
    assert Thread.objects.filter(kind=ThreadKind.IDEA).exclude(idea_status="open").exists()
    assert Thread.objects.filter(score__gt=0).count() >= len(DEMO_THREADS) // 2


def test_demo_threads_are_written_by_members_and_dated_over_months(seeded: None) -> None:
    now = timezone.now()
    for thread in Thread.objects.select_related("community"):
        authors = set(Post.objects.filter(thread=thread).values_list("author_id", flat=True))
        members = set(
            Membership.objects.filter(community=thread.community, state=MembershipState.ACTIVE).values_list("user_id", flat=True)
        )
        assert authors <= members, thread.title
        opening = Post.objects.get(thread=thread, is_opening=True)
        assert opening.created_at == thread.created_at, thread.title
        assert all(
            reply > thread.created_at
            for reply in Post.objects.filter(thread=thread, is_opening=False).values_list("created_at", flat=True)
        ), thread.title
        assert thread.created_at <= thread.last_activity_at <= now, thread.title
        if thread.first_response_at is not None:
            assert thread.created_at < thread.first_response_at <= thread.last_activity_at, thread.title
    oldest = Thread.objects.order_by("created_at").first()
    newest = Thread.objects.order_by("-created_at").first()
    assert oldest is not None and newest is not None
    assert now - oldest.created_at > dt.timedelta(days=180)
    assert now - newest.created_at < dt.timedelta(days=7)  # something waits for an answer now


def test_the_unheard_queue_of_a_demo_community_lists_its_waiting_question(seeded: None) -> None:
    client = Client()
    client.force_login(User.objects.get(username="demo"))  # coordinates Well Integrity
    waiting = Thread.objects.get(community__slug="well-integrity", first_response_at__isnull=True)
    html = client.get("/communities/well-integrity/unheard/").content.decode()
    assert waiting.title in html


@pytest.mark.parametrize(("side", "finds"), [("member", True), ("outsider", False), ("anonymous", False)])
def test_a_private_demo_communitys_threads_are_found_only_by_its_members(seeded: None, side: str, finds: bool) -> None:
    community = Community.objects.get(slug="patient-safety")
    members = Membership.objects.filter(community=community, state=MembershipState.ACTIVE).values("user_id")
    user = {
        "member": User.objects.filter(id__in=members).exclude(username="admin").order_by("id").first(),
        "outsider": User.objects.exclude(id__in=members).exclude(is_superuser=True).order_by("id").first(),
        "anonymous": None,
    }[side]
    found = selectors.search(user=viewer(user), q="insulin omissions at shift change")
    titles = [hit.title for hit in found.hits]
    assert ("Insulin omissions at shift change: what reduced them for you?" in titles) is finds
    public = selectors.search(user=viewer(user), q="CrashLoopBackOff node upgrade")
    assert "Kubernetes pods stuck in CrashLoopBackOff after a node upgrade" in [hit.title for hit in public.hits]
