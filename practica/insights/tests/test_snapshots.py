"""Daily health snapshots: one day at a time (``snapshot_take``), a whole history at once from the timestamps
(``snapshot_backfill``), the command and the periodic task."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState, Role
from practica.discussions.models import Comment, Post, Thread, ThreadKind, Vote
from practica.insights import services, tasks
from practica.insights.history import HISTORY_DAYS
from practica.insights.metrics import METRICS, window_ending, window_metrics
from practica.insights.models import DailyActivity, HealthSnapshot
from practica.insights.series import first_day
from practica.knowledge.models import KnowledgeItem, KnowledgeStatus
from practica.lib.testing.factories import UserFactory
from practica.people.models import Organization, Profile

pytestmark = pytest.mark.django_db

START = date(2025, 1, 1)
LAST = date(2025, 9, 30)


def at(day: int, hour: float = 12.0) -> datetime:
    """A moment ``day`` days after START, at ``hour`` UTC."""
    return datetime(START.year, START.month, START.day, tzinfo=UTC) + timedelta(days=day, hours=hour)


def _post(thread: Thread, author: User | None, when: datetime, **fields: Any) -> Post:
    return Post.objects.create(thread=thread, author=author, body_source="x", body_html="x", created_at=when, **fields)


def _history(community: Community, owner: User, *, knowledge: bool = False) -> None:
    """Nine months of a small community, with every case a metric distinguishes: questions and discussions,
    replies by the asker and by others, late replies (a response after the window's end), comments as first
    responses, accepted answers (one deleted), deleted and hidden content, a deleted account, people from two
    organisations and from none, a member who left, one who joined late, a core member, reads and votes, a
    regular who falls silent, and people coming back after 90 days of silence (one at the exact boundary)."""
    rng = random.Random(7)
    north, south = Organization.objects.create(name="North", slug="north"), Organization.objects.create(
        name="South", slug="south"
    )
    people = [owner]
    for index in range(8):
        person = UserFactory.create(username=f"person{index}")
        Profile.objects.filter(user=person).update(
            organization=[north, south, None][index % 3], discipline=["Drilling", "drilling ", "HSE", ""][index % 4],
            location=["Oslo", "Perth", ""][index % 3],
        )
        people.append(person)
    joined = {2: at(100), 3: None}
    for index, person in enumerate(people[1:], start=1):
        Membership.objects.create(
            community=community, user=person, role=Role.CORE if index == 1 else Role.MEMBER,
            state=MembershipState.LEFT if index == 4 else MembershipState.ACTIVE,
            joined_at=joined.get(index, at(0)) if index in joined else at(0),
        )
    lurker = UserFactory.create(username="lurker")
    Membership.objects.create(community=community, user=lurker, joined_at=at(0))
    authors: list[User | None] = [*people, None]
    for number in range(70):
        day = rng.randrange(0, 270)
        author = rng.choice([*authors[:6], None])
        thread = Thread.objects.create(
            community=community, author=author, title=f"Thread {number}", created_at=at(day, rng.uniform(0, 24)),
            kind=rng.choice([ThreadKind.QUESTION, ThreadKind.QUESTION, ThreadKind.DISCUSSION]),
            is_hidden=number % 23 == 5, deleted_at=at(day + 1) if number % 29 == 7 else None,
        )
        opening = _post(thread, author, thread.created_at, is_opening=True)
        replies = []
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            when = thread.created_at + timedelta(hours=rng.choice([1, 30, 160, 175, 400, 1500]))
            reply = _post(thread, rng.choice(authors), when, deleted_at=when if rng.random() < 0.1 else None,
                          is_hidden=rng.random() < 0.05)
            replies.append(reply)
        if rng.random() < 0.4:
            Comment.objects.create(post=opening, author=rng.choice(authors), body_source="x", body_html="x",
                                   created_at=thread.created_at + timedelta(hours=rng.choice([2, 50, 200])))
        if replies and thread.kind == ThreadKind.QUESTION and rng.random() < 0.5:
            Thread.objects.filter(pk=thread.pk).update(accepted_post=replies[0])
        for reply in replies:
            if rng.random() < 0.4:
                Vote.objects.create(post=reply, user=rng.choice(people), created_at=reply.created_at + timedelta(days=2))
    # A regular (4 contributions in 10 days) who then falls silent; people back after 90 days, at the boundary.
    regular, back = UserFactory.create(username="regular"), UserFactory.create(username="back")
    Membership.objects.create(community=community, user=back, joined_at=at(0))
    silent = Thread.objects.create(community=community, author=regular, title="Regular", created_at=at(150))
    for offset in range(4):
        _post(silent, regular, at(150 + offset * 2))
    old = Thread.objects.create(community=community, author=back, title="Back", created_at=at(20, 23.5))
    _post(old, back, at(20, 23.5), is_opening=True)
    _post(old, back, at(110, 0.5))  # 89 days and 1 hour later: not quite 90 days of silence
    _post(old, back, at(200, 23.9))  # 90 days later by the calendar, more than 90 × 24 h
    for day in range(0, 270, 3):
        DailyActivity.objects.get_or_create(community=community, user=lurker, day=START + timedelta(days=day))
        DailyActivity.objects.get_or_create(community=community, user=people[3], day=START + timedelta(days=day + 1))
    if knowledge:  # read day by day (series.DAILY_METRICS): created, published, endorsed, reviewed, captured
        for number, day in enumerate((10, 40, 41, 120, 200)):
            KnowledgeItem.objects.create(
                community=community, title=f"Item {number}", created_at=at(day), updated_at=at(day),
                status=KnowledgeStatus.PUBLISHED if number % 2 else KnowledgeStatus.DRAFT,
                published_at=at(day + 5) if number % 2 else None, review_due=START + timedelta(days=day + 60),
                source_title="Meeting notes" if number == 3 else "",
            )
    services.activity_backfill(community=community)


def test_a_back_filled_day_equals_the_metrics_of_its_window(community: Community, owner: User) -> None:
    _history(community, owner, knowledge=True)
    stored = services.snapshot_backfill(community=community, last=LAST)
    snapshots = dict(HealthSnapshot.objects.filter(community=community).values_list("day", "values"))
    first = min(snapshots)
    assert START <= first < START + timedelta(days=30) and stored == len(snapshots) == (LAST - first).days + 1
    mismatches = []
    for day, values in sorted(snapshots.items()):
        expected = window_metrics(community, window_ending(day, HISTORY_DAYS))
        assert set(values) == set(METRICS)  # jsonb keeps no order
        for name in METRICS:
            same = values[name] == expected[name] or (
                None not in (values[name], expected[name]) and values[name] == pytest.approx(expected[name], rel=1e-12)
            )
            if not same:
                mismatches.append(f"{day} {name}: back-filled {values[name]!r}, window_metrics {expected[name]!r}")
    assert not mismatches, "\n".join(mismatches[:40])
    # The fixture is not vacuous: the history moves, and each kind of case shows on some day.
    for name in ("reactivated_contributors", "lost_regulars", "participation_peripheral", "accepted_answer_rate",
                 "newcomer_reply_coverage_7d", "elephant_factor", "dau_mau", "unanswered",
                 "contributor_evenness_discipline", "contributor_evenness_location", "member_evenness_organisation",
                 "knowledge_created", "knowledge_published", "knowledge_past_review_share"):
        assert len({repr(values[name]) for values in snapshots.values()}) > 1, name


def test_the_back_fill_reads_a_constant_number_of_queries(
    community: Community, owner: User, django_assert_max_num_queries: Any
) -> None:
    _history(community, owner)
    # first day (4), six reads, whether there are knowledge items and events (2), the knowledge and rhythm of a
    # day read once when there are none (2 + 4), the upsert in its savepoint
    with django_assert_max_num_queries(22):
        services.snapshot_backfill(community=community, last=LAST)


def test_the_back_fill_is_idempotent(community: Community, owner: User) -> None:
    _history(community, owner)
    services.snapshot_backfill(community=community, last=LAST)
    before = list(HealthSnapshot.objects.order_by("day").values_list("pk", "day", "values"))
    services.snapshot_backfill(community=community, last=LAST)
    assert list(HealthSnapshot.objects.order_by("day").values_list("pk", "day", "values")) == before


def test_a_community_without_contributions_has_no_history_to_back_fill(community: Community) -> None:
    assert services.snapshot_backfill(community=community, last=LAST) == 0
    assert HealthSnapshot.objects.count() == 0


def test_a_snapshot_stores_the_metrics_of_the_month_ending_that_day(community: Community, owner: User) -> None:
    _history(community, owner)
    day = date(2025, 6, 15)
    snapshot = services.snapshot_take(community=community, day=day)
    assert snapshot.day == day
    assert snapshot.values == window_metrics(community, window_ending(day, 30))


def test_taking_a_snapshot_twice_changes_nothing(community: Community, owner: User) -> None:
    _history(community, owner)
    first = services.snapshot_take(community=community, day=date(2025, 6, 15))
    second = services.snapshot_take(community=community, day=date(2025, 6, 15))
    assert (second.pk, second.values) == (first.pk, first.values)
    assert HealthSnapshot.objects.count() == 1


def test_a_snapshot_of_a_day_to_come_is_refused(community: Community) -> None:
    with pytest.raises(ValueError, match="has not ended yet"):
        services.snapshot_take(community=community, day=services.utc_today() + timedelta(days=1))
    assert HealthSnapshot.objects.count() == 0


def test_the_periodic_task_takes_yesterdays_snapshot_of_every_community(
    community: Community, private_community: Community
) -> None:
    assert tasks.snapshot_health_task.call() == 2
    yesterday = services.utc_today() - timedelta(days=1)
    assert set(HealthSnapshot.objects.values_list("community__slug", "day")) == {
        (community.slug, yesterday), (private_community.slug, yesterday)
    }


def test_the_command_takes_a_day_of_one_community(community: Community, private_community: Community) -> None:
    out = StringIO()
    call_command("snapshot_health", "--community", community.slug, "--day", "2025-06-15", stdout=out)
    assert out.getvalue() == f"{community.slug}: health of 2025-06-15 stored\n"
    assert list(HealthSnapshot.objects.values_list("community__slug", "day")) == [(community.slug, date(2025, 6, 15))]


def test_the_command_back_fills_a_whole_history(community: Community, owner: User) -> None:
    _history(community, owner)
    DailyActivity.objects.filter(contributed=True).delete()  # the command marks the contribution days itself
    out = StringIO()
    call_command("snapshot_health", "--community", community.slug, "--backfill", "--day", LAST.isoformat(), stdout=out)
    days = (LAST - first_day(community)).days + 1  # type: ignore[operator]
    assert out.getvalue() == f"{community.slug}: {days} days of health history stored\n"
    assert DailyActivity.objects.filter(contributed=True).exists()


def test_the_command_queues_the_task(community: Community, settings: Any) -> None:
    out = StringIO()
    call_command("snapshot_health", "--enqueue", stdout=out)  # the immediate backend runs it at once
    assert out.getvalue().startswith("Queued the health snapshots task")
    assert HealthSnapshot.objects.filter(community=community).count() == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--community", "nowhere"], "No community 'nowhere'"),
        (["--day", "15 June"], "--day takes a date as YYYY-MM-DD"),
        (["--day", "2999-01-01"], "has not ended yet"),
        (["--day", "2999-01-01", "--backfill"], "has not ended yet"),
        (["--enqueue", "--backfill"], "takes no other option"),
    ],
)
def test_the_command_refuses_a_wrong_argument_and_writes_nothing(
    arguments: list[str], message: str, community: Community
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("snapshot_health", *arguments, stdout=StringIO())
    assert HealthSnapshot.objects.count() == 0
