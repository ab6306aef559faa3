"""Health benchmark (issue [P7]): the insights app on the 100,000-thread / 500,000-post community with 10,000
members, and a network of 200 communities.

    .venv/bin/python bench/run.py --only insights                 # full size, SQLite
    .venv/bin/python bench/run.py --only insights --write         # and record it in bench/results/insights.csv
    .venv/bin/python bench/run.py --only insights --scale 0.02    # a smoke run

Targets (medians, warm): the health page and API under 300 ms with a query count that does not grow with the
community; a day's snapshot under 10 s; the community's full back-fill (activity days and daily history) under
3 minutes; the network view of 200 communities under 1 s; recording a read adds no more than 2 ms to a page.

Data: ``bench/discussions.py`` builds the big community (100,000 threads over three years, 500,000 posts, 2,000
authors); 8,000 more people join it (10,000 members); 199 small communities (25 threads, ~75 posts, 20 members
each, over the last year) make the network. A small community (the smallest of those) is timed beside the big one,
to show that the query count does not depend on the size.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

EXTRA_MEMBERS = 8_000
NETWORK_COMMUNITIES = 199
SMALL_THREADS = 25
SMALL_MEMBERS = 20
SEED = 7

TARGETS = {
    "health_api_ms": 300.0,
    "health_page_ms": 300.0,
    "snapshot_seconds": 10.0,
    "backfill_seconds": 180.0,
    "network_ms": 1000.0,
    "read_record_ms": 2.0,
}


@dataclass
class Result:
    scale: float
    build_seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)  # name -> value
    units: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, value: float, unit: str, note: str = "") -> None:
        self.figures[name] = value
        self.units[name] = unit
        if note:
            self.notes[name] = note


def _grow(community_slug: str, scale: float, log: Callable[[str], None]) -> dict[str, int]:
    """More members for the big community, and the small communities of the network (bulk, one transaction)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from practica.accounts.models import User
    from practica.communities.models import Community, Membership, MembershipState, Role, Visibility
    from practica.discussions.models import Comment, Post, Thread
    from practica.people.models import Organization, Profile

    rng = random.Random(SEED)
    big = Community.objects.get(slug=community_slug)
    extra = max(50, round(EXTRA_MEMBERS * scale))
    networks = max(4, round(NETWORK_COMMUNITIES * min(1.0, scale * 10)))
    now = datetime.now(UTC)
    unusable = make_password(None)
    counts: dict[str, int] = {}
    with transaction.atomic():
        organisations = Organization.objects.bulk_create(
            Organization(name=f"Bench operator {k}", slug=f"bench-operator-{k}") for k in range(12)
        )
        base = (User.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        users = User.objects.bulk_create(
            (
                User(id=base + k, username=f"benchx{k:05d}", email=f"benchx{k:05d}@example.org", password=unusable)
                for k in range(extra)
            ),
            batch_size=5000,
        )
        Profile.objects.bulk_create(
            (
                Profile(user_id=u.id, display_name=u.username, organization=organisations[k % len(organisations)],
                        discipline=("Drilling", "HSE", "Subsea", "Data")[k % 4], location=("Stavanger", "Aberdeen",
                        "Houston")[k % 3], timezone="UTC")
                for k, u in enumerate(users)
            ),
            batch_size=5000,
        )
        joined = now - timedelta(days=400)
        Membership.objects.bulk_create(
            (Membership(community=big, user=u, role=Role.MEMBER, state=MembershipState.ACTIVE, joined_at=joined)
             for u in users),
            batch_size=5000,
        )
        counts["extra members"] = len(users)
        pool = users + list(User.objects.filter(memberships__community=big).exclude(id__in=[u.id for u in users])[:2000])
        communities = Community.objects.bulk_create(
            Community(
                name=f"Bench network {k:03d}", slug=f"bench-network-{k:03d}", domain="A small community of the network.",
                visibility=(Visibility.PUBLIC, Visibility.MEMBERS_ONLY, Visibility.PRIVATE)[k % 3],
            )
            for k in range(networks)
        )
        memberships, threads = [], []
        members_of: dict[int, list[Any]] = {}
        for community in communities:
            people = rng.sample(pool, SMALL_MEMBERS)
            members_of[community.pk] = people
            memberships += [
                Membership(
                    community=community, user=person, role=Role.COORDINATOR if i == 0 else Role.MEMBER,
                    state=MembershipState.ACTIVE, joined_at=joined,
                )
                for i, person in enumerate(people)
            ]
            for t in range(SMALL_THREADS):
                created = now - timedelta(days=rng.uniform(0, 365))
                threads.append(
                    Thread(community=community, title=f"Small thread {t}", author=rng.choice(people),
                           created_at=created, last_activity_at=created)
                )
        Membership.objects.bulk_create(memberships, batch_size=5000)
        Thread.objects.bulk_create(threads, batch_size=5000)
        posts, comments = [], []
        for thread in threads:
            people = members_of[thread.community_id]
            posts.append(Post(thread=thread, author=thread.author, body="Opening", is_opening=True,
                              created_at=thread.created_at))
            for _ in range(rng.randint(0, 4)):
                posts.append(Post(thread=thread, author=rng.choice(people), body="A reply",
                                  created_at=thread.created_at + timedelta(hours=rng.uniform(1, 200))))
        Post.objects.bulk_create(posts, batch_size=5000)
        for post in posts:
            if not post.is_opening and rng.random() < 0.3:
                comments.append(Comment(post=post, author=rng.choice(members_of[post.thread.community_id]),
                                        body="A comment", created_at=post.created_at + timedelta(hours=2)))
        Comment.objects.bulk_create(comments, batch_size=5000)
        counts.update({"network communities": len(communities), "network threads": len(threads),
                       "network posts": len(posts), "network comments": len(comments)})
    log("  network: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return counts


def _median_ms(call: Callable[[], Any], *, warmup: int = 2, runs: int = 7) -> tuple[float, list[float]]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), samples


def _queries(call: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as capture:
        call()
    return len(capture.captured_queries)
