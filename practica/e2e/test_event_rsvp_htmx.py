"""Answering a meeting in a real browser: in place with htmx, and by a plain form post without JavaScript."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.services import community_create, community_join
from practica.e2e.helpers import PASSWORD, sign_in
from practica.events import services
from practica.events.models import Rsvp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def _meeting() -> tuple[str, User]:
    coordinator = User.objects.create_user("carla", "carla@example.org", PASSWORD)
    community = community_create(
        creator=coordinator, name="Cementing", slug="cementing", domain="Primary and remedial cementing."
    )
    member = User.objects.create_user("mo", "mo@example.org", PASSWORD)
    community_join(community=community, user=member)
    start = (timezone.now() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    event = services.event_create(
        community=community,
        organiser=coordinator,
        title="Spacer design review",
        start=start,
        end=start + dt.timedelta(hours=1),
        timezone_name="UTC",
        capacity=5,
    )
    return event.get_absolute_url(), member


def test_answering_updates_the_button_and_the_counts_in_place(live_server: Any, new_page: Any) -> None:
    url, member = _meeting()
    base = live_server.url
    mo = new_page()
    sign_in(mo, base, "mo")
    mo.goto(f"{base}{url}")
    mo.evaluate("window.__samePage = true")
    assert "No answers yet." in mo.locator("#who").inner_text()
    mo.get_by_role("button", name="Going", exact=True).click()
    mo.get_by_text("You are going. See you there!").wait_for()
    mo.wait_for_load_state("networkidle")
    assert mo.locator("#rsvp").inner_text().count("1 going of 5 seats") == 1
    assert mo.get_by_role("button", name="Going", exact=True).get_attribute("aria-pressed") == "true"
    assert mo.evaluate("window.__samePage === true")  # swapped in place, no page load
    assert "mo\nYes" in mo.locator("#who").inner_text()  # who is coming, updated too
    mo.get_by_role("button", name="Not going", exact=True).click()
    mo.get_by_text("Noted: you are not coming.").wait_for()
    mo.wait_for_load_state("networkidle")
    assert "0 going of 5 seats" in mo.locator("#rsvp").inner_text()
    assert mo.get_by_role("button", name="Not going", exact=True).get_attribute("aria-pressed") == "true"
    assert mo.evaluate("window.__samePage === true")
    assert Rsvp.objects.get(user=member).response == "no"


def test_answering_works_without_javascript(live_server: Any, browser: Any) -> None:
    url, member = _meeting()
    base = live_server.url
    context = browser.new_context(java_script_enabled=False)
    try:
        mo = context.new_page()
        sign_in(mo, base, "mo")
        mo.goto(f"{base}{url}")
        mo.get_by_role("button", name="Maybe", exact=True).click()
        mo.get_by_text("Noted: you might come.").wait_for()
        assert "1 maybe" in mo.locator("#rsvp").inner_text()
        assert Rsvp.objects.get(user=member).response == "maybe"
    finally:
        context.close()
