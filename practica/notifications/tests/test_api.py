"""The API of what the pages let a person choose: watching and muting (communities, tags, threads), email
preferences and personal feeds, and a community's webhooks (coordinators)."""

from __future__ import annotations

from typing import Any

import pytest

from practica.accounts.models import User
from practica.communities.models import Community, Role
from practica.lib.testing.client import Api
from practica.lib.testing.content import ask, person
from practica.notifications import services
from practica.notifications.models import (
    CommunityEmailPreference,
    EmailMode,
    EmailPreference,
    Subscription,
    Webhook,
)
from practica.topics.models import Topic

pytestmark = pytest.mark.django_db

SUBSCRIPTIONS = "/api/v1/me/subscriptions/"
PREFERENCES = "/api/v1/me/preferences/"


def _webhooks(community: Community) -> str:
    return f"/api/v1/communities/{community.slug}/webhooks/"


@pytest.fixture
def allow_private_webhooks(settings: Any) -> None:
    settings.PRACTICA_WEBHOOK_ALLOW_PRIVATE = True


# --- Subscriptions -------------------------------------------------------------------------------------------


def test_a_member_watches_a_community_mutes_a_thread_and_watches_a_tag(
    api: Api, member: User, owner: User, community: Community
) -> None:
    thread = ask(community, owner)
    api.as_user(member)
    assert api.post(SUBSCRIPTIONS, {"community": community.slug, "state": "watch"}, format="json").json() == {
        "target": "community", "community": community.slug, "topic": None, "thread": None, "state": "watch",
    }
    assert api.post(SUBSCRIPTIONS, {"thread": thread.pk, "state": "mute"}, format="json").status_code == 200
    assert api.post(SUBSCRIPTIONS, {"topic": "Drilling", "state": "watch"}, format="json").status_code == 200
    listed = api.get(SUBSCRIPTIONS).json()
    assert listed["count"] == 3
    assert [(s["target"], s["community"], s["topic"], s["thread"], s["state"]) for s in listed["results"]] == [
        ("community", community.slug, None, None, "watch"),
        ("topic", None, "drilling", None, "watch"),
        ("thread", None, None, thread.pk, "mute"),
    ]


def test_state_none_forgets_a_subscription(api: Api, member: User, community: Community) -> None:
    services.subscription_set(user=member, community=community, state="watch")
    response = api.as_user(member).post(SUBSCRIPTIONS, {"community": community.slug, "state": "none"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "none"
    assert not Subscription.objects.filter(user=member).exists()


def test_an_outsider_may_not_watch_a_private_community_or_its_threads_and_learns_nothing(
    api: Api, outsider: User, owner: User, private_community: Community
) -> None:
    thread = ask(private_community, owner)
    api.as_user(outsider)
    hidden = api.post(SUBSCRIPTIONS, {"community": private_community.slug, "state": "watch"}, format="json")
    missing = api.post(SUBSCRIPTIONS, {"community": "no-such-place", "state": "watch"}, format="json")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
    assert hidden.status_code == 400
    assert hidden.json() == {"community": ["No such community."]}
    response = api.post(SUBSCRIPTIONS, {"thread": thread.pk, "state": "mute"}, format="json")
    assert (response.status_code, response.json()) == (400, {"thread": ["No such thread."]})
    assert not Subscription.objects.filter(user=outsider).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"state": "watch"}, "detail"),
        ({"topic": "drilling", "thread": 1, "state": "watch"}, "detail"),
        ({"topic": "drilling", "state": "loud"}, "state"),
        ({"topic": "no-such-tag", "state": "watch"}, "topic"),
        ({"thread": "first", "state": "watch"}, "thread"),
    ],
)
def test_a_bad_subscription_is_a_400_with_a_message_and_saves_nothing(
    api: Api, member: User, community: Community, payload: dict[str, Any], field: str
) -> None:
    response = api.as_user(member).post(SUBSCRIPTIONS, payload, format="json")
    assert response.status_code == 400
    assert response.json()[field]
    assert not Subscription.objects.exists()


def test_subscriptions_need_signing_in(api: Api) -> None:
    assert api.get(SUBSCRIPTIONS).status_code == 401
    assert api.post(SUBSCRIPTIONS, {"topic": "drilling", "state": "watch"}, format="json").status_code == 401


def test_one_sees_only_ones_own_subscriptions(api: Api, member: User, owner: User, community: Community) -> None:
    services.subscription_set(user=owner, community=community, state="watch")
    assert api.as_user(member).get(SUBSCRIPTIONS).json()["count"] == 0


@pytest.mark.parametrize("count", [5, 50])
def test_listing_subscriptions_costs_the_same_queries_for_5_or_50(
    api: Api, member: User, owner: User, community: Community, count: int, django_assert_max_num_queries: Any
) -> None:
    for i in range(count):
        services.subscription_set(user=member, thread=ask(community, owner, f"Question {i}?"), state="watch")
        services.subscription_set(user=member, topic=Topic.objects.create(name=f"T{i}", slug=f"t{i}"), state="mute")
    api.as_user(member)
    # the count, the page (communities and tags joined)
    with django_assert_max_num_queries(2):
        response = api.get(SUBSCRIPTIONS, {"page_size": 100})
    assert response.json()["count"] == 2 * count


# --- Preferences -----------------------------------------------------------------------------------------------


def test_preferences_show_the_default_overrides_and_personal_feeds(
    api: Api, member: User, community: Community, private_community: Community
) -> None:
    services.email_mode_set(user=member, community=private_community, mode=EmailMode.WEEKLY)
    data = api.as_user(member).get(PREFERENCES).json()
    assert data["email_mode"] == "immediate"
    assert data["communities"] == [{"community": private_community.slug, "email_mode": "weekly"}]
    assert sorted(f["community"] for f in data["feeds"]) == sorted([community.slug, private_community.slug])
    feed = api.get(data["feeds"][0]["url"].split("testserver", 1)[-1])
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")


def test_patching_preferences_sets_the_default_and_a_community_override(
    api: Api, member: User, community: Community
) -> None:
    response = api.as_user(member).patch(
        PREFERENCES,
        {"email_mode": "daily", "communities": [{"community": community.slug, "email_mode": "off"}]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["email_mode"] == "daily"
    assert EmailPreference.objects.get(user=member).email_mode == "daily"
    assert CommunityEmailPreference.objects.get(user=member, community=community).email_mode == "off"
    cleared = api.patch(PREFERENCES, {"communities": [{"community": community.slug, "email_mode": ""}]}, format="json")
    assert cleared.json()["communities"] == []


def test_a_community_one_may_not_read_is_a_400_and_nothing_is_saved(
    api: Api, outsider: User, community: Community, private_community: Community
) -> None:
    response = api.as_user(outsider).patch(
        PREFERENCES,
        {
            "email_mode": "weekly",
            "communities": [
                {"community": community.slug, "email_mode": "off"},
                {"community": private_community.slug, "email_mode": "off"},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"communities": [f"No such community: {private_community.slug}."]}
    assert not EmailPreference.objects.filter(user=outsider, email_mode="weekly").exists()
    assert not CommunityEmailPreference.objects.filter(user=outsider).exists()


@pytest.mark.parametrize(
    "payload", [{"email_mode": "hourly"}, {"communities": "public-wells"}, {"communities": [{"email_mode": "off"}]}]
)
def test_bad_preferences_are_a_400_with_a_message(
    api: Api, member: User, community: Community, payload: dict[str, Any]
) -> None:
    response = api.as_user(member).patch(PREFERENCES, payload, format="json")
    assert response.status_code == 400
    assert response.json()
    assert not EmailPreference.objects.filter(user=member).exclude(email_mode=EmailMode.IMMEDIATE).exists()


def test_rotating_the_feed_key_revokes_the_old_feed_urls(api: Api, member: User, community: Community) -> None:
    api.as_user(member)
    old = api.get(PREFERENCES).json()["feeds"][0]["url"].split("testserver", 1)[-1]
    new = api.post(f"{PREFERENCES}rotate-feed-key/").json()["feeds"][0]["url"].split("testserver", 1)[-1]
    assert new != old
    assert api.get(old).status_code == 404
    assert api.get(new).status_code == 200


def test_preferences_need_signing_in(api: Api) -> None:
    assert api.get(PREFERENCES).status_code == 401
    assert api.patch(PREFERENCES, {"email_mode": "off"}, format="json").status_code == 401


# --- Webhooks --------------------------------------------------------------------------------------------------


def test_a_coordinator_adds_lists_disables_and_deletes_a_webhook(
    api: Api, owner: User, community: Community, allow_private_webhooks: None
) -> None:
    api.as_user(owner)
    created = api.post(
        _webhooks(community), {"url": "https://127.0.0.1:9/hook", "events": ["thread.created"]}, format="json"
    )
    assert created.status_code == 201
    hook = created.json()
    assert (hook["url"], hook["events"], hook["is_active"]) == ("https://127.0.0.1:9/hook", ["thread.created"], True)
    assert hook["secret"] == Webhook.objects.get().secret
    assert [h["id"] for h in api.get(_webhooks(community)).json()["results"]] == [hook["id"]]
    detail = f"{_webhooks(community)}{hook['id']}/"
    disabled = api.patch(detail, {"is_active": False}, format="json").json()
    assert disabled["is_active"] is False and disabled["disabled_reason"] == "Disabled by a coordinator."
    assert api.delete(detail).status_code == 204
    assert not Webhook.objects.exists()
    assert api.get(detail).status_code == 404


def test_a_member_gets_403_and_an_outsider_404_for_a_private_communitys_webhooks(
    api: Api, member: User, outsider: User, owner: User, community: Community, private_community: Community
) -> None:
    hook = services.webhook_create(community=private_community, actor=owner, url="https://example.com/hook")
    assert api.as_user(member).get(_webhooks(private_community)).status_code == 403
    assert api.as_user(member).patch(
        f"{_webhooks(private_community)}{hook.pk}/", {"is_active": False}, format="json"
    ).status_code == 403
    assert api.as_user(outsider).get(_webhooks(private_community)).status_code == 404
    assert api.as_user(outsider).delete(f"{_webhooks(private_community)}{hook.pk}/").status_code == 404
    assert api.as_user(outsider).get(_webhooks(community)).status_code == 403
    assert Webhook.objects.get().is_active
    assert api.as_user(None).get(_webhooks(community)).status_code == 401


def test_a_webhook_of_another_community_is_404(
    api: Api, owner: User, community: Community, private_community: Community
) -> None:
    hook = services.webhook_create(community=private_community, actor=owner, url="https://example.com/hook")
    assert api.as_user(owner).get(f"{_webhooks(community)}{hook.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"url": "ftp://example.com/hook"}, "url"),
        ({"url": "https://127.0.0.1/hook"}, "url"),
        ({"url": "https://example.com/hook", "events": ["thread.deleted"]}, "events"),
        ({}, "url"),
    ],
)
def test_a_bad_webhook_is_a_400_with_a_message_and_saves_nothing(
    api: Api, owner: User, community: Community, settings: Any, payload: dict[str, Any], field: str
) -> None:
    settings.PRACTICA_WEBHOOK_ALLOW_PRIVATE = False
    response = api.as_user(owner).post(_webhooks(community), payload, format="json")
    assert response.status_code == 400
    assert response.json()[field]
    assert not Webhook.objects.exists()


def test_a_bad_change_is_a_400(api: Api, owner: User, community: Community) -> None:
    hook = services.webhook_create(community=community, actor=owner, url="https://example.com/hook")
    response = api.as_user(owner).patch(f"{_webhooks(community)}{hook.pk}/", {"is_active": "maybe"}, format="json")
    assert response.status_code == 400
    assert response.json()["is_active"]


@pytest.mark.parametrize("count", [5, 50])
def test_listing_webhooks_costs_the_same_queries_for_5_or_50(
    api: Api, owner: User, community: Community, count: int, django_assert_max_num_queries: Any
) -> None:
    for i in range(count):
        services.webhook_create(community=community, actor=owner, url=f"https://example.com/hook/{i}")
    api.as_user(owner)
    # A first read of the day also records the reader's activity (insights): read once, then count.
    api.get(_webhooks(community), {"page_size": 100})
    # the community, the caller's membership (access), the count, the page
    with django_assert_max_num_queries(4):
        response = api.get(_webhooks(community), {"page_size": 100})
    assert response.json()["count"] == count


def test_a_core_member_may_not_manage_webhooks(api: Api, community: Community) -> None:
    core = person("core", community, Role.CORE)
    assert api.as_user(core).get(_webhooks(community)).status_code == 403
