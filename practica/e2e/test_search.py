"""Search as people use it in a real browser: results as you type, and "did you mean" for a misspelling."""

from __future__ import annotations

import re
from typing import Any

import pytest

from practica.accounts.models import User
from practica.communities.services import community_create
from practica.discussions.services import thread_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_misspelled_search_offers_the_right_spelling_and_one_click_finds_the_thread(
    live_server: Any, new_page: Any
) -> None:
    owner = User.objects.create_user("owner", "owner@example.org", "Sturdy-Passw0rd!")
    community = community_create(creator=owner, name="Open Wells", slug="open-wells", domain="Well integrity")
    thread_create(
        community=community, author=owner, kind="question", title="Zirconium tracer in cement barriers",
        body="Has anyone logged a zirconium tracer behind casing?",
    )
    page = new_page()
    page.goto(f"{live_server.url}/search/")
    page.fill("#id_q", "zirconum tracer")  # results as you type: htmx swaps them in
    suggestion = page.locator(".suggestion a")
    suggestion.wait_for()
    assert suggestion.inner_text() == "zirconium tracer"
    assert page.locator(".suggestion strong").inner_text() == "zirconium"
    suggestion.click()
    page.wait_for_url(re.compile(r"[?&]q=zirconium\+tracer"))
    assert page.get_by_role("link", name="Zirconium tracer in cement barriers").is_visible()
    assert page.locator(".suggestion").count() == 0
    assert page.input_value("#id_q") == "zirconium tracer"


def test_while_asking_the_knowledge_base_answers_before_anyone_has_to(live_server: Any, new_page: Any) -> None:
    from practica.knowledge import services as knowledge

    owner = User.objects.create_user("owner", "owner@example.org", "Sturdy-Passw0rd!")
    community = community_create(creator=owner, name="Open Wells", slug="open-wells", domain="Well integrity")
    item = knowledge.item_create(
        community=community, author=owner, kind="best-practice", title="Verify every well barrier element",
        summary="Test each one.", body="Verify every barrier element with a recorded test before relying on it.",
        tags=[], fields={},
    )
    knowledge.item_submit(item=item, actor=owner)
    knowledge.item_review(item=item, reviewer=owner, approve=True)
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "owner")
    page.fill("input[name=password]", "Sturdy-Passw0rd!")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/communities/open-wells/threads/new/")
    page.locator("input[name=title]").press_sequentially("How do we verify a well barrier element?", delay=5)
    page.get_by_text("The knowledge base may already answer this").wait_for()
    link = page.get_by_role("link", name="Verify every well barrier element")
    assert link.get_attribute("href") == f"/communities/open-wells/knowledge/{item.pk}/"
