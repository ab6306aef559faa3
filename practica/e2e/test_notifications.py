"""The notification centre in a real browser: a reply shows up in the header badge and the centre, and
"Mark all read" (htmx) empties both."""

from __future__ import annotations

from typing import Any

import pytest

from practica.accounts.models import User
from practica.communities.services import community_create, community_join
from practica.discussions.services import post_create, thread_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Sturdy-Passw0rd!"


def test_a_reply_appears_in_the_badge_and_mark_all_read_clears_it(live_server: Any, new_page: Any) -> None:
    coordinator = User.objects.create_user("nora", "nora@example.org", PASSWORD)
    community = community_create(
        creator=coordinator, name="Logging", slug="logging", domain="Wireline logging."
    )
    asker = User.objects.create_user("asker", "asker@example.org", PASSWORD)
    community_join(community=community, user=asker)
    thread = thread_create(
        community=community, author=asker, kind="question", title="Which CBL tool?", body="For 7 in. casing."
    )
    post_create(thread=thread, author=coordinator, body="The segmented bond tool reads channels best.")
    base = live_server.url

    page = new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", "asker")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/")

    badge = page.locator("#notification-badge .badge")
    badge.wait_for()
    assert badge.inner_text() == "1"
    page.get_by_role("link", name="Notifications").click()
    page.wait_for_url(f"{base}/notifications/")
    assert page.get_by_text("nora replied to “Which CBL tool?”").is_visible()

    page.get_by_role("button", name="Mark all read").click()
    page.get_by_text("Nothing unread.").wait_for()
    page.locator("#notification-badge .badge").wait_for(state="detached")
    assert page.locator("#notification-badge").inner_text().strip() == ""
