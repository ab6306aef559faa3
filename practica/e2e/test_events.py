"""A meeting's life in a real browser: planned as a monthly meeting, answered, held, written up, acted on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.services import community_create, community_join
from practica.e2e.helpers import PASSWORD, sign_in
from practica.events.models import Attendance, Event, Occurrence, Rsvp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_a_monthly_meeting_is_planned_answered_held_and_its_action_reaches_the_member(
    live_server: Any, new_page: Any
) -> None:
    coordinator = User.objects.create_user("carla", "carla@example.org", PASSWORD)
    community = community_create(
        creator=coordinator, name="Cementing", slug="cementing", domain="Primary and remedial cementing."
    )
    member = User.objects.create_user("mo", "mo@example.org", PASSWORD)
    community_join(community=community, user=member)
    base = live_server.url
    # The first meeting starts in two hours, so it can be answered now and held "afterwards" below.
    start = (timezone.now() + dt.timedelta(hours=2)).astimezone(dt.UTC).replace(second=0, microsecond=0)

    carla = new_page()
    sign_in(carla, base, "carla")
    carla.goto(f"{base}/communities/cementing/")
    carla.get_by_role("link", name="Plan an event").first.click()
    carla.wait_for_url(f"{base}/communities/cementing/events/new/")
    carla.fill("input[name=title]", "Cementing monthly")
    carla.fill("input[name=start]", start.strftime("%Y-%m-%dT%H:%M"))
    carla.fill("input[name=end]", (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    carla.fill("input[name=timezone]", "UTC")
    carla.select_option("select[name=repeat]", "monthly-weekday")
    carla.fill("input[name=count]", "6")
    carla.fill("input[name=online_url]", "https://meet.example.org/cementing")
    carla.get_by_role("button", name="Plan the event").click()
    carla.get_by_role("heading", name="Cementing monthly").wait_for()
    event = Event.objects.get(title="Cementing monthly")
    assert event.recurrence.startswith("FREQ=MONTHLY;BYDAY=")
    assert carla.get_by_text("Recurring", exact=True).is_visible()

    mo = new_page()
    sign_in(mo, base, "mo")
    mo.goto(f"{base}/communities/cementing/")
    mo.get_by_role("link", name="Cementing monthly").first.click()
    mo.get_by_role("button", name="Going", exact=True).click()
    mo.get_by_text("You are going.").wait_for()
    assert Rsvp.objects.get(user=member).response == "yes"

    # The meeting took place: move the clock of the first occurrence into the past, as time would.
    shift = dt.timedelta(hours=3)
    Event.objects.filter(pk=event.pk).update(start=event.start - shift, end=event.end - shift)
    Occurrence.objects.filter(event=event).update(
        original_start=event.start - shift, start=event.start - shift, end=event.end - shift
    )
    key = (event.start - shift).strftime("%Y-%m-%dT%H:%M:%SZ")

    carla.goto(f"{base}/communities/cementing/events/{event.pk}/?occurrence={key}")
    carla.get_by_role("heading", name="Who came").wait_for()
    carla.get_by_role("checkbox", name="mo", exact=True).check()  # not "Monday …"
    carla.get_by_role("button", name="Save attendance").click()
    carla.get_by_text("Attendance saved: 1 came.").wait_for()
    assert Attendance.objects.filter(user=member).exists()
    carla.fill("textarea[name=notes]", "We compared **spacer** designs.")
    carla.fill("textarea[name=decisions]", "Trial the weighted spacer.")
    carla.get_by_role("button", name="Save agenda and notes").click()
    carla.locator(".prose", has_text="We compared spacer designs.").wait_for()
    carla.fill("input[name=text]", "Share the spacer test results")
    carla.fill("input[name=owner]", "mo")
    carla.get_by_role("button", name="Add action").click()
    carla.get_by_text("Action added for").wait_for()

    mo.goto(f"{base}/")
    mo.get_by_role("heading", name="My actions from meetings").wait_for()
    assert mo.get_by_text("Share the spacer test results").is_visible()
    mo.goto(f"{base}/notifications/")
    mo.wait_for_load_state("networkidle")
    assert mo.get_by_text("Share the spacer test results").first.is_visible()
    mo.goto(f"{base}/")
    mo.get_by_role("button", name="Mark done").click()
    mo.get_by_text("Action done.").wait_for()
    assert mo.get_by_text("Share the spacer test results").count() == 0
