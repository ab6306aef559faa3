"""Meetings with a rhythm: events (one-off or recurring), their occurrences, RSVPs, attendance, notes and actions.

An ``Event`` is the series: its first start and end (stored in UTC), the time zone it is planned in and an
optional RFC 5545 RRULE. Occurrences are computed from the rule inside a bounded window; an ``Occurrence`` row
exists only for an occurrence that carries something (an exception, an RSVP, notes, a reminder sent), keyed by
its original start in UTC, as RECURRENCE-ID is in iCalendar.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.timezone import now

from practica.communities.models import Community

MAX_TITLE_LENGTH = 200
MAX_TEXT_BYTES = 64 * 1024


class EventKind(models.TextChoices):
    MEETING = "meeting", "Meeting"
    WORKSHOP = "workshop", "Workshop"
    WEBINAR = "webinar", "Webinar"
    SITE_VISIT = "site-visit", "Site visit"
    CALL = "call", "Call"
    CONFERENCE = "conference", "Conference"
    OTHER = "other", "Other"


class Event(models.Model):
    """A meeting, workshop, webinar or site visit of a community: one-off, or recurring by an RRULE."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(max_length=MAX_TITLE_LENGTH)
    kind = models.CharField(max_length=20, choices=EventKind.choices, default=EventKind.MEETING)
    description_source = models.TextField(blank=True, default="")
    description_html = models.TextField(blank=True, default="")
    description_text = models.TextField(blank=True, default="")
    start = models.DateTimeField(help_text="First occurrence's start, in UTC.")
    end = models.DateTimeField(help_text="First occurrence's end, in UTC.")
    timezone = models.CharField(max_length=64, default="UTC", help_text="IANA name the event is planned in.")
    recurrence = models.CharField(
        max_length=500, blank=True, default="", help_text="RFC 5545 RRULE, or empty."
    )
    location = models.CharField(
        max_length=300, blank=True, default="", help_text="Place, for meeting in person."
    )
    online_url = models.URLField(
        max_length=500, blank=True, default="", help_text="Link, for meeting online."
    )
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seats per occurrence; empty: no limit."
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organised_events",
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    sequence = models.PositiveIntegerField(
        default=0, help_text="Revision number (iCalendar SEQUENCE): raised by each edit, so calendars update."
    )

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["community", "start"], name="event_community_start")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="event_end_after_start")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"slug": self.community.slug, "event_id": self.pk})

    @property
    def is_recurring(self) -> bool:
        return bool(self.recurrence)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def mode(self) -> str:
        """online, in person or hybrid, from where it takes place."""
        if self.online_url and self.location:
            return "hybrid"
        if self.online_url:
            return "online"
        if self.location:
            return "in person"
        return ""

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start


class Occurrence(models.Model):
    """One occurrence of an event that carries something: moved or cancelled, agenda, notes, decisions, or
    the record that its reminder was sent. ``original_start`` (UTC) identifies it within the series."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="occurrences")
    original_start = models.DateTimeField()
    start = models.DateTimeField(help_text="Actual start (differs from original_start when moved).")
    end = models.DateTimeField()
    is_cancelled = models.BooleanField(default=False)
    agenda_source = models.TextField(blank=True, default="")
    agenda_html = models.TextField(blank=True, default="")
    notes_source = models.TextField(blank=True, default="")
    notes_html = models.TextField(blank=True, default="")
    notes_text = models.TextField(blank=True, default="")
    decisions_source = models.TextField(blank=True, default="")
    decisions_html = models.TextField(blank=True, default="")
    notes_updated_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, help_text="Set once: never remind twice.")

    class Meta:
        ordering = ["original_start"]
        constraints = [
            models.UniqueConstraint(fields=["event", "original_start"], name="events_occurrence_unique"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="occurrence_end_after_start"),
        ]
        indexes = [models.Index(fields=["start"], name="occurrence_start")]

    def __str__(self) -> str:
        return f"{self.event} at {self.start:%Y-%m-%d %H:%M} UTC"

    @property
    def is_moved(self) -> bool:
        return self.start != self.original_start


class RsvpResponse(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    MAYBE = "maybe", "Maybe"


class Rsvp(models.Model):
    """A person's answer for one occurrence. A "yes" beyond capacity waits (``waiting_since`` set) until a
    seat frees up."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps")
    response = models.CharField(max_length=10, choices=RsvpResponse.choices)
    waiting_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "user"], name="events_rsvp_unique"),
            models.CheckConstraint(
                condition=Q(waiting_since__isnull=True) | Q(response="yes"), name="events_rsvp_only_yes_waits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.response} for {self.occurrence}"

    @property
    def is_waiting(self) -> bool:
        return self.waiting_since is not None

    @property
    def is_confirmed(self) -> bool:
        return self.response == RsvpResponse.YES and self.waiting_since is None


class Attendance(models.Model):
    """Someone came to an occurrence, as its organiser marked afterwards."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["user__username"]
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "user"], name="events_attendance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} came to {self.occurrence}"


class ActionItem(models.Model):
    """Something to do decided in a meeting: an owner, a due date and a done state."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_actions"
    )
    due_date = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["done_at", "due_date", "id"]
        indexes = [models.Index(fields=["owner", "done_at"], name="event_action_owner_open")]

    def __str__(self) -> str:
        return self.text

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class CalendarToken(models.Model):
    """The version of a person's personal calendar feed URL: raising it revokes every URL given out before."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user} (v{self.version})"
