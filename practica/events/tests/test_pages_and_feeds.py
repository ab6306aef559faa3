"""Event pages, the community page's meetings and rhythm, the home page's actions, calendar feeds and search."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from icalendar import Calendar

from practica.accounts.models import User
from practica.communities.models import Community
from practica.events import services
from practica.events.models import Event, Rsvp
from practica.events.tests.conftest import soon
from practica.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_a_coordinator_plans_a_monthly_meeting_through_the_form(community: Community, owner: User) -> None:
    start = soon(days=7)
    response = client_for(owner).post(
        f"/communities/{community.slug}/events/new/",
        {
            "title": "Monthly barrier review",
            "kind": "meeting",
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "timezone": "Europe/Oslo",
            "repeat": "monthly-weekday",
            "count": "6",
            "online_url": "https://meet.example.org/barriers",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.recurrence.startswith("FREQ=MONTHLY;BYDAY=") and event.recurrence.endswith(";COUNT=6")
    page = client_for(owner).get(response["Location"])
    assert "Monthly barrier review" in page.content.decode()


def test_the_form_shows_each_error_next_to_its_field_and_writes_nothing(
    community: Community, owner: User
) -> None:
    start = soon(days=7)
    response = client_for(owner).post(
        f"/communities/{community.slug}/events/new/",
        {
            "title": "Broken",
            "kind": "meeting",
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "timezone": "Nowhere/Special",
            "repeat": "custom",
            "recurrence": "FREQ=OFTEN",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "The end is before the start" in text
    assert "Unknown time zone" in text
    assert Event.objects.count() == 0


def test_only_coordinators_and_core_members_see_the_planning_form(
    community: Community, member: User, private_community: Community, outsider: User
) -> None:
    assert client_for(member).get(f"/communities/{community.slug}/events/new/").status_code == 403
    assert client_for(outsider).get(f"/communities/{private_community.slug}/events/new/").status_code == 404


def test_event_pages_from_three_sides(
    private_community: Community, owner: User, member: User, outsider: User, make_event: Callable[..., Event]
) -> None:
    event = make_event(private_community, title="Private rig visit")
    url = event.get_absolute_url()
    owner_page = client_for(owner).get(url).content.decode()
    assert "Change this occurrence" in owner_page and "Going" in owner_page
    member_page = client_for(member).get(url).content.decode()
    assert "Private rig visit" in member_page and "Change this occurrence" not in member_page
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 404
    assert client_for(outsider).get(f"/communities/{private_community.slug}/events/").status_code == 404
    wrong_slug = url.replace(private_community.slug, "public-wells")
    assert client_for(member).get(wrong_slug).status_code == 404


def test_rsvp_through_the_page_says_when_the_member_is_on_the_waiting_list(
    community: Community, owner: User, member: User, make_event: Callable[..., Event]
) -> None:
    event = make_event(community, capacity=1)
    client_for(owner).post(f"{event.get_absolute_url()}rsvp/", {"response": "yes"})
    response = client_for(member).post(f"{event.get_absolute_url()}rsvp/", {"response": "yes"}, follow=True)
    assert "you are number 1 on the waiting list" in response.content.decode()
    assert Rsvp.objects.get(user=member).is_waiting


def test_the_community_page_shows_the_next_meetings_and_the_rhythm(
    community: Community, member: User, make_event: Callable[..., Event]
) -> None:
    make_event(community, title="Quarterly cementing forum")
    start = soon(days=-60)
    make_event(
        community,
        title="Old weekly",
        start=start,
        end=start + dt.timedelta(hours=1),
        recurrence="FREQ=WEEKLY;COUNT=4",
    )
    text = client_for(member).get(f"/communities/{community.slug}/").content.decode()
    assert "Next meetings" in text and "Quarterly cementing forum" in text
    assert "4 meetings in the last 12 months" in text
    assert "<svg" in text and "<rect" in text


def test_the_owner_of_an_action_sees_it_on_the_home_page(
    community: Community, owner: User, member: User, make_event: Callable[..., Event]
) -> None:
    event = make_event(community, start=soon(days=-1), end=soon(days=-1, hour=19))
    response = client_for(owner).post(
        f"{event.get_absolute_url()}actions/",
        {"text": "Send the torque chart", "owner": "member"},
        follow=True,
    )
    assert "Action added" in response.content.decode()
    assert "Send the torque chart" in client_for(member).get("/").content.decode()
    assert "Send the torque chart" not in client_for(owner).get("/").content.decode()


def test_the_public_calendar_is_valid_icalendar_with_the_rule_and_its_exceptions(
    community: Community, owner: User, make_event: Callable[..., Event]
) -> None:
    event = make_event(
        community,
        recurrence="FREQ=MONTHLY;BYDAY=1TU;COUNT=6",
        start=dt.datetime(2027, 1, 5, 18),
        end=dt.datetime(2027, 1, 5, 19),
    )
    second = dt.datetime(2027, 2, 2, 17, tzinfo=dt.UTC)
    services.occurrence_change(event=event, actor=owner, original_start=event.start, cancel=True)
    services.occurrence_change(
        event=event, actor=owner, original_start=second, new_start=dt.datetime(2027, 2, 3, 18)
    )
    response = client_for(None).get(f"/communities/{community.slug}/events.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    vevents = calendar.walk("VEVENT")
    assert len(vevents) == 2
    main: Any = next(v for v in vevents if "RECURRENCE-ID" not in v)
    rule: Any = main["RRULE"]
    assert rule["FREQ"] == ["MONTHLY"] and rule["BYDAY"] == ["1TU"]
    assert str(main["DTSTART"].dt.tzinfo) == "Europe/Paris"
    assert main["EXDATE"].dts[0].dt == dt.datetime(2027, 1, 5, 17, tzinfo=dt.UTC)
    moved: Any = next(v for v in vevents if "RECURRENCE-ID" in v)
    assert moved["RECURRENCE-ID"].dt == second
    assert moved["DTSTART"].dt == dt.datetime(2027, 2, 3, 17, tzinfo=dt.UTC)
    assert calendar.walk("VTIMEZONE"), "the time zone is described in the feed"


def test_a_private_communitys_calendar_is_404_without_a_personal_feed(
    private_community: Community, outsider: User, make_event: Callable[..., Event]
) -> None:
    make_event(private_community)
    assert client_for(None).get(f"/communities/{private_community.slug}/events.ics").status_code == 404
    assert client_for(outsider).get(f"/communities/{private_community.slug}/events.ics").status_code == 404


def test_the_personal_feed_has_ones_communities_and_dies_when_tampered_or_revoked(
    private_community: Community, member: User, outsider: User, make_event: Callable[..., Event]
) -> None:
    make_event(private_community, title="Private rig visit")
    token = services.calendar_token(user=member)
    feed = client_for(None).get(f"/calendar/{token}.ics")
    assert feed.status_code == 200 and b"Private rig visit" in feed.content
    outsider_feed = client_for(None).get(f"/calendar/{services.calendar_token(user=outsider)}.ics")
    assert outsider_feed.status_code == 200 and b"Private rig visit" not in outsider_feed.content
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert client_for(None).get(f"/calendar/{tampered}.ics").status_code == 404
    page = client_for(member).post("/calendar/", follow=True)
    assert "no longer works" in page.content.decode()
    assert client_for(None).get(f"/calendar/{token}.ics").status_code == 404
    assert client_for(None).get(f"/calendar/{services.calendar_token(user=member)}.ics").status_code == 200


def test_events_are_found_in_search_by_members_only_and_cancelled_ones_leave(
    private_community: Community,
    owner: User,
    member: User,
    outsider: User,
    make_event: Callable[..., Event],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from practica.lib.testing.client import Api

    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(private_community, title="Casing wear workshop", kind="workshop")
    assert SearchDocument.objects.filter(doc_type="event", object_id=event.pk).exists()
    found = Api().as_user(member).get("/api/v1/search/?q=casing+wear&type=event").json()
    results = found["results"] if isinstance(found, dict) else found
    assert [r["title"] for r in results] == ["Casing wear workshop"]
    hidden = Api().as_user(outsider).get("/api/v1/search/?q=casing+wear&type=event").json()
    assert (hidden["results"] if isinstance(hidden, dict) else hidden) == []
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, actor=owner)
    assert not SearchDocument.objects.filter(doc_type="event").exists()


def test_notes_are_captured_as_a_knowledge_draft_that_points_back_to_the_meeting(
    private_community: Community,
    owner: User,
    member: User,
    outsider: User,
    make_event: Callable[..., Event],
) -> None:
    from practica.knowledge.models import KnowledgeItem

    event = make_event(private_community, start=soon(days=-1), end=soon(days=-1, hour=19))
    services.occurrence_write_up(
        event=event,
        actor=owner,
        original_start=None,
        notes="Foam cement needs **nitrogen** control.",
        decisions="Write a how-to.",
    )
    capture_url = f"{event.get_absolute_url()}capture/"
    assert client_for(outsider).post(capture_url).status_code == 404
    assert client_for(member).post(capture_url).status_code == 403
    assert KnowledgeItem.objects.count() == 0
    client_for(owner).post(capture_url)
    item = KnowledgeItem.objects.get()
    assert item.status == "draft"
    assert item.source_url.startswith(event.get_absolute_url() + "?occurrence=")
    assert event.title in item.source_title


@pytest.mark.parametrize("rows", [5, 50])
def test_the_meetings_page_costs_the_same_queries_for_5_and_50_events(
    community: Community,
    member: User,
    make_event: Callable[..., Event],
    django_assert_max_num_queries: Any,
    rows: int,
) -> None:
    for i in range(rows):
        start = soon(days=(i % 20) - 10)
        make_event(
            community,
            title=f"Meeting {i}",
            start=start,
            end=start + dt.timedelta(hours=1),
            recurrence="FREQ=WEEKLY;COUNT=8" if i % 2 else "",
        )
    client = client_for(member)
    # A first read of the day also records the reader's activity (insights): read once, then count.
    client.get(f"/communities/{community.slug}/events/")
    # session, user, community, membership, messages/session save; then for each of the three blocks
    # (coming up, past, rhythm) the events and their stored occurrences: 14 whatever the number of events.
    with django_assert_max_num_queries(14):
        response = client.get(f"/communities/{community.slug}/events/")
    assert response.status_code == 200
    assert "Meeting 1" in response.content.decode()


def test_times_are_shown_in_each_viewers_time_zone(
    community: Community, owner: User, member: User, make_event: Callable[..., Event]
) -> None:
    member.profile.timezone = "America/New_York"
    member.profile.save()
    owner.profile.timezone = "Asia/Tokyo"
    owner.profile.save()
    event = make_event(community, start=dt.datetime(2027, 3, 2, 18, 0), end=dt.datetime(2027, 3, 2, 19, 0))
    assert event.start == dt.datetime(2027, 3, 2, 17, 0, tzinfo=dt.UTC)
    in_new_york = client_for(member).get(event.get_absolute_url()).content.decode()
    assert "Tuesday 2 March 2027, 12:00" in in_new_york and "planned in Europe/Paris" in in_new_york
    in_tokyo = client_for(owner).get(event.get_absolute_url()).content.decode()
    assert "Wednesday 3 March 2027, 02:00" in in_tokyo
