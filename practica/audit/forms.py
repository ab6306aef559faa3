from __future__ import annotations

from django import forms

from practica.audit.selectors import ACTION_FAMILIES


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(required=False, choices=[("", "Every action"), *ACTION_FAMILIES])
    actor = forms.CharField(required=False, max_length=150, label="By (username)")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From")
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data
