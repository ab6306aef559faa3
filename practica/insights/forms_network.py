"""The network view's window selector and sort order (the page and its CSV exports)."""

from __future__ import annotations

from typing import Any

from django import forms

from practica.insights import catalogue
from practica.insights.metrics import DEFAULT_DAYS
from practica.insights.network import HEADLINE, SORT_KEYS, WINDOW_CHOICES, network_window

COLUMN_LABELS: dict[str, str] = {
    "name": "Community",
    "stage": "Stage",
    "members": "Members",
    "organisations": "Organisations",
    **{name: catalogue.info(name).label for name in HEADLINE},
    "fading": "Fading",
}
assert set(COLUMN_LABELS) == set(SORT_KEYS), "every sortable column has a label"


class NetworkHealthForm(forms.Form):
    days = forms.TypedChoiceField(
        choices=[(days, f"{days} days") for days in WINDOW_CHOICES], coerce=int, required=False, label="Window",
        initial=DEFAULT_DAYS,
    )
    end = forms.DateField(
        required=False, label="Ending on", widget=forms.DateInput(attrs={"type": "date"}),
        help_text="A UTC day; today when empty.",
    )
    sort = forms.ChoiceField(
        required=False, label="Sort by",
        choices=[("", "Community")] + [
            (f"{direction}{key}", f"{label} ({'descending' if direction else 'ascending'})")
            for key, label in COLUMN_LABELS.items() for direction in ("", "-")
        ],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "days" in data and "end" in data:
            try:
                data["window"] = network_window(end=data["end"], days=data["days"] or DEFAULT_DAYS)
            except ValueError as exc:
                self.add_error("end", str(exc))
        return data
