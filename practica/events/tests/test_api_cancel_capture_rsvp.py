"""The events API's additions of [P9]: cancelling an event, capturing a meeting's notes as knowledge, and an RSVP
without an occurrence answering for a recurring event's next date; from the owner's, a member's and an outsider's
side, with bad input, and notifications sent only once the write commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from practica.accounts.models import User
from practica.communities.models import Community
from practica.events import services
from practica.events.models import ActionItem, Event, Occurrence, Rsvp
from practica.events.tests.conftest import soon
from practica.knowledge.models import KnowledgeItem
from practica.lib.testing.client import Api
from practica.notifications.models import Notification

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def key(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- RSVP without an occurrence -----------------------------------------------------------------------------


def test_an_rsvp_without_occurrence_answers_for_the_next_upcoming_date_of_a_recurring_event(
    api: Api, community: Community, member: User, make_event: Callable[..., Event]
) -> None:
    start = soon(days=-8)
    event = make_event(community, start=start, end=start + dt.timedelta(hours=1), recurrence="FREQ=WEEKLY;COUNT=4")
    next_date = event.start + dt.timedelta(days=14)  # the first two dates are past

    response = api.as_user(member).post(f"/api/v1/events/{event.pk}/rsvp/", {"response": "yes"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["occurrence"] == key(next_date)
    assert response.json()["status"] == "confirmed"
    assert Rsvp.objects.get(user=member).occurrence.original_start == next_date


def test_an_rsvp_without_occurrence_skips_a_cancelled_next_date(
    api: Api, community: Community, owner: User, member: User, make_event: Callable[..., Event]
) -> None:
    event = make_event(community, recurrence="FREQ=WEEKLY;COUNT=3")
    services.occurrence_change(event=event, actor=owner, original_start=event.start, cancel=True)

    response = api.as_user(member).post(f"/api/v1/events/{event.pk}/rsvp/", {"response": "maybe"}, format="json")

    assert response.json()["occurrence"] == key(event.start + dt.timedelta(days=7))


def test_an_rsvp_without_occurrence_to_a_series_that_is_over_is_a_400_with_a_message_and_writes_nothing(
    api: Api, community: Community, member: User, make_event: Callable[..., Event]
) -> None:
    start = soon(days=-30)
    event = make_event(community, start=start, end=start + dt.timedelta(hours=1), recurrence="FREQ=WEEKLY;COUNT=2")

    response = api.as_user(member).post(f"/api/v1/events/{event.pk}/rsvp/", {"response": "yes"}, format="json")

    assert response.status_code == 400
    assert "no upcoming date" in response.json()["occurrence"][0]
    assert Rsvp.objects.count() == 0 and Occurrence.objects.count() == 0


def test_the_service_still_asks_which_date_unless_told_to_take_the_next(
    community: Community, member: User, make_event: Callable[..., Event]
) -> None:
    from django.core.exceptions import ValidationError

    event = make_event(community, recurrence="FREQ=WEEKLY;COUNT=4")
    with pytest.raises(ValidationError):
        services.event_rsvp(event=event, user=member, response="yes")
    result = services.event_rsvp(event=event, user=member, response="yes", upcoming_if_unnamed=True)
    assert result.rsvp.occurrence.original_start == event.start


# --- Cancel -------------------------------------------------------------------------------------------------


def test_the_organiser_cancels_an_event_through_the_api_and_those_coming_are_told_after_commit(
    api: Api,
    community: Community,
    owner: User,
    member: User,
    make_event: Callable[..., Event],
    django_capture_on_commit_callbacks: Any,
) -> None:
    event = make_event(community)
    services.event_rsvp(event=event, user=member, response="yes")
    list_url = f"/api/v1/communities/{community.slug}/events/"
    assert api.as_user(owner).get(list_url).json()["count"] == 1

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post(f"/api/v1/events/{event.pk}/cancel/")

    assert response.status_code == 200, response.json()
    assert response.json()["id"] == event.pk and response.json()["cancelled_at"] is not None
    assert not Notification.objects.filter(kind="event_changed").exists()  # not before the commit
    for callback in callbacks:
        callback()
    told = Notification.objects.get(kind="event_changed")
    assert told.recipient == member and told.subject == f"“{event.title}” is cancelled"
    assert api.get(list_url).json()["count"] == 0
    again = api.post(f"/api/v1/events/{event.pk}/cancel/")
    assert again.status_code == 200 and again.json()["cancelled_at"] == response.json()["cancelled_at"]


def test_a_member_may_not_cancel_and_an_anonymous_caller_must_sign_in(
    api: Api, community: Community, member: User, make_event: Callable[..., Event]
) -> None:
    event = make_event(community)
    refused = api.as_user(member).post(f"/api/v1/events/{event.pk}/cancel/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the organiser or a coordinator can do this."
    assert api.as_user(None).post(f"/api/v1/events/{event.pk}/cancel/").status_code == 401
    event.refresh_from_db()
    assert event.cancelled_at is None


def test_an_outsider_gets_404_when_cancelling_an_event_of_a_private_community(
    api: Api, private_community: Community, outsider: User, make_event: Callable[..., Event]
) -> None:
    event = make_event(private_community)
    assert api.as_user(outsider).post(f"/api/v1/events/{event.pk}/cancel/").status_code == 404
    assert api.as_user(outsider).post("/api/v1/events/999999/cancel/").status_code == 404
    event.refresh_from_db()
    assert event.cancelled_at is None


# --- Capture the notes --------------------------------------------------------------------------------------


@pytest.fixture
def held(private_community: Community, owner: User, member: User, make_event: Callable[..., Event]) -> Event:
    """A meeting held yesterday in a private community, that the member came to."""
    event = make_event(private_community, start=soon(days=-1), end=soon(days=-1, hour=19))
    services.attendance_mark(event=event, actor=owner, original_start=None, usernames=["member"])
    return event


def test_the_organiser_captures_a_meetings_notes_as_a_knowledge_draft_through_the_api(
    api: Api, held: Event, owner: User, member: User
) -> None:
    services.occurrence_write_up(
        event=held, actor=owner, original_start=None, notes="Centralise every *joint*.", decisions="Adopt it."
    )

    response = api.as_user(owner).post(f"/api/v1/events/{held.pk}/capture/", {}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    item = KnowledgeItem.objects.get()
    assert body["id"] == item.pk and body["status"] == "draft" and body["community"] == held.community.slug
    assert body["title"].startswith(held.title) and body["url"] == item.get_absolute_url()
    assert "Centralise every *joint*." in item.body_source and "## Decisions\n\nAdopt it." in item.body_source


def test_capturing_a_meeting_without_notes_is_a_400_and_makes_no_draft(
    api: Api, held: Event, owner: User
) -> None:
    response = api.as_user(owner).post(f"/api/v1/events/{held.pk}/capture/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["notes"] == ["Write the meeting's notes or decisions first."]
    bad = api.post(f"/api/v1/events/{held.pk}/capture/", {"occurrence": "yesterday"}, format="json")
    assert bad.status_code == 400 and "ISO 8601" in bad.json()["occurrence"][0]
    assert KnowledgeItem.objects.count() == 0


def test_a_member_may_not_capture_notes_and_an_outsider_gets_404(
    api: Api, held: Event, owner: User, member: User, outsider: User
) -> None:
    services.occurrence_write_up(event=held, actor=owner, original_start=None, notes="We met.")
    url = f"/api/v1/events/{held.pk}/capture/"
    assert api.as_user(member).post(url, {}, format="json").status_code == 403
    assert api.as_user(outsider).post(url, {}, format="json").status_code == 404
    assert api.as_user(None).post(url, {}, format="json").status_code == 401
    assert KnowledgeItem.objects.count() == 0


# --- Query counts -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 50])
def test_my_actions_cost_the_same_queries_for_5_and_50_actions(
    api: Api,
    community: Community,
    owner: User,
    member: User,
    make_event: Callable[..., Event],
    django_assert_max_num_queries: Any,
    count: int,
) -> None:
    event = make_event(community, start=soon(days=-1), end=soon(days=-1, hour=19))
    occurrence = services.occurrence_get(event=event, original_start=None)
    ActionItem.objects.bulk_create(
        [ActionItem(occurrence=occurrence, text=f"Task {n}", owner=member, created_by=owner) for n in range(count)]
    )
    api.as_user(member)
    with django_assert_max_num_queries(3):  # readable communities + the actions with their events
        response = api.get("/api/v1/actions/")
    assert len(response.json()) == count
