"""Recording activity cheaply (one row per person, community and UTC day) and back-filling contribution days."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions.models import Comment, Post, Thread
from practica.insights import services
from practica.insights.models import DailyActivity

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)


def rows(community: Community) -> list[tuple[str, date, bool]]:
    return list(
        DailyActivity.objects.filter(community=community)
        .order_by("user__username", "day")
        .values_list("user__username", "day", "contributed")
    )


def test_a_read_writes_one_row_for_the_person_community_and_day(community: Community, member: User) -> None:
    assert services.activity_record(user=member, community=community, day=DAY) is True
    assert rows(community) == [("member", DAY, False)]


def test_a_second_read_the_same_day_costs_no_query(
    community: Community, member: User, django_assert_num_queries: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the cache learns of the row once it is committed
        services.activity_record(user=member, community=community, day=DAY)
    with django_assert_num_queries(0):
        assert services.activity_record(user=member, community=community, day=DAY) is False
    assert rows(community) == [("member", DAY, False)]


def test_recording_is_idempotent_even_when_the_cache_forgot(community: Community, member: User) -> None:
    for _ in range(3):
        cache.clear()
        services.activity_record(user=member, community=community, day=DAY)
    assert rows(community) == [("member", DAY, False)]


def test_a_contribution_turns_a_reading_day_into_a_contribution_day(community: Community, member: User) -> None:
    services.activity_record(user=member, community=community, day=DAY)
    assert services.activity_record(user=member, community=community, day=DAY, contributed=True) is True
    assert rows(community) == [("member", DAY, True)]


def test_a_later_read_never_turns_a_contribution_day_back(
    community: Community, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_record(user=member, community=community, day=DAY, contributed=True)
    assert services.activity_record(user=member, community=community, day=DAY) is False  # the cache knows
    cache.clear()
    services.activity_record(user=member, community=community, day=DAY)  # the database keeps True
    assert rows(community) == [("member", DAY, True)]


def test_a_rolled_back_write_is_not_remembered(
    community: Community, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # the transaction never commits
        services.activity_record(user=member, community=community, day=DAY)
    assert len(callbacks) == 1
    assert cache.get(f"insights:seen:{community.pk}:{member.pk}:{DAY.isoformat()}") is None


def test_each_day_and_each_community_has_its_own_row(
    community: Community, private_community: Community, member: User
) -> None:
    services.activity_record(user=member, community=community, day=DAY)
    services.activity_record(user=member, community=community, day=date(2026, 3, 11))
    services.activity_record(user=member, community=private_community, day=DAY)
    assert len(rows(community)) == 2
    assert rows(private_community) == [("member", DAY, False)]


def test_anonymous_visitors_are_not_recorded(community: Community) -> None:
    assert services.activity_record(user=AnonymousUser(), community=community) is False  # type: ignore[arg-type]
    assert DailyActivity.objects.count() == 0


def test_a_failed_write_is_logged_and_leaves_the_transaction_usable(
    community: Community, member: User, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(*args: Any, **kwargs: Any) -> None:
        with connection.cursor() as cursor:  # a statement that fails inside the savepoint, as a lock would
            cursor.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(DailyActivity.objects, "bulk_create", locked)
    assert services.activity_record(user=member, community=community, day=DAY) is False
    assert "Could not record activity" in caplog.text
    assert DailyActivity.objects.count() == 0  # the surrounding transaction still answers


def test_the_day_defaults_to_today_in_utc(community: Community, member: User) -> None:
    services.activity_record(user=member, community=community)
    assert rows(community) == [("member", datetime.now(UTC).date(), False)]


def _content(community: Community, owner: User, member: User) -> None:
    """owner's thread late on 03-10 UTC; member's reply on 03-11 and comment on 03-11; owner's reply on 03-10;
    a deleted reply by member on 03-12 and a reply by a deleted account on 03-13."""
    late = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    thread = Thread.objects.create(community=community, author=owner, title="Casing", created_at=late)
    opening = Post.objects.create(thread=thread, author=owner, is_opening=True, body_source="x", body_html="x",
                                  created_at=late)
    Post.objects.create(thread=thread, author=owner, body_source="x", body_html="x", created_at=late)
    Post.objects.create(thread=thread, author=member, body_source="x", body_html="x",
                        created_at=datetime(2026, 3, 11, 0, 30, tzinfo=UTC))
    Comment.objects.create(post=opening, author=member, body_source="x", body_html="x",
                           created_at=datetime(2026, 3, 11, 9, tzinfo=UTC))
    Post.objects.create(thread=thread, author=member, body_source="x", body_html="x",
                        created_at=datetime(2026, 3, 12, tzinfo=UTC), deleted_at=datetime(2026, 3, 12, tzinfo=UTC))
    Post.objects.create(thread=thread, author=None, body_source="x", body_html="x",
                        created_at=datetime(2026, 3, 13, tzinfo=UTC))


def test_the_back_fill_marks_each_persons_contribution_days_in_utc(
    community: Community, owner: User, member: User, settings: object
) -> None:
    settings.TIME_ZONE = "Pacific/Auckland"  # type: ignore[attr-defined]  # days are UTC days all the same
    _content(community, owner, member)
    # owner: the thread and a reply on 03-10 = one day; member: a reply and a comment on 03-11 = one day.
    assert services.activity_backfill(community=community) == 2
    assert rows(community) == [("member", date(2026, 3, 11), True), ("owner", date(2026, 3, 10), True)]


def test_the_back_fill_is_idempotent_and_upgrades_reading_days(
    community: Community, owner: User, member: User
) -> None:
    _content(community, owner, member)
    services.activity_record(user=member, community=community, day=date(2026, 3, 11))
    services.activity_record(user=member, community=community, day=date(2026, 3, 20))
    services.activity_backfill(community=community)
    services.activity_backfill(community=community)
    assert rows(community) == [
        ("member", date(2026, 3, 11), True),
        ("member", date(2026, 3, 20), False),
        ("owner", date(2026, 3, 10), True),
    ]


def test_the_back_fill_can_start_from_a_day(community: Community, owner: User, member: User) -> None:
    _content(community, owner, member)
    assert services.activity_backfill(community=community, since=date(2026, 3, 11)) == 1
    assert rows(community) == [("member", date(2026, 3, 11), True)]


def test_the_command_back_fills_a_community_by_its_slug(community: Community, owner: User, member: User) -> None:
    _content(community, owner, member)
    out = StringIO()
    call_command("backfill_activity", "--community", community.slug, stdout=out)
    assert out.getvalue() == f"{community.slug}: 2 contribution days marked\n"
    assert len(rows(community)) == 2


@pytest.mark.parametrize("arguments", [["--community", "nowhere"], ["--since", "10 March"]])
def test_the_command_refuses_a_wrong_argument_with_a_message(arguments: list[str], community: Community) -> None:
    with pytest.raises(CommandError):
        call_command("backfill_activity", *arguments, stdout=StringIO())
    assert DailyActivity.objects.count() == 0
