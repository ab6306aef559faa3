"""Editing an event (page and API), bounded repeat rules, the seat given from the waiting list, and answering
with htmx."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest
from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.test import Client

from practica.accounts.models import User
from practica.communities.models import Community, Role
from practica.events import services
from practica.events.models import Event, Occurrence, Rsvp
from practica.events.recurrence import UTC, planned_starts
from practica.events.tests.conftest import soon
from practica.lib.testing.client import Api
from practica.lib.testing.factories import MembershipFactory, UserFactory
from practica.notifications.models import Notification
from practica.search.models import DocType, SearchDocument

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# A fixed Monday, so that the rules below mean the same whenever the tests run.
MONDAY = dt.datetime(2027, 1, 4, 18, 0)


# --- Repeat rules: every rule is accepted or refused at a bounded cost ---------------------------------


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "produces no date in the 5 years"),
        ("FREQ=DAILY;UNTIL=21991231T000000Z;BYMONTH=2;BYMONTHDAY=30", "produces no date in the 5 years"),
        ("FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31", "produces no date in the 5 years"),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", "produces no date in the 5 years"),  # every 7th day is a Monday
        ("FREQ=WEEKLY;INTERVAL=2;BYMONTH=2;BYDAY=MO;UNTIL=20270201T000000Z", "produces no date"),
        ("FREQ=YEARLY;INTERVAL=1000;BYMONTH=2;BYMONTHDAY=29", "produces no date in the 5 years"),
        ("FREQ=YEARLY;BYSETPOS=-366;BYDAY=MO", "produces no date in the 5 years"),
        ("FREQ=MONTHLY;BYDAY=5FR;BYMONTH=2", "produces no date in the 5 years"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;BYSETPOS=1", "BYSETPOS goes with FREQ=MONTHLY or FREQ=YEARLY"),
        ("FREQ=MONTHLY;BYSETPOS=400;BYDAY=MO", "BYSETPOS=400: each value goes from -366 to 366"),
        ("FREQ=DAILY;INTERVAL=100000", "INTERVAL must be a whole number from 1 to 1,000"),
        ("FREQ=DAILY;INTERVAL=²", "use only one rule such as"),  # "²" is a digit to str.isdigit, not to int()
        ("FREQ=DAILY;COUNT=³", "use only one rule such as"),
        ("FREQ=SECONDLY", "FREQ must be one of"),
        ("FREQ=MINUTELY;INTERVAL=1", "FREQ must be one of"),
        ("FREQ=HOURLY", "FREQ must be one of"),
        ("FREQ=DAILY;BYHOUR=8,9,10,11,12", "at most 4 times a day"),
        ("FREQ=DAILY;BYMINUTE=0,15,30;BYSECOND=0,30", "at most 4 times a day"),
        ("FREQ=WEEKLY;BYMONTHDAY=30", "BYMONTHDAY does not go with FREQ=WEEKLY"),
        ("FREQ=MONTHLY;BYWEEKNO=53", "BYWEEKNO does not go with FREQ=MONTHLY"),
        ("FREQ=DAILY;BYYEARDAY=366", "BYYEARDAY does not go with FREQ=DAILY"),
    ],
)
def test_a_pathological_rule_is_refused_with_a_clear_message(
    community: Community, make_event: Callable[..., Event], rule: str, words: str
) -> None:
    with pytest.raises(ValidationError) as info:
        make_event(community, start=MONDAY, end=MONDAY + dt.timedelta(hours=1), recurrence=rule)
    message = " ".join(info.value.message_dict["recurrence"])
    assert message.startswith("Not a valid repeat rule")
    assert words in message
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    ("rule", "first"),
    [
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", dt.date(2028, 2, 29)),  # rare, but within five years
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29", dt.date(2028, 2, 29)),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", dt.date(2027, 1, 4)),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=FR;BYMONTH=3", dt.date(2027, 3, 12)),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", dt.date(2027, 1, 29)),
    ],
)
def test_a_rare_but_real_rule_is_accepted_and_gives_its_dates(
    community: Community, make_event: Callable[..., Event], rule: str, first: dt.date
) -> None:
    event = make_event(community, start=MONDAY, end=MONDAY + dt.timedelta(hours=1), recurrence=rule)
    starts = planned_starts(event, event.start, event.start + dt.timedelta(days=5 * 366))
    assert starts[0].astimezone(PARIS).date() == first


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYHOUR=9,14",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;WKST=SU",
        "FREQ=MONTHLY;INTERVAL=5;BYDAY=-1FR",
        "FREQ=MONTHLY;BYMONTHDAY=31",
        "FREQ=YEARLY;INTERVAL=3;BYMONTH=3;BYDAY=2SA",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    ],
)
def test_an_event_begun_long_ago_gives_the_same_dates_as_walking_the_whole_rule(
    community: Community, make_event: Callable[..., Event], rule: str
) -> None:
    start = dt.datetime(1991, 3, 14, 18, 0)
    event = make_event(community, start=start, end=start + dt.timedelta(hours=1), recurrence=rule)
    window = (dt.datetime(2026, 10, 20, tzinfo=UTC), dt.datetime(2027, 4, 1, tzinfo=UTC))
    expected = [
        moment.astimezone(UTC)
        for moment in rrulestr(rule, dtstart=event.start.astimezone(PARIS)).between(*window, inc=True)
        if moment < window[1]
    ]
    assert expected
    assert planned_starts(event, *window) == expected


# --- The seat from the waiting list -------------------------------------------------------------------


def test_the_person_promoted_from_the_waiting_list_is_notified_and_sees_it_in_the_notification_centre(
    community: Community, member: User, make_event: Callable[..., Event], client: Client, committed: Any
) -> None:
    event = make_event(community, capacity=1, title="Casing design clinic")
    waiting = UserFactory.create(username="waiting")
    MembershipFactory.create(community=community, user=waiting)
    services.event_rsvp(event=event, user=member, response="yes")
    services.event_rsvp(event=event, user=waiting, response="yes")
    assert not Notification.objects.filter(recipient=waiting, kind="waitlist_promoted").exists()

    with committed():
        services.event_rsvp(event=event, user=member, response="no")

    notification = Notification.objects.get(recipient=waiting, kind="waitlist_promoted")
    assert "you are going to “Casing design clinic”" in notification.subject
    assert not Notification.objects.filter(recipient=member, kind="waitlist_promoted").exists()
    client.force_login(waiting)
    page = client.get("/notifications/").content.decode()
    assert "A seat freed up: you are going to “Casing design clinic”" in page
    assert "Seat from the waiting list" in page


# --- Editing: the page --------------------------------------------------------------------------------


def _form(event: Event, **changes: Any) -> dict[str, Any]:
    local = event.start.astimezone(zoneinfo.ZoneInfo(event.timezone))
    data = {
        "title": event.title,
        "kind": event.kind,
        "description": event.description_source,
        "start": local.strftime("%Y-%m-%dT%H:%M"),
        "end": (local + event.duration).strftime("%Y-%m-%dT%H:%M"),
        "timezone": event.timezone,
        "repeat": "custom" if event.recurrence else "",
        "recurrence": event.recurrence,
        "location": event.location,
        "online_url": event.online_url,
        "capacity": event.capacity or "",
    }
    data.update(changes)
    return data


def test_a_coordinator_edits_an_event_on_its_page_and_search_finds_the_new_title(
    community: Community,
    owner: User,
    make_event: Callable[..., Event],
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    event = make_event(community, title="Old title", location="Room 1")
    client.force_login(owner)
    url = f"/communities/{community.slug}/events/{event.pk}/edit/"
    form = client.get(url).content.decode()
    assert 'value="Old title"' in form and 'value="Room 1"' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            _form(event, title="Cement evaluation review", kind="workshop", location="Room 7", capacity=8),
        )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Cement evaluation review" in page and "Room 7" in page and "Workshop" in page
    assert "The event is updated." in page
    doc = SearchDocument.objects.get(doc_type=DocType.EVENT, object_id=event.pk)
    assert doc.title == "Cement evaluation review"


def test_the_organiser_may_edit_a_member_gets_403_and_an_outsider_404_on_a_private_community(
    private_community: Community,
    owner: User,
    member: User,
    outsider: User,
    make_event: Callable[..., Event],
    client: Client,
) -> None:
    organiser = UserFactory.create(username="organiser")
    MembershipFactory.create(community=private_community, user=organiser, role=Role.CORE)
    event = make_event(private_community, organiser=organiser, title="Private review")
    url = f"/communities/{private_community.slug}/events/{event.pk}/edit/"
    client.force_login(outsider)
    response = client.post(url, _form(event, title="Leaked?"))
    assert response.status_code == 404
    assert "Private review" not in response.content.decode()
    client.force_login(member)
    assert "Edit the event" not in client.get(event.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 403
    assert client.post(url, _form(event, title="Member edit")).status_code == 403
    client.force_login(organiser)
    assert "Edit the event" in client.get(event.get_absolute_url()).content.decode()
    assert client.post(url, _form(event, title="Organiser edit")).status_code == 302
    event.refresh_from_db()
    assert event.title == "Organiser edit"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"end": "2020-01-01T10:00"}, "The end is before the start"),
        ({"repeat": "custom", "recurrence": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"}, "produces no date"),
        ({"timezone": "Mars/Olympus"}, "Unknown time zone"),
    ],
)
def test_bad_input_on_the_edit_page_shows_the_error_and_changes_nothing(
    community: Community,
    owner: User,
    make_event: Callable[..., Event],
    client: Client,
    changes: dict[str, str],
    words: str,
) -> None:
    event = make_event(community, title="Kept title")
    client.force_login(owner)
    response = client.post(
        f"/communities/{community.slug}/events/{event.pk}/edit/", _form(event, title="Changed", **changes)
    )
    assert response.status_code == 400
    assert words in response.content.decode()
    event.refresh_from_db()
    assert event.title == "Kept title"


# --- Editing: what a schedule change keeps and drops --------------------------------------------------


def test_changing_the_rule_keeps_the_answers_of_dates_still_planned_and_says_what_it_dropped(
    community: Community, owner: User, member: User, make_event: Callable[..., Event], committed: Any
) -> None:
    start = soon(days=2)
    event = make_event(
        community, start=start, end=start + dt.timedelta(hours=1), recurrence="FREQ=DAILY;COUNT=10"
    )
    kept, dropped = event.start + dt.timedelta(days=2), event.start + dt.timedelta(days=3)
    services.event_rsvp(event=event, user=member, response="yes", original_start=kept)
    services.event_rsvp(event=event, user=member, response="maybe", original_start=dropped)
    services.occurrence_write_up(event=event, actor=owner, original_start=kept, agenda="Bond logs")

    with committed():
        result = services.event_update(
            event=event,
            actor=owner,
            title=event.title,
            kind=event.kind,
            description="",
            start=event.start,
            end=event.end + dt.timedelta(minutes=30),
            timezone_name=event.timezone,
            recurrence="FREQ=DAILY;INTERVAL=2;COUNT=5",
            location="",
            online_url="",
            capacity=None,
        )

    assert result.dropped_occurrences == 1 and result.dropped_rsvps == 1
    assert "1 upcoming date no longer in the schedule were removed with their answers (1)" in result.message
    row = Occurrence.objects.get(event=event)
    assert row.original_start == kept and row.agenda_source == "Bond logs"
    assert row.end - row.start == dt.timedelta(minutes=90)  # the new length
    assert Rsvp.objects.get(user=member).occurrence == row
    told = Notification.objects.get(recipient=member, kind="event_changed", subject__contains="no longer meets")
    when = dropped.astimezone(PARIS)
    assert f"no longer meets on {when:%d %b %Y, %H:%M}" in told.subject
    # and, for the date still planned, that its time changed
    changed = Notification.objects.get(recipient=member, kind="event_changed", subject__contains="new time")
    assert changed.subject == f"“{event.title}”: new time" and "Time: next on " in changed.text


def test_past_dates_keep_their_notes_and_stay_reachable_when_the_rule_changes(
    community: Community, owner: User, make_event: Callable[..., Event], client: Client
) -> None:
    start = soon(days=-14)
    event = make_event(community, start=start, end=start + dt.timedelta(hours=1), recurrence="FREQ=WEEKLY")
    held = event.start + dt.timedelta(days=7)
    services.occurrence_write_up(event=event, actor=owner, original_start=held, notes="We chose *spacer B*.")
    result = services.event_update(
        event=event,
        actor=owner,
        title=event.title,
        kind=event.kind,
        description="",
        start=event.start,
        end=event.end,
        timezone_name=event.timezone,
        recurrence="FREQ=WEEKLY;INTERVAL=2",
        location="",
        online_url="",
        capacity=None,
    )
    assert result.dropped_occurrences == 0  # history is not dropped
    client.force_login(owner)
    key = held.strftime("%Y-%m-%dT%H:%M:%SZ")
    page = client.get(f"{event.get_absolute_url()}?occurrence={key}")
    assert page.status_code == 200
    assert "<em>spacer B</em>" in page.content.decode()


def test_more_seats_give_the_waiting_their_seat_and_tell_them(
    community: Community, owner: User, member: User, make_event: Callable[..., Event], committed: Any
) -> None:
    event = make_event(community, capacity=1)
    waiting = UserFactory.create()
    MembershipFactory.create(community=community, user=waiting)
    services.event_rsvp(event=event, user=member, response="yes")
    assert services.event_rsvp(event=event, user=waiting, response="yes").status == "waiting"
    with committed():
        result = services.event_update(
            event=event,
            actor=owner,
            title=event.title,
            kind=event.kind,
            description="",
            start=event.start,
            end=event.end,
            timezone_name=event.timezone,
            recurrence="",
            location="",
            online_url="",
            capacity=2,
        )
    assert result.promoted == [waiting]
    assert Rsvp.objects.get(user=waiting).is_confirmed
    assert Notification.objects.filter(recipient=waiting, kind="waitlist_promoted").count() == 1


# --- Editing: the API ---------------------------------------------------------------------------------


def test_patch_changes_only_the_given_fields_and_a_new_start_keeps_the_length(
    api: Api, community: Community, owner: User, make_event: Callable[..., Event]
) -> None:
    event = make_event(community, title="Call", location="Room 1", capacity=5)
    coming = UserFactory.create(username="coming")
    MembershipFactory.create(community=community, user=coming, role=Role.MEMBER)
    services.event_rsvp(event=event, user=coming, response="yes")
    new_start = soon(days=5, hour=9)
    response = api.as_user(owner).patch(
        f"/api/v1/events/{event.pk}/",
        {"title": "Renamed call", "start": new_start.isoformat(), "capacity": None},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "Renamed call" and body["location"] == "Room 1" and body["capacity"] is None
    assert body["dropped"] == {"occurrences": 0, "rsvps": 0}  # a one-off meeting moved keeps its answers
    assert body["told"] == 1 and body["detail"].endswith("1 person coming was told of the new time.")
    assert Rsvp.objects.get(user=coming).occurrence.start == new_start.replace(tzinfo=PARIS).astimezone(UTC)
    assert body["sequence"] == 1  # calendars see a new revision
    feed = api.get(f"/communities/{community.slug}/events.ics").content.decode()
    assert "SEQUENCE:1" in feed and "SUMMARY:Renamed call" in feed
    event.refresh_from_db()
    assert event.start == new_start.replace(tzinfo=PARIS).astimezone(UTC)
    assert event.duration == dt.timedelta(hours=1)


def test_patch_from_three_sides_and_never_reveals_a_private_event(
    api: Api,
    private_community: Community,
    owner: User,
    member: User,
    outsider: User,
    make_event: Callable[..., Event],
) -> None:
    event = make_event(private_community, title="Secret")
    url = f"/api/v1/events/{event.pk}/"
    outside = api.as_user(outsider).patch(url, {"title": "x"}, format="json")
    assert outside.status_code == 404 and "Secret" not in outside.content.decode()
    assert api.as_user(member).patch(url, {"title": "x"}, format="json").status_code == 403
    assert api.as_user(None).patch(url, {"title": "x"}, format="json").status_code in (401, 403, 404)
    assert api.as_user(owner).patch(url, {"title": "Still secret"}, format="json").status_code == 200
    event.refresh_from_db()
    assert event.title == "Still secret"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"end": "2020-01-01T10:00:00"}, "end", "The end is before the start"),
        ({"recurrence": "FREQ=WEEKLY;BYMONTHDAY=30"}, "recurrence", "does not go with"),
        ({"recurrence": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"}, "recurrence", "produces no date"),
        ({"timezone": "Europe/Atlantis"}, "timezone", "Unknown time zone"),
        ({"title": ""}, "title", "Give the event a title"),
    ],
)
def test_patch_with_bad_input_gets_a_400_naming_the_field_and_nothing_changes(
    api: Api,
    community: Community,
    owner: User,
    make_event: Callable[..., Event],
    changes: dict[str, str],
    field: str,
    words: str,
) -> None:
    event = make_event(community, title="Kept", recurrence="FREQ=WEEKLY;COUNT=3")
    response = api.as_user(owner).patch(
        f"/api/v1/events/{event.pk}/", {"location": "Changed", **changes}, format="json"
    )
    assert response.status_code == 400
    assert words in " ".join(response.json()[field])
    event.refresh_from_db()
    assert (event.title, event.location, event.recurrence) == ("Kept", "", "FREQ=WEEKLY;COUNT=3")


# --- Answering with htmx ------------------------------------------------------------------------------


def test_answering_with_htmx_returns_the_answer_box_with_the_new_state_and_counts(
    community: Community, member: User, make_event: Callable[..., Event], client: Client
) -> None:
    event = make_event(community, capacity=10)
    client.force_login(member)
    url = f"/communities/{community.slug}/events/{event.pk}/rsvp/"
    response = client.post(url, {"response": "yes"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and html.strip().startswith('<div id="rsvp"')
    assert 'id="who"' in html and 'hx-swap-oob="true"' in html and member.display_name in html
    assert "<strong>1</strong> going of 10 seats" in html
    assert "You are going. See you there!" in html
    assert 'value="yes" type="submit" aria-pressed="true"' in html
    assert 'value="no" type="submit" class="secondary" aria-pressed="false"' in html

    html = client.post(url, {"response": "no"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<strong>0</strong> going" in html and "<strong>1</strong> not coming" in html
    assert 'value="no" type="submit" aria-pressed="true"' in html


def test_answering_without_javascript_still_redirects_with_a_message(
    community: Community, member: User, make_event: Callable[..., Event], client: Client
) -> None:
    event = make_event(community)
    client.force_login(member)
    response = client.post(f"/communities/{community.slug}/events/{event.pk}/rsvp/", {"response": "maybe"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Noted: you might come." in page
    assert 'hx-post="/communities/' in page  # the same form, enhanced when JavaScript runs


def test_a_bad_htmx_answer_shows_the_error_in_the_box(
    community: Community, member: User, make_event: Callable[..., Event], client: Client
) -> None:
    event = make_event(community)
    client.force_login(member)
    response = client.post(
        f"/communities/{community.slug}/events/{event.pk}/rsvp/",
        {"response": "perhaps"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Answer yes, no or maybe." in response.content.decode()
    assert not Rsvp.objects.exists()


# --- Telling those coming what changed ---------------------------------------------------------------


def _edit(event: Event, actor: User, **changes: Any) -> services.EventUpdateResult:
    values: dict[str, Any] = {
        "title": event.title, "kind": event.kind, "description": event.description_source, "start": event.start,
        "end": event.end, "timezone_name": event.timezone, "recurrence": event.recurrence,
        "location": event.location, "online_url": event.online_url, "capacity": event.capacity,
    }
    values.update(changes)
    return services.event_update(event=event, actor=actor, **values)


def _answering(community: Community, event: Event) -> dict[str, User]:
    people = {}
    for response in ("yes", "maybe", "no"):
        person = UserFactory.create(username=f"says-{response}")
        MembershipFactory.create(community=community, user=person, role=Role.MEMBER)
        services.event_rsvp(event=event, user=person, response=response, original_start=event.start)
        people[response] = person
    return people


def test_a_new_place_or_link_is_told_to_those_coming_and_not_to_others(
    community: Community, owner: User, make_event: Callable[..., Event], committed: Any
) -> None:
    event = make_event(community, location="Room 2")
    people = _answering(community, event)

    with committed():
        _edit(event, owner, title="Renamed call", description="New agenda")  # nothing those coming must act on
    assert not Notification.objects.filter(kind="event_changed").exists()
    with committed():
        result = _edit(
            Event.objects.get(pk=event.pk), owner, location="Room 4, main building", online_url="https://meet.example.org/x"
        )
    assert result.message == (
        "The event is updated. 2 people coming were told of the new place and meeting link."
    )

    told = Notification.objects.filter(kind="event_changed").order_by("recipient__username")
    assert [n.recipient for n in told] == [people["maybe"], people["yes"]]  # not "no", not the organiser
    assert told[0].subject == "“Renamed call”: new place and meeting link"
    assert "Place: Room 4, main building." in told[0].text and "Meeting link: https://meet.example.org/x" in told[0].text


def test_a_one_off_meeting_at_a_new_time_keeps_its_answers_and_tells_the_new_time(
    community: Community, owner: User, make_event: Callable[..., Event], committed: Any
) -> None:
    start = soon(days=5)
    event = make_event(community, start=start, end=start + dt.timedelta(hours=1))
    people = _answering(community, event)

    services.occurrence_write_up(event=event, actor=owner, original_start=event.start, agenda="Cement logs")

    with committed():
        result = _edit(event, owner, start=start + dt.timedelta(hours=1), end=start + dt.timedelta(hours=3))

    # A one-off meeting at a new time is the same meeting: answers and agenda move with it.
    assert result.dropped_occurrences == 0
    row = Occurrence.objects.get(event=event)
    assert row.original_start == row.start == result.event.start and row.agenda_source == "Cement logs"
    assert set(Rsvp.objects.filter(occurrence=row).values_list("user__username", flat=True)) == {
        "says-yes", "says-maybe", "says-no"
    }
    told = Notification.objects.get(recipient=people["yes"], kind="event_changed")
    assert told.subject == "“Monthly well integrity call”: new time"
    assert f"Time: {start + dt.timedelta(hours=1):%d %b %Y, %H:%M}–{start + dt.timedelta(hours=3):%H:%M} (Europe/Paris)." in told.text


def test_a_past_answer_is_not_told_of_a_change(
    community: Community, owner: User, member: User, make_event: Callable[..., Event], committed: Any
) -> None:
    start = soon(days=-7)
    event = make_event(community, start=start, end=start + dt.timedelta(hours=1), recurrence="FREQ=WEEKLY")
    Rsvp.objects.create(
        occurrence=services.occurrence_get(event=event, original_start=event.start), user=member, response="yes"
    )
    with committed():
        _edit(event, owner, location="Room 9")
    assert not Notification.objects.filter(recipient=member).exists()


def test_moving_or_cancelling_one_date_tells_those_coming_to_it(
    community: Community, owner: User, member: User, make_event: Callable[..., Event], committed: Any
) -> None:
    start = soon(days=2)
    event = make_event(community, start=start, end=start + dt.timedelta(hours=1), recurrence="FREQ=WEEKLY;COUNT=4")
    first, second = event.start, event.start + dt.timedelta(days=7)
    services.event_rsvp(event=event, user=member, response="yes", original_start=first)

    with committed():
        services.occurrence_change(event=event, actor=owner, original_start=second, cancel=True)  # nobody answered it
    assert not Notification.objects.filter(recipient=member).exists()
    with committed():
        services.occurrence_change(
            event=event, actor=owner, original_start=first, new_start=start + dt.timedelta(days=1)
        )
        services.occurrence_change(event=event, actor=owner, original_start=first, cancel=True)

    moved, cancelled = Notification.objects.filter(recipient=member, kind="event_changed").order_by("id")
    before = first.astimezone(PARIS)
    after = (start + dt.timedelta(days=1))
    assert moved.subject == (
        f"“{event.title}” on {before:%d %b %Y, %H:%M} moves to {after:%d %b %Y, %H:%M}–{after + dt.timedelta(hours=1):%H:%M}"
    )
    assert cancelled.subject == f"“{event.title}” on {after:%d %b %Y, %H:%M} is cancelled"
    assert moved.url.endswith(f"?occurrence={first.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}")


def test_cancelling_an_event_tells_those_coming_once(
    community: Community, owner: User, make_event: Callable[..., Event], committed: Any
) -> None:
    event = make_event(community, recurrence="FREQ=WEEKLY;COUNT=3")
    people = _answering(community, event)
    services.event_rsvp(event=event, user=people["yes"], response="yes", original_start=event.start + dt.timedelta(days=7))

    with committed():
        services.event_cancel(event=event, actor=owner)
        services.event_cancel(event=event, actor=owner)  # again: nothing new

    told = Notification.objects.filter(kind="event_changed")
    assert sorted(n.recipient.username for n in told) == ["says-maybe", "says-yes"]
    assert {n.subject for n in told} == {"“Monthly well integrity call” is cancelled"}
