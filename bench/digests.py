"""Digest benchmark (issue 7): one ``send_digests`` run for 10,000 members of 20 communities after 2,000 new
items, on SQLite: under 60 s, constant memory, a query count per batch that does not depend on the members.

    .venv/bin/python bench/run.py --only digests            # full size
    .venv/bin/python bench/run.py --only digests --write    # and record it in docs/benchmarks.md
    .venv/bin/python bench/run.py --only digests --scale 0.05

Every member watches their community and wants a daily digest; each new item is a thread announced to its
community's watchers (one notification per watcher, 500 per item at full size, so a million notifications).
The first 20 items go through ``broadcast()``; the rest are the same rows written in bulk. Emails go to a backend that builds each MIME message (both parts,
headers) and discards it, so the time includes rendering and serialising but no network.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend

COMMUNITIES = 20
MEMBERS = 10_000
ITEMS = 2_000
TARGET_SECONDS = 60.0


class MimeBuildingBackend(BaseEmailBackend):
    """Builds every message's bytes like the SMTP backend would, then drops them."""

    sent = 0
    bytes = 0

    def send_messages(self, email_messages: Any) -> int:
        for message in email_messages:
            MimeBuildingBackend.bytes += len(message.message().as_bytes())
            MimeBuildingBackend.sent += 1
        return len(email_messages)


@dataclass
class Result:
    members: int
    communities: int
    items: int
    notifications: int
    build_seconds: float
    seconds: float
    sent: int
    batches: int
    batch_size: int
    queries: list[int] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0
    mail_mb: float = 0.0
    second_run_sent: int = -1
    second_run_seconds: float = 0.0


def build(scale: float, log: Any = print) -> tuple[int, int, int, int, float]:
    """Communities, members (daily digest, watching their community) and new items announced by broadcast()."""
    from django.db import connection, transaction
    from django.utils import timezone

    from practica.accounts.models import User
    from practica.communities.models import Community, Membership, MembershipState, Role
    from practica.discussions.models import Thread
    from practica.notifications.models import EmailMode, EmailPreference, Notification, Subscription
    from practica.notifications.services import broadcast

    started = time.perf_counter()
    members = max(COMMUNITIES, round(MEMBERS * scale))
    items = max(COMMUNITIES, round(ITEMS * scale))
    communities = Community.objects.bulk_create(
        [Community(name=f"Digest {i}", slug=f"digest-{i}", domain="Bench") for i in range(COMMUNITIES)]
    )
    users = User.objects.bulk_create(
        [User(username=f"reader{i}", email=f"reader{i}@example.org", password="!") for i in range(members)],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [
            Membership(
                community=communities[i % COMMUNITIES], user=u, role=Role.MEMBER, state=MembershipState.ACTIVE
            )
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    EmailPreference.objects.bulk_create(
        [EmailPreference(user=u, email_mode=EmailMode.DAILY) for u in users], batch_size=2000
    )
    Subscription.objects.bulk_create(
        [Subscription(user=u, community=communities[i % COMMUNITIES]) for i, u in enumerate(users)],
        batch_size=2000,
    )
    author = users[0]
    log(f"  people: {members:,} in {COMMUNITIES} communities ({time.perf_counter() - started:.1f} s)")
    # The first items go through broadcast(), the real write path, to check it makes what the rest copies.
    through_broadcast = min(items, COMMUNITIES)
    for i in range(through_broadcast):
        community = communities[i % COMMUNITIES]
        with transaction.atomic():
            thread = Thread.objects.create(community=community, title=f"New practice note {i}", author=author)
            broadcast(
                community=community,
                event="thread.created",
                subject=f"New question: practice note {i}",
                url=f"/communities/{community.slug}/threads/{thread.pk}/",
                actor=author,
                target=thread,
            )
    # The rest are written in bulk, row for row what broadcast() writes (a million rows through the ORM's
    # 999-parameter batches would take most of an hour on SQLite; the build is not what is measured).
    template = Notification.objects.filter(recipient__isnull=False).order_by("id").first()
    assert template is not None and template.target_type_id is not None
    readers: dict[int, list[int]] = {c.pk: [] for c in communities}
    for m in Membership.objects.filter(community__in=communities).values_list("community_id", "user_id"):
        readers[m[0]].append(m[1])
    threads = Thread.objects.bulk_create(
        [
            Thread(community=communities[i % COMMUNITIES], title=f"New practice note {i}", author=author)
            for i in range(through_broadcast, items)
        ],
        batch_size=500,
    )
    now = timezone.now()
    sql = (
        "INSERT INTO notifications_notification (recipient_id, kind, community_id, actor_id, subject, text, url, "
        "target_type_id, target_id, created_at, read_at, email_mode, email_delivery_id) "
        "VALUES (%s, %s, %s, %s, %s, '', %s, %s, %s, %s, NULL, %s, NULL)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for n, thread in enumerate(threads, start=through_broadcast):
            slug = f"digest-{n % COMMUNITIES}"
            cursor.executemany(
                sql,
                [
                    (
                        uid,
                        template.kind,
                        thread.community_id,
                        author.pk,
                        f"New question: practice note {n}",
                        f"/communities/{slug}/threads/{thread.pk}/",
                        template.target_type_id,
                        thread.pk,
                        now,
                        EmailMode.DAILY,
                    )
                    for uid in readers[thread.community_id]
                    if uid != author.pk
                ],
            )
            if (n + 1) % 500 == 0:
                log(f"  items: {n + 1:,} ({time.perf_counter() - started:.1f} s)")
    return members, items, Notification.objects.count(), COMMUNITIES, time.perf_counter() - started


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize() / 1024 / 1024
    except OSError:
        return 0.0


def measure(*, scale: float, batch_size: int, log: Any = print) -> Result:
    from django.conf import settings
    from django.db import connection

    from practica.notifications.emails import DigestRun, send_digests

    members, items, notifications, communities, build_seconds = build(scale, log=log)
    log(f"  build: {build_seconds:.1f} s, {notifications:,} notifications")
    settings.EMAIL_BACKEND = "bench.digests.MimeBuildingBackend"
    result = Result(
        members=members,
        communities=communities,
        items=items,
        notifications=notifications,
        build_seconds=build_seconds,
        seconds=0.0,
        sent=0,
        batches=0,
        batch_size=batch_size,
    )
    counter = {"n": 0}

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counter["n"] += 1
        return execute(sql, params, many, context)

    def on_batch(run: DigestRun) -> None:
        result.queries.append(counter["n"])
        counter["n"] = 0
        result.rss_mb.append(_rss_mb())

    result.rss_before_mb = _rss_mb()
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        run = send_digests(batch_size=batch_size, on_batch=on_batch)
        result.seconds = time.perf_counter() - started
    result.rss_after_mb = _rss_mb()
    result.sent, result.batches = run.sent, run.batches
    result.mail_mb = MimeBuildingBackend.bytes / 1024 / 1024
    started = time.perf_counter()
    result.second_run_sent = send_digests(batch_size=batch_size).sent
    result.second_run_seconds = time.perf_counter() - started
    return result


def _rss_row(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{values[0]:.0f} / {min(values):.0f} / {max(values):.0f} / {values[-1]:.0f} MB"


def summary(r: Result) -> str:
    ok = "✓" if r.seconds < TARGET_SECONDS and r.sent == r.members - 1 and r.second_run_sent == 0 else "⚠"
    queries = sorted(set(r.queries[1:] or r.queries))
    return (
        f"{r.sent:,} digests ({r.mail_mb:,.0f} MB of MIME) to {r.members:,} members of {r.communities} communities, "
        f"{r.items:,} items, {r.notifications:,} notifications: {r.seconds:.1f} s {ok} (target < {TARGET_SECONDS:.0f} s); "
        f"{r.batches} batches of {r.batch_size}; queries per batch {', '.join(map(str, queries))} (first batch "
        f"{r.queries[0] if r.queries else 0}, with the stale-claim check); RSS after each batch "
        f"{min(r.rss_mb or [0]):.0f}-{max(r.rss_mb or [0]):.0f} MB; RSS {r.rss_before_mb:.0f} MB before, "
        f"{r.rss_after_mb:.0f} MB after; a second run right after sent {r.second_run_sent} in {r.second_run_seconds:.1f} s"
    )


def entry(r: Result, machine: dict[str, Any], command: str, note: str) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### {when} — {machine.get('database', 'SQLite')}",
        "",
        f"Command: `{command}`; machine: {machine.get('cpus', '')}, "
        f"{machine.get('memory', '')} RAM; Python {machine.get('python', '')}, Django {machine.get('django', '')}; "
        f"load {machine.get('load_before', '')} before.",
        "",
        "| Measure | Value |",
        "|---|---:|",
        f"| Members / communities / new items | {r.members:,} / {r.communities} / {r.items:,} |",
        f"| Notifications waiting for the digest | {r.notifications:,} |",
        f"| Build (20 items by `broadcast()`, the rest in bulk) | {r.build_seconds:.1f} s |",
        f"| **`send_digests` run** | **{r.seconds:.1f} s** {'✓' if r.seconds < TARGET_SECONDS else '⚠'} (target < 60 s) |",
        f"| Digests sent (MIME built, both parts) | {r.sent:,} ({r.mail_mb:,.0f} MB; the items' author gets none) |",
        f"| Batches × recipients | {r.batches} × {r.batch_size} |",
        f"| Queries per batch (500 recipients each) | {', '.join(map(str, sorted(set(r.queries[1:] or r.queries))))} "
        f"(first batch {r.queries[0] if r.queries else 0}: one more, the stale-claim check) |",
        f"| Process RSS after each batch (first / min / max / last) | {_rss_row(r.rss_mb)} |",
        f"| Process RSS before → after | {r.rss_before_mb:.0f} → {r.rss_after_mb:.0f} MB |",
        f"| Second run right after | {r.second_run_sent} sent in {r.second_run_seconds:.1f} s |",
        "",
    ]
    if note:
        lines += [f"Changes since the previous entry: {note}", ""]
    return "\n".join(lines)


SECTION = "## Digests (issue 7)"
INTRO = """{section}

`send_digests` for 10,000 members of 20 communities (each watching their community, daily digest) after 2,000
new items announced to their watchers: one million notifications to gather into 10,000 emails. Recipients
are handled in batches of 500: each batch costs the same number of queries (listed below) and holds at most 20
items per person in memory, so memory stays flat as members grow. A second run right after sends nothing.
Made with `bench/digests.py` (`.venv/bin/python bench/run.py --only digests --write`).

<!-- bench/run.py adds each new digests run below this line, newest first. -->
"""


def write(text: str) -> Any:
    from bench.report import DOC

    marker = "<!-- bench/run.py adds each new digests run below this line, newest first. -->"
    content = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if marker not in content:
        content = content.rstrip("\n") + "\n\n" + INTRO.format(section=SECTION)
    content = content.replace(marker, marker + "\n\n" + text.rstrip("\n"), 1)
    DOC.write_text(content)
    return DOC
