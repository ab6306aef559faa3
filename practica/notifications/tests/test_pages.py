"""The notification centre, badge, settings, follow/watch pages, feeds and the API, from three sides."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions.models import Thread
from practica.lib.testing.content import ask
from practica.notifications import selectors, services
from practica.notifications.models import EmailMode, EmailPreference, Kind, Notification, Subscription

pytestmark = pytest.mark.django_db


def _notify(user: User, subject: str, community: Community | None = None, count: int = 1) -> None:
    for i in range(count):
        services.notify(
            recipients=[user],
            kind=Kind.EVENT_NEW,
            subject=f"{subject} {i}".strip(),
            url="/",
            community=community,
        )


def _logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


# --- Notification centre --------------------------------------------------------------------------


def test_the_centre_shows_only_ones_own_notifications_with_the_unread_count(
    client: Client, member: User, owner: User, community: Community
) -> None:
    _notify(member, "For member", community, 2)
    _notify(owner, "For owner", community)

    page = _logged_in(client, member).get("/notifications/").content.decode()

    assert "For member 0" in page and "For member 1" in page and "For owner" not in page
    assert "2 unread" in page


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_badge_counts_unread_and_is_empty_for_visitors(
    client: Client, member: User, community: Community
) -> None:
    _notify(member, "x", community, 3)
    assert client.get("/notifications/badge/").content.decode().strip() == ""
    assert ">3<" in _logged_in(client, member).get("/notifications/badge/").content.decode()


def test_the_nav_links_to_the_centre_with_an_htmx_badge(client: Client, member: User) -> None:
    page = _logged_in(client, member).get("/").content.decode()
    assert 'href="/notifications/"' in page and 'hx-get="/notifications/badge/"' in page


def test_mark_read_and_mark_all_read(client: Client, member: User, owner: User, community: Community) -> None:
    _notify(member, "one", community, 3)
    _notify(owner, "theirs", community)
    first = Notification.objects.filter(recipient=member).order_by("id").first()
    theirs = Notification.objects.get(recipient=owner)
    assert first is not None
    _logged_in(client, member)

    client.post("/notifications/read/", {"id": [first.pk, theirs.pk]})
    assert selectors.unread_count(user=member) == 2
    assert selectors.unread_count(user=owner) == 1, "someone else's notification is untouched"

    response = client.post("/notifications/read/", {"all": "1"}, follow=True)
    assert "Marked 2 notifications read." in response.content.decode()
    assert selectors.unread_count(user=member) == 0 and selectors.unread_count(user=owner) == 1


def test_marking_read_ids_that_are_not_plain_numbers_changes_nothing(
    client: Client, member: User, community: Community
) -> None:
    _notify(member, "one", community, 2)
    _logged_in(client, member)

    response = client.post("/notifications/read/", {"id": ["²", "99999999999999999999", "x", "-1"]})

    assert response.status_code == 302
    assert selectors.unread_count(user=member) == 2


@pytest.mark.parametrize("topic_id", ["²", "99999999999999999999", "", "x"])
def test_stopping_to_watch_a_tag_that_is_not_a_plain_number_is_ignored(
    client: Client, member: User, topic_id: str
) -> None:
    _logged_in(client, member)

    response = client.post("/notifications/settings/", {"action": "untopic", "topic_id": topic_id})

    assert response.status_code == 302 and response["Location"] == "/notifications/settings/"


def test_mark_all_read_with_htmx_returns_the_list_partial(
    client: Client, member: User, community: Community
) -> None:
    _notify(member, "one", community)
    response = _logged_in(client, member).post("/notifications/read/", {"all": "1"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="notification-list">')
    assert response["HX-Trigger"] == "notificationsChanged"
    assert "Nothing unread." in body


def test_opening_a_notification_marks_it_read_and_follows_its_link(
    client: Client, member: User, owner: User, community: Community
) -> None:
    services.notify(
        recipients=[member],
        kind=Kind.MENTION,
        subject="Look",
        url="/communities/public-wells/",
        community=community,
    )
    n = Notification.objects.get(recipient=member)

    assert _logged_in(client, owner).get(f"/notifications/{n.pk}/open/").status_code == 404
    response = _logged_in(client, member).get(f"/notifications/{n.pk}/open/")

    assert response.status_code == 302 and response["Location"] == "/communities/public-wells/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_the_centre_costs_the_same_queries_for_5_or_25_notifications(
    client: Client, member: User, community: Community, django_assert_max_num_queries: Any
) -> None:
    _logged_in(client, member)
    _notify(member, "few", community, 5)
    client.get("/notifications/")  # the first request of a session does one-off work
    with django_assert_max_num_queries(10) as few:
        client.get("/notifications/")
    _notify(member, "many", community, 20)
    with django_assert_max_num_queries(10) as many:
        client.get("/notifications/")
    assert len(few.captured_queries) == len(many.captured_queries)


# --- Settings, follow and watch -------------------------------------------------------------------


def test_the_email_preference_is_saved_and_bad_values_are_refused(client: Client, member: User) -> None:
    _logged_in(client, member)
    client.post("/notifications/settings/", {"action": "email", "email_mode": "weekly"})
    assert EmailPreference.objects.get(user=member).email_mode == EmailMode.WEEKLY

    response = client.post("/notifications/settings/", {"action": "email", "email_mode": "hourly"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert EmailPreference.objects.get(user=member).email_mode == EmailMode.WEEKLY


def test_watching_a_tag_from_the_settings_page(client: Client, member: User, community: Community) -> None:
    _logged_in(client, member)
    client.post("/notifications/settings/", {"action": "topic", "topic": "drilling"})
    response = client.post("/notifications/settings/", {"action": "topic", "topic": "no-such-tag"})

    assert Subscription.objects.filter(user=member, topic__slug="drilling").exists()
    assert response.status_code == 400 and "No such tag." in response.content.decode()


def test_follow_page_watches_a_community_for_members_and_is_404_for_outsiders_of_private_ones(
    client: Client, member: User, outsider: User, owner: User, private_community: Community
) -> None:
    url = f"/communities/{private_community.slug}/follow/"
    assert _logged_in(client, outsider).get(url).status_code == 404
    assert client.post(url, {"state": "watch"}).status_code == 404
    assert not Subscription.objects.filter(user=outsider).exists()

    _logged_in(client, member).post(url, {"state": "watch"})
    assert Subscription.objects.filter(user=member, community=private_community, muted=False).exists()
    assert "watching every new thread" in client.get(url).content.decode()

    owner_page = _logged_in(client, owner).get(url).content.decode()
    assert "/webhooks/" in owner_page


def test_per_community_email_override(client: Client, member: User, community: Community) -> None:
    _logged_in(client, member).post(
        f"/communities/{community.slug}/follow/", {"action": "email", "email_mode": "off"}
    )
    _notify(member, "quiet", community)
    assert Notification.objects.get(recipient=member).email_mode == EmailMode.OFF


def test_watching_a_thread_one_cannot_see_is_404(
    client: Client, owner: User, member: User, outsider: User, private_community: Community
) -> None:
    thread = ask(private_community, owner)
    url = f"/threads/{thread.pk}/watch/"

    assert _logged_in(client, outsider).post(url, {"state": "watch"}).status_code == 404
    response = _logged_in(client, member).post(url, {"state": "mute"})

    assert response.status_code == 302
    assert Subscription.objects.of(thread).get(user=member).muted is True
    assert not Subscription.objects.filter(user=outsider).exists()


# --- Feeds ----------------------------------------------------------------------------------------


def test_a_public_community_has_an_atom_feed_of_its_threads(
    client: Client, member: User, community: Community
) -> None:
    ask(community, member, "Which cement additive?")
    hidden = ask(community, member, "Deleted one")
    Thread.objects.filter(pk=hidden.pk).update(deleted_at=timezone.now())

    response = client.get(f"/communities/{community.slug}/feed.atom")

    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    assert "<feed" in body and "Which cement additive?" in body and "Deleted one" not in body


def test_members_only_and_private_communities_have_no_public_feed(
    client: Client, owner: User, members_only_community: Community, private_community: Community
) -> None:
    ask(private_community, owner, "Secret")
    _logged_in(client, owner)  # even their coordinator: the plain URL is for public communities only
    assert client.get(f"/communities/{private_community.slug}/feed.atom").status_code == 404
    assert client.get(f"/communities/{members_only_community.slug}/feed.atom").status_code == 404
    assert client.get("/communities/no-such/feed.atom").status_code == 404


def test_a_personal_feed_url_reads_a_private_community_for_its_member_only(
    client: Client, owner: User, member: User, outsider: User, private_community: Community
) -> None:
    ask(private_community, owner, "Secret plans")
    member_token = selectors.feed_token(user=member)
    outsider_token = selectors.feed_token(user=outsider)

    response = client.get(f"/feeds/{member_token}/communities/{private_community.slug}/feed.atom")
    assert response.status_code == 200 and "Secret plans" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert (
        client.get(f"/feeds/{outsider_token}/communities/{private_community.slug}/feed.atom").status_code
        == 404
    )


def test_a_tampered_or_revoked_feed_token_is_404(
    client: Client, member: User, private_community: Community
) -> None:
    token = selectors.feed_token(user=member)
    url = f"/communities/{private_community.slug}/feed.atom"

    assert client.get(f"/feeds/{token[:-3]}abc{url}").status_code == 404
    services.feed_key_rotate(user=member)
    assert client.get(f"/feeds/{token}{url}").status_code == 404
    assert client.get(f"/feeds/{selectors.feed_token(user=member)}{url}").status_code == 200


def test_rotating_feed_links_from_the_settings_page(
    client: Client, member: User, private_community: Community
) -> None:
    page = _logged_in(client, member).get("/notifications/settings/").content.decode()
    # The token is signed with the time (signing.dumps): check whose feed the shown link opens, not its text, or
    # the test fails whenever the page and a token computed here fall on either side of a second.
    shown = re.search(r"/feeds/([^/\s\"<]+)/communities/", page)
    assert shown is not None
    old = shown.group(1)
    assert selectors.feed_user_from_token(old) == member
    client.post("/notifications/settings/", {"action": "rotate"})
    with pytest.raises(Http404):
        selectors.feed_user_from_token(old)  # rotating the key revokes the links shown before


# --- API ------------------------------------------------------------------------------------------


def test_the_api_lists_ones_notifications_and_marks_them_read(
    client: Client, member: User, owner: User, community: Community
) -> None:
    _notify(member, "api", community, 2)
    _notify(owner, "not yours", community)
    _logged_in(client, member)

    listing = client.get("/api/v1/notifications/").json()
    assert listing["count"] == 2 and listing["unread_count"] == 2
    assert {r["subject"] for r in listing["results"]} == {"api 0", "api 1"}
    assert listing["results"][0]["community"] == "public-wells"

    first = listing["results"][0]["id"]
    assert client.post(
        "/api/v1/notifications/mark-read/", {"ids": [first]}, content_type="application/json"
    ).json() == {"marked": 1, "unread_count": 1}
    assert client.get("/api/v1/notifications/?unread=1").json()["count"] == 1
    assert (
        client.post(
            "/api/v1/notifications/mark-read/", {"all": True}, content_type="application/json"
        ).json()["unread_count"]
        == 0
    )


def test_the_api_refuses_bad_input_and_anonymous_callers(client: Client, member: User) -> None:
    assert client.get("/api/v1/notifications/").status_code in (401, 403)
    _logged_in(client, member)
    response = client.post(
        "/api/v1/notifications/mark-read/", {"ids": ["x"]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert (
        client.post("/api/v1/notifications/mark-read/", {}, content_type="application/json").status_code
        == 400
    )


def test_the_feed_includes_published_knowledge_but_not_drafts(
    client: Client, owner: User, community: Community
) -> None:
    from practica.knowledge.models import KnowledgeItem, KnowledgeStatus

    KnowledgeItem.objects.create(
        community=community,
        title="Cement job lessons",
        summary="What we learned",
        status=KnowledgeStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    KnowledgeItem.objects.create(community=community, title="Unfinished draft", status=KnowledgeStatus.DRAFT)

    body = client.get(f"/communities/{community.slug}/feed.atom").content.decode()

    assert "Cement job lessons" in body and "What we learned" in body
    assert "Unfinished draft" not in body


def test_the_thread_page_links_to_its_watch_settings_for_signed_in_people(
    client: Client, member: User, community: Community
) -> None:
    thread = ask(community, member)
    assert f"/threads/{thread.pk}/watch/" not in client.get(thread.get_absolute_url()).content.decode()
    page = _logged_in(client, member).get(thread.get_absolute_url()).content.decode()
    assert f"/threads/{thread.pk}/watch/" in page
    assert "default (you hear about it" in client.get(f"/threads/{thread.pk}/watch/").content.decode()
