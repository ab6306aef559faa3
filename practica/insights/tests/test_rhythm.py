"""The rhythm metrics on a small community whose every number can be checked by hand: a 30-day window from 2 to
31 March 2026 (UTC), a charter that plans monthly meetings, a monthly and a weekly event with a cancelled, a
moved and a future occurrence, RSVPs, attendance and actions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practica.accounts.models import User
from practica.communities.models import Cadence, Charter, Community
from practica.events.models import ActionItem, Attendance, Event, Occurrence, Rsvp, RsvpResponse
from practica.insights import rhythm
from practica.insights.metrics import window_ending
from practica.lib.testing.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db

WINDOW = window_ending(date(2026, 3, 31), 30)  # 2026-03-02 .. 2026-03-31
HOUR = timedelta(hours=1)


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def event(community: Community, start: datetime, recurrence: str = "", **fields: object) -> Event:
    return Event.objects.create(
        community=community, title=f"Event {start:%m-%d}", start=start, end=start + HOUR, timezone="UTC",
        recurrence=recurrence, **fields,
    )


def occurrence(of: Event, original: datetime, moved_to: datetime | None = None, cancelled: bool = False) -> Occurrence:
    start = moved_to or original
    return Occurrence.objects.create(event=of, original_start=original, start=start, end=start + HOUR,
                                     is_cancelled=cancelled)


def rsvp(on: Occurrence, user: User, response: str = RsvpResponse.YES, waiting: bool = False) -> None:
    Rsvp.objects.create(occurrence=on, user=user, response=response, waiting_since=at(3, 1) if waiting else None)


def came(on: Occurrence, *users: User) -> None:
    for user in users:
        Attendance.objects.create(occurrence=on, user=user)


def action(on: Occurrence, owner: User, due: date | None, done: datetime | None = None) -> None:
    ActionItem.objects.create(occurrence=on, text="Do it", owner=owner, due_date=due, done_at=done)


@pytest.fixture
def community() -> Community:
    made = CommunityFactory.create(creator=UserFactory.create(), slug="wells")
    Charter.objects.filter(community=made).update(cadence=Cadence.MONTHLY)
    return made


@pytest.fixture
def world(community: Community) -> Community:
    u1, u2, u3, u4, u5, u6 = (UserFactory.create(username=f"u{n}") for n in range(1, 7))
    # Monthly on the 10th: 10 March is in the window (held).
    monthly = event(community, at(1, 10, 10), "FREQ=MONTHLY;BYMONTHDAY=10")
    # Weekly on Tuesdays from 3 March: 3, 10, 31 March held; 17 March cancelled; 24 March moved to 2 April.
    weekly = event(community, at(3, 3, 9), "FREQ=WEEKLY")
    occurrence(weekly, at(3, 24, 9), moved_to=at(4, 2, 9))
    cancelled = occurrence(weekly, at(3, 17, 9), cancelled=True)
    event(community, at(3, 20, 14), cancelled_at=at(3, 1))  # a cancelled event
    event(community, at(2, 20, 14))  # before the window
    # Attendance: 3 March: u1, u2, u3 said yes, u4 yes but waiting, u5 no; u1, u2 and u6 (no RSVP) came.
    third = occurrence(weekly, at(3, 3, 9))
    for user in (u1, u2, u3):
        rsvp(third, user)
    rsvp(third, u4, waiting=True)
    rsvp(third, u5, RsvpResponse.NO)
    came(third, u1, u2, u6)
    tenth = occurrence(weekly, at(3, 10, 9))  # yes from u1 and u2, attendance not taken: left out
    rsvp(tenth, u1)
    rsvp(tenth, u2)
    monthly_tenth = occurrence(monthly, at(3, 10, 10))  # u3 said yes and came
    rsvp(monthly_tenth, u3)
    came(monthly_tenth, u3)
    rsvp(cancelled, u1)  # a cancelled occurrence is left out
    came(cancelled, u1)
    # Actions: 4 due in the window, 2 done by the end of their due day (UTC).
    action(third, u1, date(2026, 3, 5), at(3, 5, 23))  # on time
    action(third, u1, date(2026, 3, 5), at(3, 6, 1))  # a day late
    action(third, u2, date(2026, 3, 20))  # not done
    action(third, u2, date(2026, 3, 30), at(3, 29))  # on time
    action(third, u2, date(2026, 4, 5), at(3, 6))  # due after the window
    action(third, u2, None, at(3, 6))  # no due date
    return community


def test_the_rhythm_of_a_hand_computed_month(world: Community) -> None:
    values = rhythm.rhythm_metrics(world, WINDOW, now=at(6, 1))

    assert values == {
        "meetings_planned": 0.99,  # 30 days / (365.25 / 12) = 0.9856
        "meetings_held": 4,  # monthly 10 March; weekly 3, 10 and 31 March
        "attendance_rate": 0.75,  # (u1, u2 of u1, u2, u3 on 3 March) + (u3 of u3 on 10 March) = 3 / 4
        "actions_closed_on_time": 0.5,  # 2 of the 4 due from 2 to 31 March
    }


def test_meetings_not_over_yet_are_not_held(world: Community) -> None:
    values = rhythm.rhythm_metrics(world, WINDOW, now=at(3, 15, 12))

    assert values["meetings_held"] == 3  # 3 March, 10 March (twice); not 31 March
    # The action due 30 March and done on 29 March is not done yet on 15 March.
    assert values["actions_closed_on_time"] == 0.25


def test_a_community_without_meetings_or_cadence_has_nothing_planned_and_nothing_to_rate() -> None:
    empty = CommunityFactory.create(creator=UserFactory.create(), slug="empty")

    assert rhythm.rhythm_metrics(empty, WINDOW, now=at(6, 1)) == {
        "meetings_planned": 0.0, "meetings_held": 0, "attendance_rate": None, "actions_closed_on_time": None,
    }


@pytest.mark.parametrize(
    ("cadence", "per_month", "in_window"),
    [("weekly", 4.35, 4.29), ("fortnightly", 2.17, 2.14), ("monthly", 1.0, 0.99), ("quarterly", 0.33, 0.33),
     ("none", 0.0, 0.0)],
)
def test_the_cadence_plans_meetings_per_month_and_per_window(
    community: Community, cadence: str, per_month: float, in_window: float
) -> None:
    Charter.objects.filter(community=community).update(cadence=cadence)

    assert rhythm.planned_per_month(cadence) == per_month
    assert rhythm.rhythm_metrics(community, WINDOW, now=at(6, 1))["meetings_planned"] == in_window


@pytest.mark.parametrize("events", [5, 50])
def test_the_rhythm_costs_the_same_queries_whatever_the_number_of_events(community: Community, events: int) -> None:
    owner = UserFactory.create()
    for n in range(events):
        made = event(community, at(3, 2, 8) + timedelta(minutes=n), "FREQ=WEEKLY")
        held = occurrence(made, made.start)
        rsvp(held, owner)
        came(held, owner)
        action(held, owner, date(2026, 3, 20), at(3, 19))

    with CaptureQueriesContext(connection) as queries:
        values = rhythm.rhythm_metrics(community, WINDOW, now=at(6, 1))

    assert len(queries) == rhythm.QUERIES
    assert values["meetings_held"] == events * 5  # 2, 9, 16, 23 and 30 March
    assert (values["attendance_rate"], values["actions_closed_on_time"]) == (1.0, 1.0)
