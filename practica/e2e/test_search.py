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
