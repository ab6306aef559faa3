"""Writes for events, by subject: planning, editing and cancelling (``events``), one date's exceptions
(``occurrences``), answers and the waiting list (``rsvp``), attendance (``attendance``), agenda, notes, decisions,
actions and capture as knowledge (``notes``), the day-before reminders (``reminders``) and the personal calendar
feed's tokens (``calendar_tokens``); field checks are in ``validation``.

Every function takes keyword-only arguments, checks the actor's rights with ``events.permissions``, runs in one
transaction (nothing half-written) and leaves side effects to commit time: notifications (worded in
``events.notifications``) and the search index. ``from practica.events.services import X`` reaches every public
name from here.
"""

from __future__ import annotations

from practica.events.services.attendance import attendance_mark
from practica.events.services.calendar_tokens import (
    CALENDAR_SALT,
    calendar_token,
    calendar_token_revoke,
    calendar_token_user,
)
from practica.events.services.events import EventUpdateResult, event_cancel, event_create, event_update
from practica.events.services.notes import action_create, action_set_done, notes_capture, occurrence_write_up
from practica.events.services.occurrences import occurrence_change, occurrence_get
from practica.events.services.reminders import REMINDER_AHEAD, send_event_reminders
from practica.events.services.rsvp import RsvpResult, event_rsvp, next_upcoming_start, waiting_position
from practica.events.services.validation import MAX_CAPACITY, MAX_DURATION, EventData, event_validate

__all__ = [
    "CALENDAR_SALT",
    "MAX_CAPACITY",
    "MAX_DURATION",
    "REMINDER_AHEAD",
    "EventData",
    "EventUpdateResult",
    "RsvpResult",
    "action_create",
    "action_set_done",
    "attendance_mark",
    "calendar_token",
    "calendar_token_revoke",
    "calendar_token_user",
    "event_cancel",
    "event_create",
    "event_rsvp",
    "event_update",
    "event_validate",
    "next_upcoming_start",
    "notes_capture",
    "occurrence_change",
    "occurrence_get",
    "occurrence_write_up",
    "send_event_reminders",
    "waiting_position",
]
