"""The foundation, as a person sees it in a real browser."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from practica.accounts.models import User
from practica.communities.models import Community, Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_up(page: Any, base: str, username: str, name: str, organisation: str) -> None:
    page.goto(f"{base}/accounts/signup/")
    page.fill("input[name=email]", f"{username}@example.org")
    page.fill("input[name=username]", username)
    page.fill("input[name=password1]", "Sturdy-Passw0rd!")
    page.fill("input[name=password2]", "Sturdy-Passw0rd!")
    page.fill("input[name=display_name]", name)
    page.fill("input[name=organization]", organisation)
    page.click("form button[type=submit]")
    # A sign-up confirms its address before signing in (it must not tell whether the address was registered).
    page.wait_for_url(f"{base}/accounts/confirm-email/")
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[-1].body)
    assert link is not None and mail.outbox[-1].to == [f"{username}@example.org"]
    page.goto(f"{base}{link.group(1)}")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_a_person_signs_up_creates_a_community_and_a_second_person_joins(live_server: Any, new_page: Any) -> None:
    base = live_server.url
    ada = new_page()
    sign_up(ada, base, "ada", "Ada Lovelace", "Analytical Engines Ltd")
    assert ada.get_by_role("heading", name="Welcome, Ada Lovelace").is_visible()

    ada.get_by_role("link", name="Start a community").first.click()
    ada.fill("input[name=name]", "Well Integrity")
    ada.fill("input[name=slug]", "well-integrity")
    ada.fill("textarea[name=domain]", "Keeping wells safe over their whole life: barriers, cementing, monitoring.")
    ada.fill("input[name=topics]", "well integrity, cementing")
    ada.fill("textarea[name=charter-purpose]", "Fewer well integrity incidents through shared practice.")
    ada.fill("input[name=goals-0-description]", "Answer most questions within two days")
    ada.select_option("select[name=goals-0-metric]", "reply_coverage_7d")
    ada.fill("input[name=goals-0-target_value]", "80")
    ada.get_by_role("button", name="Create community").click()
    ada.wait_for_url(f"{base}/communities/well-integrity/")
    assert ada.get_by_role("heading", name="Well Integrity", exact=True).is_visible()
    assert ada.get_by_text("Answer most questions within two days").is_visible()
    assert ada.get_by_text("You are coordinator").is_visible()

    grace = new_page()
    sign_up(grace, base, "grace", "Grace Hopper", "Compilers Inc")
    grace.goto(f"{base}/communities/")
    grace.get_by_role("link", name="Well Integrity", exact=True).click()
    grace.get_by_role("button", name="Join").click()
    assert grace.get_by_text("Welcome to Well Integrity!").is_visible()

    ada.goto(f"{base}/communities/well-integrity/members/")
    table = ada.get_by_role("table")
    assert table.get_by_role("link", name="Ada Lovelace").is_visible()
    assert table.get_by_role("link", name="Grace Hopper").is_visible()
    assert table.get_by_text("Compilers Inc").is_visible()
    assert ada.get_by_text("2 members").is_visible()

    community = Community.objects.get(slug="well-integrity")
    assert community.charter.goals.get().metric == "reply_coverage_7d"
    assert Membership.objects.filter(community=community, state="active").count() == 2


def test_a_private_community_is_invisible_to_an_outsider(live_server: Any, new_page: Any) -> None:
    from practica.communities.services import community_create

    owner = User.objects.create_user("owner", "owner@example.org", "Sturdy-Passw0rd!")
    community_create(
        creator=owner, name="Secret Incident Reviews", slug="secret-reviews", domain="Confidential", visibility="private"
    )
    community_create(creator=owner, name="Open Teaching Circle", slug="open-teaching", domain="Maths teaching")

    base = live_server.url
    page = new_page()
    sign_up(page, base, "outsider", "Otto Outsider", "Elsewhere")
    page.goto(f"{base}/communities/")
    assert page.get_by_role("link", name="Open Teaching Circle").is_visible()
    assert page.get_by_text("Secret Incident Reviews").count() == 0
    page.fill("input[name=q]", "Secret")
    page.keyboard.press("Enter")
    # The search runs through htmx and pushes its URL; wait for it to finish before going elsewhere.
    page.wait_for_url(re.compile(r"[?&]q=Secret"))
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Secret Incident Reviews").count() == 0
    response = page.goto(f"{base}/communities/secret-reviews/")
    assert response is not None and response.status == 404
    assert "Secret Incident Reviews" not in page.content()
