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
            posts.append(Post(thread=thread, author=thread.author, body_source="Opening", body_html="<p>Opening</p>", is_opening=True,
                              created_at=thread.created_at))
            for _ in range(rng.randint(0, 4)):
                posts.append(Post(thread=thread, author=rng.choice(people), body_source="A reply", body_html="<p>A reply</p>",
                                  created_at=thread.created_at + timedelta(hours=rng.uniform(1, 200))))
        Post.objects.bulk_create(posts, batch_size=5000)
        for post in posts:
            if not post.is_opening and rng.random() < 0.3:
                comments.append(Comment(post=post, author=rng.choice(members_of[post.thread.community_id]),
                                        body_source="A comment", body_html="<p>A comment</p>", created_at=post.created_at + timedelta(hours=2)))
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
    """The queries of a warm call (the first read of the day by a person also writes their activity row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()
    with CaptureQueriesContext(connection) as capture:
        call()
    return len(capture.captured_queries)


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _get(client: Any, url: str) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered HTTP {response.status_code}")
        return response

    return call


def measure(*, scale: float, log: Callable[[str], None] = print, runs: int = 7) -> Result:
    """Build the data, then time every target (see the module docstring)."""
    from django.core.cache import cache
    from django.db import connection

    from bench import discussions
    from practica.accounts.models import User
    from practica.communities.models import Community, Membership, Role
    from practica.insights import services
    from practica.insights.models import DailyActivity, HealthSnapshot
    from practica.lib import activity

    result = Result(scale=scale)
    started = time.perf_counter()
    build = discussions.build(scale, log=log)
    result.counts.update(build.counts)
    result.counts.update(_grow(build.community_slug, scale, log))
    result.build_seconds = time.perf_counter() - started
    log(f"  build: {result.build_seconds:.1f} s")
    big = Community.objects.get(slug=build.community_slug)
    result.counts["members"] = Membership.objects.filter(community=big).count()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # The full back-fill of the big community: its contribution days, then a snapshot for every day of its history.
    HealthSnapshot.objects.all().delete()
    t0 = time.perf_counter()
    days_marked = services.activity_backfill(community=big)
    t1 = time.perf_counter()
    snapshots = services.snapshot_backfill(community=big)
    t2 = time.perf_counter()
    result.add("backfill_activity_seconds", t1 - t0, "s", f"{days_marked:,} person-days")
    result.add("backfill_history_seconds", t2 - t1, "s", f"{snapshots:,} daily snapshots")
    result.add("backfill_seconds", t2 - t0, "s", "activity days and daily history together")
    log(f"  back-fill: {t1 - t0:.1f} s activity ({days_marked:,} person-days), {t2 - t1:.1f} s history "
        f"({snapshots:,} days)")

    # A day's snapshot (yesterday), median of three.
    from datetime import date as date_type

    yesterday: date_type = datetime.now(UTC).date() - timedelta(days=1)
    median, _ = _median_ms(lambda: services.snapshot_take(community=big, day=yesterday), warmup=1, runs=3)
    result.add("snapshot_seconds", median / 1000, "s", "one community, one day (median of 3)")
    log(f"  snapshot of a day: {median / 1000:.2f} s")

    coordinator = User.objects.get(username=build.coordinator_username)
    small = Community.objects.filter(slug__startswith="bench-network-").order_by("slug").first()
    assert small is not None
    small_coordinator = Membership.objects.get(community=small, role=Role.COORDINATOR).user
    client, small_client = _client(coordinator), _client(small_coordinator)
    for name, url, other in (
        ("health_api", f"/api/v1/communities/{big.slug}/health/?days=90", f"/api/v1/communities/{small.slug}/health/?days=90"),
        ("health_page", f"/communities/{big.slug}/health/?days=90", f"/communities/{small.slug}/health/?days=90"),
    ):
        call = _get(client, url)
        median, samples = _median_ms(call, runs=runs)
        queries, small_queries = _queries(call), _queries(_get(small_client, other))
        result.add(f"{name}_ms", median, "ms", f"warm, median of {runs}; p90-ish max {max(samples):.0f} ms")
        result.add(f"{name}_queries", queries, "queries", f"{small_queries} on a community of {SMALL_THREADS} threads")
        log(f"  {name}: {median:.0f} ms median (max {max(samples):.0f}), {queries} queries "
            f"({small_queries} on the small community)")

    admin = User.objects.create_superuser("bench-admin", "bench-admin@example.org", None)
    admin_client = _client(admin)
    visible = Community.objects.count()
    for name, url in (("network_api", "/api/v1/network/health/?days=90"), ("network_page", "/network/health/?days=90")):
        call = _get(admin_client, url)
        median, samples = _median_ms(call, warmup=1, runs=max(3, runs // 2))
        result.add(f"{name}_ms", median, "ms", f"a network admin, {visible} communities")
        result.add(f"{name}_queries", _queries(call), "queries")
        log(f"  {name}: {median:.0f} ms median over {visible} communities")
    result.figures["network_ms"] = result.figures["network_api_ms"]
    result.units["network_ms"] = "ms"

    # Recording a read: the same page with the recording connected (and the day's row removed before each request,
    # so each one writes) against the page with nobody listening; and a cached second read.
    reader = Membership.objects.filter(community=big, role=Role.MEMBER).first().user  # type: ignore[union-attr]
    reader_client = _client(reader)
    page = f"/communities/{big.slug}/"
    receivers = list(activity.activity_read.receivers)
    timings: dict[str, list[float]] = {"without": [], "first": [], "cached": []}
    reader_client.get(page)
    for _ in range(max(15, runs * 3)):
        activity.activity_read.receivers = []
        activity.activity_read.sender_receivers_cache.clear()
        started = time.perf_counter()
        reader_client.get(page)
        timings["without"].append((time.perf_counter() - started) * 1000)
        activity.activity_read.receivers = list(receivers)
        activity.activity_read.sender_receivers_cache.clear()
        DailyActivity.objects.filter(community=big, user=reader).delete()
        cache.delete(services.seen_key(big.pk, reader.pk, services.utc_today()))
        started = time.perf_counter()
        reader_client.get(page)
        timings["first"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        reader_client.get(page)
        timings["cached"].append((time.perf_counter() - started) * 1000)
    without = statistics.median(timings["without"])
    first = statistics.median(timings["first"]) - without
    cached = statistics.median(timings["cached"]) - without
    result.add("read_record_ms", first, "ms", f"first read of the day, on a {without:.0f} ms page (median)")
    result.add("read_record_cached_ms", cached, "ms", "a later read the same day (cached: no query)")
    log(f"  recording a read: +{first:.2f} ms (first of the day), {cached:+.2f} ms cached, on a {without:.0f} ms page")
    return result


def summary(result: Result) -> list[str]:
    lines = []
    for name, target in TARGETS.items():
        value = result.figures.get(name)
        if value is None:
            continue
        unit = result.units[name]
        verdict = "met" if value <= target else "NOT met"
        lines.append(f"{name}: {value:,.2f} {unit} (target ≤ {target:g} {unit}: {verdict})")
    return lines
