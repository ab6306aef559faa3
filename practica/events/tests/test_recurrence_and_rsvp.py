"""Recurrence, RSVPs with a waiting list, exceptions, reminders and actions, through the services."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community, Role
from practica.events import selectors, services
from practica.events.models import ActionItem, Event, Occurrence, Rsvp
from practica.events.recurrence import UTC, planned_starts
from practica.events.tests.conftest import soon
from practica.lib.testing.factories import MembershipFactory, UserFactory
from practica.notifications.models import Notification

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def test_a_monthly_first_tuesday_rule_keeps_local_time_across_daylight_saving(
    community: Community, make_event: Callable[..., Event]
) -> None:
    event = make_event(
        community,
        start=dt.datetime(2026, 1, 6, 18, 0),
        end=dt.datetime(2026, 1, 6, 19, 30),
        recurrence="FREQ=MONTHLY;BYDAY=1TU;COUNT=6",
    )
    assert event.start == dt.datetime(2026, 1, 6, 17, 0, tzinfo=UTC)  # stored in UTC
    starts = planned_starts(event, dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2030, 1, 1, tzinfo=UTC))
    local = [s.astimezone(PARIS) for s in starts]
    assert [d.day for d in local] == [6, 3, 3, 7, 5, 2]  # first Tuesdays, January to June
    assert {(d.hour, d.minute) for d in local} == {(18, 0)}  # 18:00 in Paris in winter and in summer
    assert {s.hour for s in starts} == {17, 16}


def test_an_unbounded_rule_is_only_expanded_inside_the_window(
    community: Community, make_event: Callable[..., Event]
) -> None:
    event = make_event(community, recurrence="FREQ=DAILY")
    assert len(planned_starts(event, event.start, event.start + dt.timedelta(days=10))) == 10
    later = event.start + dt.timedelta(days=3650)
    assert len(planned_starts(event, later, later + dt.timedelta(days=10))) == 10


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=SOMETIMES", "FREQ must be one of"),
        ("BYDAY=TU", "FREQ must be one of"),
        ("FREQ=WEEKLY;COUNT=x", "COUNT"),
        ("FREQ=MONTHLY;UNTIL=20270101", "UNTIL must be a UTC time"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "produces no date"),
        ("FREQ=WEEKLY\nRRULE:FREQ=DAILY", "only one rule"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20270101T000000Z", "not both"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be a whole number"),
        ("FREQ=DAILY;BYEASTER=1", "unknown part BYEASTER"),
    ],
)
def test_an_invalid_rule_is_refused_with_a_clear_message_and_nothing_is_written(
    community: Community, make_event: Callable[..., Event], rule: str, words: str
) -> None:
    with pytest.raises(ValidationError) as info:
        make_event(community, recurrence=rule)
    assert words in " ".join(info.value.message_dict["recurrence"])
    assert Event.objects.count() == 0


def test_end_before_start_and_unknown_time_zone_are_both_reported(
    community: Community, make_event: Callable[..., Event]
) -> None:
    start = soon()
    with pytest.raises(ValidationError) as info:
        make_event(community, start=start, end=start - dt.timedelta(hours=1))
    assert "The end is before the start" in info.value.message_dict["end"][0]
    with pytest.raises(ValidationError) as info:
        make_event(community, timezone_name="Mars/Olympus_Mons")
    assert "Unknown time zone" in info.value.message_dict["timezone"][0]
    assert Event.objects.count() == 0


def test_members_cannot_plan_events_and_outsiders_of_a_private_community_get_404(
    private_community: Community, member: User, outsider: User, make_event: Callable[..., Event]
) -> None:
    with pytest.raises(PermissionDenied):
        make_event(private_community, organiser=member)
    with pytest.raises(Http404):
        make_event(private_community, organiser=outsider)
    assert Event.objects.count() == 0


def test_a_yes_beyond_capacity_goes_to_the_waiting_list_and_a_decline_promotes_the_first_waiting(
    community: Community, member: User, make_event: Callable[..., Event]
) -> None:
    event = make_event(community, capacity=1)
    second, third = UserFactory.create(), UserFactory.create()
    for person in (second, third):
        MembershipFactory.create(community=community, user=person)
    assert services.event_rsvp(event=event, user=member, response="yes").status == "confirmed"
    waiting = services.event_rsvp(event=event, user=second, response="yes")
    assert waiting.status == "waiting"
    assert "you are number 1 on the waiting list" in waiting.message
    assert "number 2" in services.event_rsvp(event=event, user=third, response="yes").message

    result = services.event_rsvp(event=event, user=member, response="no")
    assert result.promoted == second
    assert Rsvp.objects.get(user=second).is_confirmed
    assert Rsvp.objects.get(user=third).is_waiting


def test_rsvp_to_a_recurring_event_needs_a_real_occurrence(
    community: Community, member: User, make_event: Callable[..., Event]
) -> None:
    event = make_event(community, recurrence="FREQ=WEEKLY;COUNT=4")
    with pytest.raises(ValidationError):
        services.event_rsvp(event=event, user=member, response="yes")
    with pytest.raises(Http404):
        services.event_rsvp(
            event=event, user=member, response="yes", original_start=event.start + dt.timedelta(hours=1)
        )
    second = event.start + dt.timedelta(days=7)
    result = services.event_rsvp(event=event, user=member, response="maybe", original_start=second)
    assert result.rsvp.occurrence.original_start == second
    assert Occurrence.objects.count() == 1


def test_a_cancelled_occurrence_is_left_out_and_a_moved_one_shows_at_its_new_time(
    community: Community, owner: User, member: User, make_event: Callable[..., Event]
) -> None:
    event = make_event(community, recurrence="FREQ=WEEKLY;COUNT=3")
    first, second = event.start, event.start + dt.timedelta(days=7)
    services.occurrence_change(event=event, actor=owner, original_start=first, cancel=True)
    moved_to = (second + dt.timedelta(days=1)).astimezone(PARIS).replace(tzinfo=None)
    services.occurrence_change(event=event, actor=owner, original_start=second, new_start=moved_to)
    infos = selectors.upcoming_occurrences(community=community)
    assert [i.start for i in infos] == [second + dt.timedelta(days=1), event.start + dt.timedelta(days=14)]
    assert infos[0].is_moved
    with pytest.raises(PermissionDenied):
        services.occurrence_change(event=event, actor=member, original_start=first, cancel=True)
    with pytest.raises(ValidationError):
        services.event_rsvp(event=event, user=member, response="yes", original_start=first)


def test_reminders_go_once_to_those_coming_even_when_the_command_runs_twice(
    community: Community, member: User, make_event: Callable[..., Event], committed: Any
) -> None:
    start = (timezone.now() + dt.timedelta(hours=20)).astimezone(PARIS).replace(tzinfo=None, microsecond=0)
    event = make_event(community, start=start, end=start + dt.timedelta(hours=1))
    far = make_event(community, title="Far away", start=soon(days=5))
    services.event_rsvp(event=event, user=member, response="yes")
    services.event_rsvp(event=far, user=member, response="yes")
    with committed():
        call_command("send_event_reminders", stdout=_Sink())
        call_command("send_event_reminders", stdout=_Sink())
    reminders = Notification.objects.filter(kind="event_reminder")
    assert [(n.recipient, n.subject.split(" at ")[0]) for n in reminders] == [
        (member, "Tomorrow: Monthly well integrity call")
    ]
    assert Occurrence.objects.get(event=event).reminder_sent_at is not None


def test_an_action_notifies_its_owner_who_can_tick_it_done_but_an_outsider_cannot(
    private_community: Community,
    owner: User,
    member: User,
    outsider: User,
    make_event: Callable[..., Event],
    committed: Any,
) -> None:
    event = make_event(private_community, start=soon(days=-1), end=soon(days=-1, hour=19))
    with committed():
        action = services.action_create(
            event=event, actor=owner, original_start=None, text="Share the cement logs", owner_username="member"
        )
    note = Notification.objects.get(kind="action_assigned")
    assert note.recipient == member and "Share the cement logs" in note.subject
    assert selectors.my_open_actions(user=member) == [action]
    with pytest.raises(Http404):
        selectors.action_get_for_user(action_id=action.pk, user=outsider)
    services.action_set_done(action=action, actor=member, done=True)
    assert selectors.my_open_actions(user=member) == []
    with pytest.raises(ValidationError) as info:
        services.action_create(
            event=event, actor=owner, original_start=None, text="x", owner_username="outsider"
        )
    assert "not a member" in info.value.message_dict["owner"][0]
    assert ActionItem.objects.count() == 1


def test_attendance_is_marked_by_the_organiser_after_the_start_only(
    community: Community, owner: User, member: User, make_event: Callable[..., Event]
) -> None:
    future = make_event(community)
    with pytest.raises(ValidationError):
        services.attendance_mark(event=future, actor=owner, original_start=None, usernames=["member"])
    past = make_event(community, start=soon(days=-2), end=soon(days=-2, hour=19))
    rows = services.attendance_mark(
        event=past, actor=owner, original_start=None, usernames=["member", "owner"]
    )
    assert sorted(a.user.username for a in rows) == ["member", "owner"]
    with pytest.raises(PermissionDenied):
        services.attendance_mark(event=past, actor=member, original_start=None, usernames=["member"])


def test_core_members_may_plan_events(community: Community, make_event: Callable[..., Event]) -> None:
    core = UserFactory.create()
    MembershipFactory.create(community=community, user=core, role=Role.CORE)
    assert make_event(community, organiser=core).organiser == core


def test_the_rhythm_counts_meetings_held_per_month(
    community: Community, make_event: Callable[..., Event]
) -> None:
    now = timezone.now()
    start = (now - dt.timedelta(days=100)).astimezone(PARIS).replace(tzinfo=None, microsecond=0)
    make_event(community, start=start, end=start + dt.timedelta(hours=1), recurrence="FREQ=WEEKLY")
    rhythm = selectors.community_rhythm(community=community)
    assert len(rhythm.months) == 12
    assert 13 <= rhythm.total <= 15
    assert rhythm.months[-1].month == now.date().replace(day=1)
    assert rhythm.peak in (4, 5)


class _Sink:
    def write(self, *args: Any) -> None:
        pass

    def flush(self) -> None:
        pass


def test_the_reminder_task_runs_through_the_tasks_api(
    community: Community, member: User, make_event: Callable[..., Event], committed: Any
) -> None:
    from practica.events.tasks import send_event_reminders_task

    start = (timezone.now() + dt.timedelta(hours=23)).astimezone(PARIS).replace(tzinfo=None, microsecond=0)
    event = make_event(community, start=start, end=start + dt.timedelta(hours=1))
    services.event_rsvp(event=event, user=member, response="maybe")
    with committed():
        result = send_event_reminders_task.enqueue()
    assert result.return_value == 1
    assert Notification.objects.filter(kind="event_reminder", recipient=member).count() == 1
    assert send_event_reminders_task.enqueue().return_value == 0
