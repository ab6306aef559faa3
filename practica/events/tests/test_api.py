"""The events API (../shared/API.md) from three sides, with bad input and query counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from practica.accounts.models import User
from practica.communities.models import Community
from practica.events.models import Event, Occurrence, Rsvp
from practica.events.tests.conftest import soon
from practica.lib.testing.client import Api

pytestmark = pytest.mark.django_db


def payload(**overrides: Any) -> dict[str, Any]:
    start = soon(days=10)
    data = {
        "title": "Cement bond log clinic",
        "description": "Bring your **logs**.",
        "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=2)).isoformat(),
        "timezone": "America/Chicago",
        "recurrence": "FREQ=MONTHLY;BYDAY=1TU;COUNT=6",
        "location": "Houston office, room 4",
        "online_url": "https://meet.example.org/cbl",
        "capacity": 12,
    }
    data.update(overrides)
    return data


def test_a_coordinator_plans_a_recurring_hybrid_event(api: Api, community: Community, owner: User) -> None:
    response = api.as_user(owner).post(
        f"/api/v1/communities/{community.slug}/events/", payload(), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["mode"] == "hybrid"
    assert body["recurrence"] == "FREQ=MONTHLY;BYDAY=1TU;COUNT=6"
    assert body["timezone"] == "America/Chicago"
    assert body["start"].endswith("Z") or body["start"].endswith("+00:00")
    assert 1 <= len(body["occurrences"]) <= 6
    assert "<strong>logs</strong>" in body["description_html"]


def test_a_member_may_not_plan_and_an_anonymous_caller_must_sign_in(
    api: Api, community: Community, member: User
) -> None:
    url = f"/api/v1/communities/{community.slug}/events/"
    assert api.as_user(member).post(url, payload(), format="json").status_code == 403
    assert api.as_user(None).post(url, payload(), format="json").status_code in (401, 403)
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"recurrence": "FREQ=NEVER"}, "recurrence", "FREQ must be one of"),
        ({"timezone": "Europe/Atlantis"}, "timezone", "Unknown time zone"),
        ({"end": soon(days=9).isoformat()}, "end", "The end is before the start"),
        ({"start": "next tuesday"}, "start", "ISO 8601"),
        ({"online_url": "javascript:alert(1)"}, "online_url", "http:// or https://"),
        ({"capacity": 0}, "capacity", ""),
    ],
)
def test_bad_input_gets_a_400_naming_the_field_and_nothing_is_written(
    api: Api, community: Community, owner: User, changes: dict[str, Any], field: str, words: str
) -> None:
    response = api.as_user(owner).post(
        f"/api/v1/communities/{community.slug}/events/", payload(**changes), format="json"
    )
    assert response.status_code == 400
    assert words in " ".join(response.json()[field])
    assert Event.objects.count() == 0


def test_an_outsider_gets_404_on_a_private_communitys_events(
    api: Api, private_community: Community, member: User, outsider: User, make_event: Callable[..., Event]
) -> None:
    event = make_event(private_community)
    url = f"/api/v1/communities/{private_community.slug}/events/"
    assert api.as_user(member).get(url).json()["count"] == 1
    assert api.as_user(outsider).get(url).status_code == 404
    assert api.as_user(outsider).get(f"/api/v1/events/{event.pk}/").status_code == 404
    rsvp = api.as_user(outsider).post(f"/api/v1/events/{event.pk}/rsvp/", {"response": "yes"}, format="json")
    assert rsvp.status_code == 404
    assert api.as_user(outsider).post(url, payload(), format="json").status_code == 404
    assert Rsvp.objects.count() == 0


def test_rsvp_beyond_capacity_says_the_member_is_on_the_waiting_list(
    api: Api, community: Community, owner: User, member: User, make_event: Callable[..., Event]
) -> None:
    event = make_event(community, capacity=1, recurrence="FREQ=WEEKLY;COUNT=4")
    key = event.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    first = api.as_user(owner).post(
        f"/api/v1/events/{event.pk}/rsvp/", {"response": "yes", "occurrence": key}
    )
    assert first.json()["status"] == "confirmed"
    second = api.as_user(member).post(
        f"/api/v1/events/{event.pk}/rsvp/?occurrence={key}", {"response": "yes"}, format="json"
    )
    assert second.status_code == 200
    assert second.json()["status"] == "waiting"
    assert second.json()["waiting_position"] == 1
    assert "waiting list" in second.json()["detail"]


def test_rsvp_bad_input(
    api: Api, community: Community, member: User, make_event: Callable[..., Event]
) -> None:
    event = make_event(community, recurrence="FREQ=WEEKLY;COUNT=4")
    url = f"/api/v1/events/{event.pk}/rsvp/"
    assert api.as_user(member).post(url, {"response": "perhaps"}).status_code == 400
    assert api.as_user(member).post(url, {"response": "yes", "occurrence": "soon"}).status_code == 400
    assert (
        api.as_user(member).post(url, {"response": "yes", "occurrence": "2001-01-01T00:00:00Z"}).status_code
        == 404
    )
    assert Occurrence.objects.count() == 0


def test_a_non_member_of_a_public_community_reads_but_cannot_rsvp(
    api: Api, community: Community, outsider: User, make_event: Callable[..., Event]
) -> None:
    event = make_event(community)
    assert api.as_user(None).get(f"/api/v1/events/{event.pk}/").status_code == 200
    response = api.as_user(outsider).post(f"/api/v1/events/{event.pk}/rsvp/", {"response": "yes"})
    assert response.status_code == 403
    assert "Join this community" in response.json()["detail"]


@pytest.mark.parametrize("rows", [5, 50])
def test_the_event_list_costs_the_same_queries_for_5_and_50_events(
    api: Api,
    community: Community,
    member: User,
    make_event: Callable[..., Event],
    django_assert_max_num_queries: Any,
    rows: int,
) -> None:
    for i in range(rows):
        make_event(community, title=f"Meeting {i}", recurrence="FREQ=WEEKLY" if i % 2 else "")
    api.as_user(member)
    # A first read of the day also records the reader's activity (insights): read once, then count.
    api.get(f"/api/v1/communities/{community.slug}/events/?page_size=100")
    # session/auth, community, membership (access), count, page of events with organiser and community
    with django_assert_max_num_queries(6):
        response = api.get(f"/api/v1/communities/{community.slug}/events/?page_size=100")
    assert response.json()["count"] == rows


def test_dates_far_from_now_get_a_clear_400_not_a_crash(
    api: Api, community: Community, owner: User, make_event: Callable[..., Event]
) -> None:
    url = f"/api/v1/communities/{community.slug}/events/"
    far = {"start": "9999-12-31T10:00:00", "end": "9999-12-31T11:00:00"}
    response = api.as_user(owner).post(url, payload(**far), format="json")
    assert response.status_code == 400 and "between 1970 and 2200" in response.json()["start"][0]
    event = make_event(community)
    assert api.get(f"/api/v1/events/{event.pk}/?from=9999-12-31T00:00:00Z").status_code == 400
    assert api.get(f"{event.get_absolute_url()}?occurrence=9999-12-31T00:00:00Z").status_code == 404


def test_after_the_meeting_the_organiser_records_attendance_notes_and_an_action_through_the_api(
    api: Api,
    private_community: Community,
    owner: User,
    member: User,
    outsider: User,
    make_event: Callable[..., Event],
) -> None:
    event = make_event(private_community, start=soon(days=-1), end=soon(days=-1, hour=19))
    base = f"/api/v1/events/{event.pk}"
    for person, expected in ((outsider, 404), (member, 403)):
        api.as_user(person)
        assert (
            api.post(f"{base}/attendance/", {"usernames": ["member"]}, format="json").status_code == expected
        )
        assert api.post(f"{base}/write-up/", {"notes": "x"}, format="json").status_code == expected
        assert (
            api.post(f"{base}/actions/", {"text": "x", "owner": "member"}, format="json").status_code
            == expected
        )
    api.as_user(owner)
    came = api.post(f"{base}/attendance/", {"usernames": ["member", "nobody"]}, format="json")
    assert came.status_code == 400 and "nobody" in came.json()["attendance"][0]
    assert api.post(f"{base}/attendance/", {"usernames": ["member"]}, format="json").json() == {
        "attended": ["member"]
    }
    notes = api.post(
        f"{base}/write-up/", {"notes": "Use *centralisers*.", "decisions": "Adopt it."}, format="json"
    )
    assert "<em>centralisers</em>" in notes.json()["notes_html"]
    created = api.post(
        f"{base}/actions/",
        {"text": "Order centralisers", "owner": "member", "due_date": "2027-01-31"},
        format="json",
    )
    assert created.status_code == 201
    action_id = created.json()["id"]
    assert [a["text"] for a in api.as_user(member).get("/api/v1/actions/").json()] == ["Order centralisers"]
    assert api.as_user(outsider).patch(f"/api/v1/actions/{action_id}/", {"done": True}).status_code == 404
    assert api.as_user(member).patch(f"/api/v1/actions/{action_id}/", {"done": True}).json()["done"] is True
    assert api.as_user(member).get("/api/v1/actions/").json() == []


def test_an_occurrence_is_cancelled_or_moved_through_the_api(
    api: Api, community: Community, owner: User, member: User, make_event: Callable[..., Event]
) -> None:
    event = make_event(community, recurrence="FREQ=WEEKLY;COUNT=3")
    key = event.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    url = f"/api/v1/events/{event.pk}/occurrences/"
    assert api.as_user(member).post(url, {"occurrence": key, "cancel": True}).status_code == 403
    assert api.as_user(owner).post(url, {"occurrence": key, "cancel": True}).json()["is_cancelled"] is True
    occurrences = api.get(f"/api/v1/events/{event.pk}/").json()["occurrences"]
    assert [o["is_cancelled"] for o in occurrences] == [True, False, False]
    bad = api.post(url, {"occurrence": key, "start": "2027-01-01T10:00:00", "end": "2027-01-01T09:00:00"})
    assert bad.status_code == 400 and "before the start" in bad.json()["end"][0]
