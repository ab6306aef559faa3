"""notify(), broadcast(), subscriptions and the hooks in discussions, communities and search."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from practica.accounts.models import User
from practica.communities import services as community_services
from practica.communities.models import Community
from practica.discovery import services as search_services
from practica.discussions import services as discussion_services
from practica.lib.testing.content import answer, ask, person
from practica.lib.testing.factories import UserFactory
from practica.notifications import services
from practica.notifications.models import EmailMode, Kind, Notification, Subscription
from practica.notifications.tests.helpers import inbox, kinds
from practica.topics.models import Topic

pytestmark = pytest.mark.django_db

Commit = Callable[..., Any]


def test_notify_skips_the_actor_and_people_who_cannot_read_a_private_community(
    private_community: Community, owner: User, member: User, outsider: User
) -> None:
    count = services.notify(
        recipients=[owner, member, outsider, member],
        kind=Kind.EVENT_NEW,
        subject="Monthly call",
        url="/x/",
        community=private_community,
        actor=owner,
    )

    assert count == 1
    assert inbox(member) == [("event_new", "Monthly call")]
    assert inbox(owner) == [] and inbox(outsider) == []


def test_notify_reaches_anyone_in_a_public_community(
    community: Community, owner: User, outsider: User
) -> None:
    assert (
        services.notify(recipients=[outsider], kind=Kind.MENTION, subject="Hi", url="/", community=community)
        == 1
    )
    assert kinds(outsider) == ["mention"]


def test_notify_refuses_an_unknown_kind(member: User) -> None:
    with pytest.raises(ValueError, match="Unknown notification kind"):
        services.notify(recipients=[member], kind="gossip", subject="x", url="/")
    assert Notification.objects.count() == 0


def test_notify_records_the_effective_email_mode_with_community_override(
    community: Community, private_community: Community, member: User
) -> None:
    services.email_mode_set(user=member, mode=EmailMode.WEEKLY)
    services.email_mode_set(user=member, mode=EmailMode.OFF, community=private_community)

    services.notify(recipients=[member], kind=Kind.EVENT_NEW, subject="a", url="/", community=community)
    services.notify(
        recipients=[member], kind=Kind.EVENT_NEW, subject="b", url="/", community=private_community
    )

    modes = dict(Notification.objects.filter(recipient=member).values_list("subject", "email_mode"))
    assert modes == {"a": "weekly", "b": "off"}


def test_a_reply_notifies_the_thread_author_who_watches_it_automatically(
    community: Community, owner: User, member: User, django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(community, member)
    assert Subscription.objects.of(thread).filter(user=member, muted=False).exists()

    with django_capture_on_commit_callbacks(execute=True):
        answer(thread, owner)

    assert inbox(member) == [("reply", f"owner replied to “{thread.title}”")]
    assert inbox(owner) == []
    assert Subscription.objects.of(thread).filter(user=owner).exists(), "repliers watch too"


def test_a_muted_thread_stays_silent(
    community: Community, owner: User, member: User, django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(community, member)
    services.subscription_set(user=member, thread=thread, state="mute")
    services.subscription_set(user=member, community=community, state="watch")

    with django_capture_on_commit_callbacks(execute=True):
        answer(thread, owner)

    assert inbox(member) == []


def test_a_mention_in_a_reply_is_one_notification_not_also_a_reply(
    community: Community, owner: User, member: User, django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(community, member)
        answer(thread, owner, body="@member have a look at the logs")

    assert kinds(member) == ["mention"]


def test_a_comment_notifies_the_post_author_and_a_mention_in_it(
    community: Community, owner: User, member: User, django_capture_on_commit_callbacks: Commit
) -> None:
    third = person("third", community)
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(community, member)
        reply = answer(thread, owner)
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        discussion_services.comment_create(post=reply, author=third, body="Which tool, @member?")

    assert kinds(owner) == ["comment"]
    assert kinds(member) == ["mention"]
    assert inbox(third) == []


def test_an_accepted_answer_notifies_its_author(
    community: Community, owner: User, member: User, django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(community, member)
        reply = answer(thread, owner)
    with django_capture_on_commit_callbacks(execute=True):
        discussion_services.answer_accept(post=reply, actor=member)

    assert ("accepted", f"Your answer to “{thread.title}” was accepted") in inbox(owner)


def test_a_new_thread_reaches_community_and_tag_watchers_but_not_muters(
    community: Community, owner: User, member: User, django_capture_on_commit_callbacks: Commit
) -> None:
    tag_fan = UserFactory.create(username="tagfan")
    muter = person("muter", community)
    services.subscription_set(user=owner, community=community, state="watch")
    services.subscription_set(user=tag_fan, topic=Topic.objects.get(slug="drilling"), state="watch")
    services.subscription_set(user=muter, community=community, state="mute")
    services.subscription_set(user=muter, topic=Topic.objects.get(slug="drilling"), state="watch")

    with django_capture_on_commit_callbacks(execute=True):
        ask(community, member, "Which mud weight?", tags=["drilling"])

    assert inbox(owner) == [("new_content", "New question: Which mud weight?")]
    assert kinds(tag_fan) == ["new_content"]
    assert inbox(muter) == [] and inbox(member) == []


def test_watchers_of_a_private_community_who_left_hear_nothing(
    private_community: Community, owner: User, member: User, django_capture_on_commit_callbacks: Commit
) -> None:
    services.subscription_set(user=member, community=private_community, state="watch")
    community_services.community_leave(community=private_community, user=member)

    with django_capture_on_commit_callbacks(execute=True):
        ask(private_community, owner, "Secret plans")

    assert inbox(member) == []


def test_a_join_request_notifies_the_coordinators(
    members_only_community: Community, owner: User, outsider: User, django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        community_services.community_join(community=members_only_community, user=outsider, message="Hello")

    assert inbox(owner) == [("join_request", "outsider asks to join Members Wells")]
    assert Notification.objects.get(recipient=owner).url == "/communities/members-wells/requests/"


def test_an_expert_request_notifies_the_expert(
    community: Community, owner: User, member: User, django_capture_on_commit_callbacks: Commit
) -> None:
    expert = person("expert", community)
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(community, member)
    with django_capture_on_commit_callbacks(execute=True):
        search_services.expert_request_create(thread=thread, actor=member, expert=expert)
        search_services.expert_request_create(thread=thread, actor=member, expert=expert)

    assert inbox(expert) == [("expert_request", f"member asks you to look at “{thread.title}”")]


def test_subscription_set_switches_between_watch_mute_and_none(community: Community, member: User) -> None:
    services.subscription_set(user=member, community=community, state="watch")
    services.subscription_set(user=member, community=community, state="mute")
    assert list(Subscription.objects.values_list("muted", flat=True)) == [True]
    services.subscription_set(user=member, community=community, state="none")
    assert not Subscription.objects.exists()


def test_thread_hooks_keep_queries_independent_of_watchers(
    community: Community,
    owner: User,
    member: User,
    django_assert_max_num_queries: Any,
    django_capture_on_commit_callbacks: Commit,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(community, member)
    for i in range(25):
        services.subscription_set(user=person(f"w{i}", community), thread=thread, state="watch")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer(thread, owner)
    # 33: the reindexing among the hooks also asks whether there is a latent space to place the thread in, and
    # replaces the thread's document in a savepoint of its own (SAVEPOINT and RELEASE: safe when writers race).
    # 36: the reply's contribution is recorded for the health metrics (insights.DailyActivity: one upsert in its
    # savepoint), whatever the number of watchers.
    with django_assert_max_num_queries(36):
        for callback in callbacks:
            callback()

    assert Notification.objects.filter(kind=Kind.REPLY).count() == 26


def test_deleting_a_thread_deletes_its_subscriptions_and_no_other(
    community: Community, owner: User, member: User
) -> None:
    kept, gone = ask(community, owner), ask(community, owner, "Which cement for HPHT wells?")
    services.subscription_set(user=member, thread=kept, state="watch")
    services.subscription_set(user=member, thread=gone, state="mute")
    services.subscription_set(user=member, community=community, state="watch")
    gone.delete()
    assert Subscription.objects.of(kept).filter(user=member).exists()
    assert not Subscription.objects.of(gone).exists()
    assert Subscription.objects.filter(user=member).count() == 2


def _community_with_watched_threads(count: int, watcher: User) -> Community:
    from django.contrib.contenttypes.models import ContentType

    from practica.discussions.models import Thread
    from practica.lib.testing.factories import CommunityFactory

    community = CommunityFactory()
    threads = Thread.objects.bulk_create(
        Thread(community=community, title=f"Thread {number}", author=watcher) for number in range(count)
    )
    kind = ContentType.objects.get_for_model(Thread)
    Subscription.objects.bulk_create(
        Subscription(user=watcher, target_type=kind, target_id=thread.pk) for thread in threads
    )
    return community


def test_deleting_a_community_deletes_its_threads_subscriptions_in_the_same_number_of_queries_for_5_or_50(
    member: User,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (5, 50):
        community = _community_with_watched_threads(size, member)
        with CaptureQueriesContext(connection) as queries:
            community.delete()
        counts.append(len(queries))
    assert not Subscription.objects.filter(user=member, target_id__isnull=False).exists()
    assert counts[0] == counts[1]
