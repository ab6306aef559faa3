"""The health page's window selector: 30, 90 or 365 days ending on a day, or a custom start and end (GET)."""

from __future__ import annotations

from typing import Any

from django import forms

from practica.insights.dashboard import WINDOW_CHOICES, WindowError, window_choose
from practica.insights.metrics import DEFAULT_DAYS, MAX_DAYS, Window


class HealthWindowForm(forms.Form):
    """``days`` (ending with ``end``, today UTC by default) or ``start`` and ``end``; the rules are
    ``dashboard.window_choose``'s, shared with the API."""

    days = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_DAYS, label="Days",
        widget=forms.NumberInput(attrs={"list": "health-days"}),
        help_text=f"{', '.join(str(days) for days in WINDOW_CHOICES)} or any number up to {MAX_DAYS}.",
    )
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}),
                            help_text="A custom start: the window runs from this day to the end.")
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}),
                          help_text="The window's last day (UTC); today by default.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            data["window"] = window_choose(days=data.get("days"), start=data.get("start"), end=data.get("end"))
        except WindowError as exc:
            self.add_error(exc.field, exc.message)
        return data

    def window(self) -> Window:
        """The window asked for, or the last ``DEFAULT_DAYS`` days when the form is unbound or invalid."""
        if self.is_bound and self.is_valid():
            chosen: Window = self.cleaned_data["window"]
            return chosen
        return window_choose(days=DEFAULT_DAYS)
