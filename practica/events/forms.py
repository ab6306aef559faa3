"""Forms of the event pages: input parsing and field errors only; the services hold the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from practica.events.models import EventKind, RsvpResponse

REPEAT_CHOICES = [
    ("", "Does not repeat"),
    ("weekly", "Every week, same day"),
    ("biweekly", "Every two weeks, same day"),
    ("monthly-weekday", "Every month, same weekday (e.g. the first Tuesday)"),
    ("monthly-day", "Every month, same date"),
    ("custom", "Custom rule (RRULE below)"),
]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class LocalDateTimeField(forms.CharField):
    """A wall-clock date and time (``datetime-local``), kept naive: the event's own time zone applies."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"})

    def to_python(self, value: Any) -> dt.datetime | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        try:
            moment = dt.datetime.fromisoformat(text.replace(" ", "T"))
        except ValueError:
            raise forms.ValidationError("Give a date and time such as 2026-03-03 18:00.") from None
        return moment.replace(tzinfo=None)


def rule_from_repeat(repeat: str, start: dt.datetime | None, count: int | None, custom: str) -> str:
    """The RRULE the "repeat" choice stands for, for an event starting at ``start`` (its wall-clock time)."""
    if not repeat:
        return ""
    if repeat == "custom":
        return custom
    if start is None:
        return ""
    rule = {
        "weekly": "FREQ=WEEKLY",
        "biweekly": "FREQ=WEEKLY;INTERVAL=2",
        "monthly-day": "FREQ=MONTHLY",
    }.get(repeat)
    if repeat == "monthly-weekday":
        nth = (start.day - 1) // 7 + 1
        rule = f"FREQ=MONTHLY;BYDAY={-1 if nth == 5 else nth}{WEEKDAYS[start.weekday()]}"
    if rule is None:
        return custom
    return f"{rule};COUNT={count}" if count else rule


class EventForm(forms.Form):
    title = forms.CharField(max_length=300)
    kind = forms.ChoiceField(choices=EventKind.choices, initial=EventKind.MEETING)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, help_text="Markdown."
    )
    start = LocalDateTimeField(label="Starts")
    end = LocalDateTimeField(label="Ends")
    timezone = forms.CharField(
        max_length=64, label="Time zone", help_text="An IANA name, e.g. Europe/Paris, America/New_York, UTC."
    )
    repeat = forms.ChoiceField(choices=REPEAT_CHOICES, required=False, label="Repeats")
    count = forms.IntegerField(
        min_value=1, max_value=500, required=False, label="Number of meetings", help_text="Empty: no end."
    )
    recurrence = forms.CharField(
        max_length=500,
        required=False,
        label="Custom rule",
        help_text="An RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=1TU;COUNT=6 (used with “Custom rule”).",
    )
    location = forms.CharField(
        max_length=300, required=False, label="Place", help_text="For meeting in person."
    )
    online_url = forms.CharField(
        max_length=500,
        required=False,
        label="Online link",
        help_text="For meeting online (http:// or https://).",
    )
    capacity = forms.IntegerField(min_value=1, required=False, help_text="Seats; empty for no limit.")

    def rule(self) -> str:
        data = self.cleaned_data
        return rule_from_repeat(
            data.get("repeat") or "", data.get("start"), data.get("count"), data.get("recurrence") or ""
        )

    def event_fields(self) -> dict[str, Any]:
        """What ``services.event_create`` and ``services.event_update`` take from this form."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "description": data["description"],
            "start": data["start"],
            "end": data["end"],
            "timezone_name": data["timezone"],
            "recurrence": self.rule(),
            "location": data["location"],
            "online_url": data["online_url"],
            "capacity": data["capacity"],
        }


class RsvpForm(forms.Form):
    response = forms.ChoiceField(choices=RsvpResponse.choices)
    occurrence = forms.CharField(max_length=40, required=False)


class OccurrenceChangeForm(forms.Form):
    occurrence = forms.CharField(max_length=40, required=False)
    cancel = forms.BooleanField(required=False)
    start = LocalDateTimeField(required=False, label="New start")
    end = LocalDateTimeField(required=False, label="New end")


class AttendanceForm(forms.Form):
    occurrence = forms.CharField(max_length=40, required=False)
    others = forms.CharField(
        max_length=2000, required=False, label="Others who came", help_text="Usernames, separated by commas."
    )


class WriteUpForm(forms.Form):
    occurrence = forms.CharField(max_length=40, required=False)
    agenda = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text="Markdown.")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False, help_text="Markdown.")
    decisions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text="Markdown."
    )


class ActionForm(forms.Form):
    occurrence = forms.CharField(max_length=40, required=False)
    text = forms.CharField(max_length=500, label="Action")
    owner = forms.CharField(max_length=150, label="Owner", help_text="Username of a member.")
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Due")
