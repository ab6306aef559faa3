"""Questions and answers as people see them in a real browser."""

from __future__ import annotations

from typing import Any

import pytest

from practica.accounts.models import User
from practica.communities.services import community_create, community_join
from practica.discussions.models import Thread
from practica.e2e.helpers import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def ask(page: Any, base: str, slug: str, title: str, body: str) -> None:
    page.goto(f"{base}/communities/{slug}/threads/new/")
    page.fill("input[name=title]", title)
    page.fill("textarea[name=body]", body)
    page.get_by_role("button", name="Post").click()
    page.get_by_role("heading", name=title).wait_for()


def test_a_question_is_answered_accepted_and_the_unheard_queue_follows(live_server: Any, new_page: Any) -> None:
    coordinator = User.objects.create_user("carla", "carla@example.org", PASSWORD)
    community = community_create(
        creator=coordinator, name="Cementing", slug="cementing", domain="Primary and remedial cementing."
    )
    for name in ("asker", "answerer", "newbie"):
        user = User.objects.create_user(name, f"{name}@example.org", PASSWORD)
        community_join(community=community, user=user)
    base = live_server.url

    asker = new_page()
    sign_in(asker, base, "asker")
    ask(asker, base, "cementing", "How long to wait on cement?", "Our **WOC** time is 24 h. Too long?")

    answerer = new_page()
    sign_in(answerer, base, "answerer")
    answerer.goto(f"{base}/communities/cementing/threads/")
    answerer.get_by_role("link", name="How long to wait on cement?").click()
    answerer.fill("#reply-form textarea[name=body]", "Use the UCA strength curve: 500 psi is usually enough.")
    answerer.get_by_role("button", name="Post answer").click()
    answerer.get_by_text("Use the UCA strength curve").wait_for()

    asker.reload()
    asker.get_by_role("button", name="Accept this answer").click()
    assert asker.get_by_text("Marked as the accepted answer.").is_visible()
    assert asker.get_by_text("✓ Accepted answer").is_visible()
    assert asker.locator(".badge", has_text="Solved").first.is_visible()
    thread = Thread.objects.get(title="How long to wait on cement?")
    assert thread.accepted_post is not None and thread.accepted_post.author.username == "answerer"

    newbie = new_page()
    sign_in(newbie, base, "newbie")
    ask(newbie, base, "cementing", "Which spacer before a foam cement job?", "First job on foam cement, any tips?")

    carla = new_page()
    sign_in(carla, base, "carla")
    carla.goto(f"{base}/communities/cementing/unheard/")
    row = carla.get_by_role("row", name="Which spacer before a foam cement job?")
    assert row.is_visible()
    assert row.get_by_text("Newcomer").is_visible()
    assert carla.get_by_role("link", name="How long to wait on cement?").count() == 0

    answerer.goto(f"{base}/communities/cementing/threads/")
    answerer.get_by_role("link", name="Which spacer before a foam cement job?").click()
    answerer.fill("#reply-form textarea[name=body]", "A weighted spacer with surfactant works well.")
    answerer.get_by_role("button", name="Post answer").click()
    answerer.get_by_text("A weighted spacer").wait_for()

    carla.reload()
    assert carla.get_by_role("link", name="Which spacer before a foam cement job?").count() == 0
    assert carla.get_by_text("Everyone has been heard.").is_visible()


def test_an_answer_linking_to_another_thread_links_both_pages(live_server: Any, new_page: Any) -> None:
    coordinator = User.objects.create_user("carla", "carla@example.org", PASSWORD)
    community = community_create(
        creator=coordinator, name="Cementing", slug="cementing", domain="Primary and remedial cementing."
    )
    base = live_server.url
    page = new_page()
    sign_in(page, base, "carla")
    ask(page, base, "cementing", "Foam cement design basics", "Which quality range do you design for?")
    earlier = Thread.objects.get(title="Foam cement design basics")
    ask(page, base, "cementing", "Foam cement in a deepwater well", "Any experience below 1,500 m of water?")

    page.fill("#reply-form textarea[name=body]", f"Start from [the design thread]({base}{earlier.get_absolute_url()}).")
    page.get_by_role("button", name="Post answer").click()
    page.get_by_role("link", name="the design thread").wait_for()
    linked = page.locator("#linked")
    assert linked.get_by_role("link", name="Foam cement design basics").is_visible()

    linked.get_by_role("link", name="Foam cement design basics").click()
    page.get_by_role("heading", name="Foam cement design basics").wait_for()
    assert page.locator("#linked").get_by_role("link", name="Foam cement in a deepwater well").is_visible()
    assert community.threads.count() == 2
