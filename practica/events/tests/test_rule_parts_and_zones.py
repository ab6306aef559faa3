"""Repeat rules checked part by part against RFC 5545's ranges, and only real IANA time zones, in the service,
the event pages, the API and the profile ([P12] finding 10). No rule gives a 500."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from practica.accounts.models import User
from practica.communities.models import Community
from practica.events.models import Event
from practica.events.recurrence import UTC, planned_starts, rule_parse, zone_get
from practica.events.tests.conftest import soon
from practica.lib.testing.client import Api
from practica.lib.timezones import is_time_zone, time_zone_names

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2027, 1, 4, 18, 0)
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOT_ZONES = ["localtime", "posixrules", "right/UTC", "Factory", "posix/Europe/Paris", "right/Europe/Paris"]


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=MONTHLY;BYDAY=+53MO", "BYDAY=+53MO: with FREQ=MONTHLY the week number goes from -5 to 5"),
        ("FREQ=MONTHLY;BYDAY=-6FR", "with FREQ=MONTHLY the week number goes from -5 to 5"),
        ("FREQ=YEARLY;BYDAY=54MO", "with FREQ=YEARLY the week number goes from -53 to 53"),
        ("FREQ=YEARLY;BYMONTH=3;BYDAY=6SU", "with BYMONTH the week number goes from -5 to 5"),
        ("FREQ=YEARLY;BYWEEKNO=10;BYDAY=1MO", "no week number with BYWEEKNO"),
        ("FREQ=WEEKLY;BYDAY=1MO", "a week number (1MO, -1FR) goes only with FREQ=MONTHLY or FREQ=YEARLY"),
        ("FREQ=DAILY;BYDAY=-1FR", "a week number (1MO, -1FR) goes only with FREQ=MONTHLY or FREQ=YEARLY"),
        ("FREQ=MONTHLY;BYDAY=0MO", "BYDAY=0MO"),
        ("FREQ=MONTHLY;BYDAY=MONDAY", "BYDAY=MONDAY"),
        ("FREQ=WEEKLY;FREQ=DAILY", "FREQ is given twice"),
        ("FREQ=WEEKLY;FREQ=WEEKLY", "FREQ is given twice"),
        ("FREQ=WEEKLY;BYDAY=MO;BYDAY=TU", "BYDAY is given twice"),
        ("FREQ=DAILY;COUNT=3;COUNT=4", "COUNT is given twice"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY=0: each value goes from -31 to 31, not 0"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY=32: each value goes from -31 to 31"),
        ("FREQ=MONTHLY;BYMONTHDAY=-32", "BYMONTHDAY=-32"),
        ("FREQ=YEARLY;BYYEARDAY=367", "BYYEARDAY=367"),
        ("FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO=54"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH=13: each value goes from 1 to 12"),
        ("FREQ=YEARLY;BYMONTH=0", "BYMONTH=0"),
        ("FREQ=YEARLY;BYMONTH=-1", "BYMONTH=-1"),
        ("FREQ=DAILY;BYHOUR=24", "BYHOUR=24: each value goes from 0 to 23"),
        ("FREQ=DAILY;BYMINUTE=60", "BYMINUTE=60"),
        ("FREQ=DAILY;BYSECOND=61", "BYSECOND=61"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0", "BYSETPOS=0"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=367", "BYSETPOS=367"),
        ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS needs another BY part"),
        ("FREQ=WEEKLY;WKST=XX", "WKST=XX"),
        ("FREQ=WEEKLY;WKST=MO,TU", "WKST=MO,TU"),
        ("FREQ=WEEKLY;BYDAY=", "BYDAY has no value"),
        ("FREQ=WEEKLY;BYDAY=MO,,TU", "BYDAY=MO,,TU"),
        ("FREQ=WEEKLY;;COUNT=2", "an empty part"),
        ("FREQ=WEEKLY;COUNT", "COUNT has no value"),
        ("FREQ=DAILY;INTERVAL=-1", "INTERVAL must be a whole number"),
        ("FREQ=DAILY;UNTIL=2027", "UNTIL must be a UTC time"),
        ("FREQ=DAILY;UNTIL=20271340T000000Z", "UNTIL"),
        ("FREQ=DAILY;BYHOUR=00000000000000000009", "BYHOUR=00000000000000000009"),
    ],
)
def test_a_rule_part_out_of_its_range_or_given_twice_is_refused_naming_the_part(
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
        ("FREQ=YEARLY;BYDAY=+53MO", dt.date(2029, 12, 31)),  # 2029 begins on a Monday: 53 Mondays
        ("FREQ=YEARLY;BYDAY=-53SU", dt.date(2028, 1, 2)),  # 2028 is a leap year beginning on a Saturday
        ("FREQ=YEARLY;BYDAY=20MO", dt.date(2027, 5, 17)),
        ("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", dt.date(2027, 3, 28)),
        ("FREQ=MONTHLY;BYDAY=+5FR", dt.date(2027, 1, 29)),
        ("FREQ=MONTHLY;BYDAY=-5MO", dt.date(2027, 3, 1)),  # March 2027 has five Mondays
        ("FREQ=MONTHLY;BYMONTHDAY=-1", dt.date(2027, 1, 31)),
        ("FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO", dt.date(2027, 1, 4)),
        ("FREQ=YEARLY;BYYEARDAY=-1", dt.date(2027, 12, 31)),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", dt.date(2027, 1, 29)),
        ("FREQ=WEEKLY;WKST=SU;BYDAY=MO,WE", dt.date(2027, 1, 4)),
        ("RRULE:freq=weekly;count=3", dt.date(2027, 1, 4)),
    ],
)
def test_a_rule_within_rfc_ranges_is_accepted(
    community: Community, make_event: Callable[..., Event], rule: str, first: dt.date
) -> None:
    event = make_event(community, start=MONDAY, end=MONDAY + dt.timedelta(hours=1), recurrence=rule)
    starts = planned_starts(event, event.start, event.start + dt.timedelta(days=5 * 366))
    assert starts[0].astimezone(PARIS).date() == first


def test_the_api_answers_400_naming_the_part_for_a_week_number_out_of_range(
    api: Api, community: Community, owner: User
) -> None:
    start = soon(days=10)
    response = api.as_user(owner).post(
        f"/api/v1/communities/{community.slug}/events/",
        {
            "title": "Cement clinic", "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=1)).isoformat(), "timezone": "Europe/Paris",
            "recurrence": "FREQ=MONTHLY;BYDAY=+53MO",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "BYDAY=+53MO" in " ".join(response.json()["recurrence"])
    assert Event.objects.count() == 0


def test_the_event_page_answers_with_a_form_error_for_a_duplicated_part(
    community: Community, owner: User
) -> None:
    start = soon(days=10)
    response = client_for(owner).post(
        f"/communities/{community.slug}/events/new/",
        {
            "title": "Barrier review", "kind": "meeting", "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "timezone": "Europe/Oslo",
            "repeat": "custom", "recurrence": "FREQ=WEEKLY;FREQ=DAILY",
        },
    )
    assert response.status_code == 400
    assert "FREQ is given twice" in response.content.decode()
    assert Event.objects.count() == 0


# --- Time zones -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NOT_ZONES)
def test_a_file_of_the_zone_database_that_is_not_a_zone_is_refused(
    community: Community, make_event: Callable[..., Event], name: str
) -> None:
    with pytest.raises(ValidationError) as info:
        make_event(community, timezone_name=name)
    assert "Unknown time zone" in info.value.message_dict["timezone"][0]
    assert Event.objects.count() == 0


@pytest.mark.parametrize("name", ["Europe/Paris", "America/Argentina/Buenos_Aires", "UTC", "US/Eastern"])
def test_iana_zone_names_are_accepted_and_written_as_given(
    community: Community, make_event: Callable[..., Event], name: str
) -> None:
    assert make_event(community, timezone_name=name).timezone == name


def test_the_api_and_the_page_refuse_a_zone_that_is_not_one(api: Api, community: Community, owner: User) -> None:
    start = soon(days=10)
    response = api.as_user(owner).post(
        f"/api/v1/communities/{community.slug}/events/",
        {"title": "Clinic", "start": start.isoformat(), "end": (start + dt.timedelta(hours=1)).isoformat(),
         "timezone": "posixrules"},
        format="json",
    )
    assert response.status_code == 400
    assert "Unknown time zone" in " ".join(response.json()["timezone"])
    page = client_for(owner).post(
        f"/communities/{community.slug}/events/new/",
        {"title": "Clinic", "kind": "meeting", "start": start.strftime("%Y-%m-%dT%H:%M"),
         "end": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "timezone": "localtime"},
    )
    assert page.status_code == 400
    assert "Unknown time zone" in page.content.decode()
    assert Event.objects.count() == 0


@pytest.mark.parametrize("name", NOT_ZONES)
def test_the_profile_refuses_a_zone_that_is_not_one(api: Api, member: User, name: str) -> None:
    response = api.as_user(member).patch("/api/v1/me/", {"timezone": name}, format="json")

    assert response.status_code == 400
    assert "not a known time zone" in " ".join(response.json()["timezone"])
    member.profile.refresh_from_db()
    assert member.profile.timezone == "UTC"


def test_the_profile_form_offers_only_real_zones(member: User) -> None:
    from practica.people.forms import ProfileForm

    offered = {value for value, _ in ProfileForm.base_fields["timezone"].choices}  # type: ignore[attr-defined]
    assert offered == time_zone_names()
    assert "Europe/Oslo" in offered and not offered & set(NOT_ZONES)
    page = client_for(member).post("/people/me/edit/", {"timezone": "Factory"})
    assert page.status_code in (200, 400)
    assert "Select a valid choice" in page.content.decode()
    member.profile.refresh_from_db()
    assert member.profile.timezone == "UTC"


def test_the_zone_rule_is_the_same_everywhere() -> None:
    for name in NOT_ZONES:
        assert not is_time_zone(name)
        with pytest.raises(ValidationError):
            zone_get(name)
    assert zone_get("Europe/Paris").key == "Europe/Paris"


# --- No rule gives a 500 ------------------------------------------------------------------------------

_NUMBER = st.integers(min_value=-400, max_value=400).map(str) | st.sampled_from(["+1", "+53", "-0", "00", ""])
_DAY = st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU", "XX"])
_VALUE = st.one_of(
    _NUMBER,
    st.tuples(st.sampled_from(["", "+", "-"]), st.integers(min_value=0, max_value=60), _DAY).map(
        lambda t: f"{t[0]}{t[1]}{t[2]}"
    ),
    _DAY,
    st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", "20270101T000000Z", "20270101"]),
)
_PART = st.tuples(
    st.sampled_from(
        ["FREQ", "UNTIL", "COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY",
         "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST", "X"]
    ),
    st.lists(_VALUE, min_size=1, max_size=3).map(",".join),
).map(lambda t: f"{t[0]}={t[1]}")
_RULE = st.tuples(
    st.sampled_from(["FREQ=DAILY", "FREQ=WEEKLY", "FREQ=MONTHLY", "FREQ=YEARLY"]),
    st.lists(_PART, max_size=4),
).map(lambda t: ";".join([t[0], *t[1]]))


@example(rule="FREQ=MONTHLY;BYDAY=+53MO")
@example(rule="FREQ=MONTHLY;BYDAY=+6MO,-53FR")
@example(rule="FREQ=YEARLY;BYMONTH=2;BYDAY=53MO")
@example(rule="FREQ=YEARLY;BYWEEKNO=53;BYDAY=-53SU")
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule=_RULE | st.text(alphabet="FREQ=DAILYMONTHBYSETPOS;,+-0123456789", max_size=60))
def test_no_rule_raises_anything_but_a_validation_error(rule: str) -> None:
    start = dt.datetime(2027, 1, 4, 17, 0, tzinfo=UTC)
    try:
        parsed = rule_parse(rule, start=start, zone=PARIS)
    except ValidationError:
        return
    list(parsed.xafter(start, count=5, inc=True))
