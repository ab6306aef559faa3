"""The migration that makes a subscription's thread a generic target keeps every row, both ways."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("notifications", "0003_notification_kinds_for_events")]
AFTER = [("notifications", "0004_subscription_generic_target")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def at_0003(transactional_db: None) -> Iterator[Any]:
    yield _migrate(BEFORE)
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _world(apps: Any) -> dict[str, Any]:
    user = apps.get_model("accounts", "User").objects.create(username="watcher", email="w@example.com")
    community = apps.get_model("communities", "Community").objects.create(name="Wells", slug="wells")
    topic = apps.get_model("topics", "Topic").objects.create(name="Cement", slug="cement")
    thread = apps.get_model("discussions", "Thread").objects.create(community=community, title="Why?")
    subscription = apps.get_model("notifications", "Subscription")
    subscription.objects.create(user=user, community=community)
    subscription.objects.create(user=user, topic=topic, muted=True)
    subscription.objects.create(user=user, thread=thread, muted=True)
    return {"user": user.pk, "thread": thread.pk, "community": community.pk, "topic": topic.pk}


def test_thread_subscriptions_become_targets_and_come_back_unchanged(at_0003: Any) -> None:
    ids = _world(at_0003)
    before = sorted(
        at_0003.get_model("notifications", "Subscription").objects.values_list(
            "user_id", "community_id", "topic_id", "thread_id", "muted"
        ),
        key=str,
    )

    after = _migrate(AFTER)
    thread_type = after.get_model("contenttypes", "ContentType").objects.get(app_label="discussions", model="thread")
    moved = after.get_model("notifications", "Subscription").objects.get(target_type__isnull=False)
    assert (moved.user_id, moved.target_type_id, moved.target_id, moved.muted) == (
        ids["user"], thread_type.pk, ids["thread"], True,
    )
    assert after.get_model("notifications", "Subscription").objects.count() == 3

    back = _migrate(BEFORE)
    assert sorted(
        back.get_model("notifications", "Subscription").objects.values_list(
            "user_id", "community_id", "topic_id", "thread_id", "muted"
        ),
        key=str,
    ) == before
