"""Permission-scoped reads of events: lists, one event with its occurrences, the community's rhythm, one's
calendar and one's open actions. Anything in a community the user may not read answers 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community
from practica.communities.selectors import Access, AnyUser, communities_readable_by
from practica.events import permissions
from practica.events.models import ActionItem, Attendance, Event, Occurrence, Rsvp, RsvpResponse
from practica.events.recurrence import UTC, OccurrenceInfo, expand
from practica.lib import activity

UPCOMING_DAYS = 366
MAX_DURATION = dt.timedelta(days=31)


def event_get_for_user(*, event_id: int, user: AnyUser) -> tuple[Event, Access]:
    """The event and the user's access to its community, or 404 when they may not read it."""
    event = Event.objects.select_related("community", "organiser").filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event.")
    access = Access(event.community, user)
    permissions.may_read.require(access)
    activity.read(community=event.community, user=user)  # recorded after a successful GET (lib/activity.py)
    return event, access


def _rows_near(events: list[Event], start: dt.datetime, end: dt.datetime) -> QuerySet[Occurrence]:
    """Stored occurrences that may show in [start, end): originally or actually there."""
    return Occurrence.objects.filter(event__in=[e.pk for e in events]).filter(
        Q(original_start__gte=start - MAX_DURATION, original_start__lt=end)
        | Q(start__gte=start, start__lt=end)
    )


def occurrences_between(
    events: list[Event], start: dt.datetime, end: dt.datetime, *, include_cancelled: bool = False
) -> list[OccurrenceInfo]:
    """Occurrences of these events in the window (two queries at most: the events are given)."""
    if not events:
        return []
    return expand(
        events, start, end, rows=list(_rows_near(events, start, end)), include_cancelled=include_cancelled
    )


def community_events(*, community: Community) -> QuerySet[Event]:
    return Event.objects.filter(community=community, cancelled_at=None).select_related(
        "community", "organiser"
    )


def upcoming_occurrences(
    *, community: Community, limit: int = 20, days: int = UPCOMING_DAYS, include_cancelled: bool = False
) -> list[OccurrenceInfo]:
    """The community's next occurrences, soonest first (a fixed number of queries whatever the rows)."""
    now = timezone.now()
    horizon = now + dt.timedelta(days=days)
    events = list(community_events(community=community).filter(start__lt=horizon))
    return [
        info
        for info in occurrences_between(
            events, now - MAX_DURATION, horizon, include_cancelled=include_cancelled
        )
        if info.end > now
    ][:limit]


def past_occurrences(*, community: Community, days: int = 365, limit: int = 20) -> list[OccurrenceInfo]:
    """The community's recent past occurrences, most recent first."""
    now = timezone.now()
    events = list(community_events(community=community).filter(start__lt=now))
    infos = [i for i in occurrences_between(events, now - dt.timedelta(days=days), now) if i.end <= now]
    return list(reversed(infos))[:limit]


@dataclass
class MonthCount:
    month: dt.date
    count: int
    height: int = 0
    y: int = 0
    x: int = 0


@dataclass
class Rhythm:
    months: list[MonthCount] = field(default_factory=list)
    total: int = 0
    peak: int = 0


def community_rhythm(*, community: Community, months: int = 12, now: dt.datetime | None = None) -> Rhythm:
    """Meetings held per month over the last ``months`` months (cancelled occurrences left out)."""
    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    start = dt.datetime(first.year, first.month, 1, tzinfo=UTC)
    events = list(community_events(community=community).filter(start__lt=now))
    counts: dict[tuple[int, int], int] = {}
    for info in occurrences_between(events, start, now):
        key = (info.start.year, info.start.month)
        counts[key] = counts.get(key, 0) + 1
    rhythm = Rhythm()
    month = first
    for index in range(months):
        n = counts.get((month.year, month.month), 0)
        rhythm.months.append(MonthCount(month=month, count=n, x=index * 24))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    rhythm.total = sum(m.count for m in rhythm.months)
    rhythm.peak = max((m.count for m in rhythm.months), default=0)
    for m in rhythm.months:
        m.height = round(60 * m.count / rhythm.peak) if rhythm.peak else 0
        m.y = 64 - m.height
    return rhythm


@dataclass
class OccurrenceDetail:
    """What the event page shows for one occurrence."""

    info: OccurrenceInfo
    rsvps: list[Rsvp]
    my_rsvp: Rsvp | None
    attendances: list[Attendance]
    actions: list[ActionItem]
    counts: dict[str, int]
    waiting: list[Rsvp]


def occurrence_detail(*, info: OccurrenceInfo, user: AnyUser) -> OccurrenceDetail:
    """RSVPs, attendance and actions of one occurrence (a fixed number of queries)."""
    row = info.row
    if row is None:
        return OccurrenceDetail(info, [], None, [], [], {"yes": 0, "maybe": 0, "no": 0, "waiting": 0}, [])
    rsvps = list(
        Rsvp.objects.filter(occurrence=row).select_related("user", "user__profile").order_by("created_at")
    )
    counts = {"yes": 0, "maybe": 0, "no": 0, "waiting": 0}
    for r in rsvps:
        counts["waiting" if r.is_waiting else r.response] += 1
    waiting = sorted((r for r in rsvps if r.is_waiting), key=lambda r: (r.waiting_since, r.pk))
    mine = next((r for r in rsvps if user.is_authenticated and r.user_id == user.pk), None)
    return OccurrenceDetail(
        info=info,
        rsvps=[r for r in rsvps if not r.is_waiting],
        my_rsvp=mine,
        attendances=list(Attendance.objects.filter(occurrence=row).select_related("user", "user__profile")),
        actions=list(ActionItem.objects.filter(occurrence=row).select_related("owner", "owner__profile")),
        counts=counts,
        waiting=waiting,
    )


def occurrence_find(*, event: Event, original_start: dt.datetime | None) -> OccurrenceInfo | None:
    """One occurrence of the event (by its original start), or the next one when none is named."""
    now = timezone.now()
    if original_start is None:
        upcoming = [
            i
            for i in occurrences_between([event], now - MAX_DURATION, now + dt.timedelta(days=3660))
            if i.end > now
        ][:1]
        if upcoming:
            return upcoming[0]
        past = occurrences_between([event], event.start, now + dt.timedelta(seconds=1))
        return past[-1] if past else None
    found = occurrences_between(
        [event],
        original_start - MAX_DURATION,
        original_start + MAX_DURATION + dt.timedelta(days=366),
        include_cancelled=True,
    )
    for info in found:
        if info.original_start == original_start:
            return info
    return None


def events_list(*, community: Community) -> QuerySet[Event]:
    """Events of a community for the API list (newest plans first), with RSVP counts."""
    return (
        community_events(community=community)
        .annotate(
            rsvp_count=Count("occurrences__rsvps", filter=Q(occurrences__rsvps__response=RsvpResponse.YES))
        )
        .order_by("-start", "-id")
    )


def calendar_events_for(*, user: AnyUser) -> QuerySet[Event]:
    """Every event of the communities the person reads and is an active member of (personal feed)."""
    if not user.is_authenticated:
        return Event.objects.none()
    readable = permissions.personal_calendar_communities(user)
    return (
        Event.objects.filter(community__in=readable.values("id"), cancelled_at=None)
        .select_related("community", "organiser")
        .prefetch_related(Prefetch("occurrences", queryset=Occurrence.objects.all()))
    )


def feed_events(*, community: Community) -> QuerySet[Event]:
    return community_events(community=community).prefetch_related(
        Prefetch("occurrences", queryset=Occurrence.objects.all())
    )


def my_open_actions(*, user: User, limit: int = 20) -> list[ActionItem]:
    """Open actions the person owns, in communities they may still read, soonest due first."""
    readable = communities_readable_by(user).values("id")
    return list(
        ActionItem.objects.filter(owner=user, done_at=None, occurrence__event__community__in=readable)
        .select_related("occurrence__event__community", "owner")
        .order_by(F("due_date").asc(nulls_last=True), "id")[:limit]
    )


def action_get_for_user(*, action_id: int, user: AnyUser) -> ActionItem:
    action = ActionItem.objects.select_related("occurrence__event__community").filter(pk=action_id).first()
    if action is None or not permissions.may_read(Access(action.occurrence.event.community, user)):
        raise Http404("No such action.")
    return action


@dataclass
class EventFlags:
    """What the event page offers the viewer for the occurrence shown (``events.permissions``' rules joined with
    the occurrence's state): the template's ``can_*`` flags."""

    can_manage: bool
    can_rsvp: bool
    can_capture: bool
    has_started: bool
    is_over: bool
    changeable_actions: set[int]


def event_flags(
    *, event: Event, access: Access, info: OccurrenceInfo | None, actions: list[ActionItem] | None = None
) -> EventFlags:
    """The page's flags for this viewer and this occurrence (no query: the access is computed already)."""
    now = timezone.now()
    manages = permissions.may_manage(event, access)
    row = info.row if info is not None else None
    has_notes = row is not None and bool(row.notes_source or row.decisions_source)
    return EventFlags(
        can_manage=manages,
        can_rsvp=permissions.may_rsvp(access)
        and info is not None
        and not info.is_cancelled
        and not event.is_cancelled
        and info.end > now,
        can_capture=permissions.may_capture_notes(event, access) and has_notes,
        has_started=info is not None and info.start <= now,
        is_over=info is not None and info.end <= now,
        changeable_actions={
            action.pk for action in actions or [] if permissions.may_change_action(action, event, access)
        },
    )
