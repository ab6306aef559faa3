from __future__ import annotations

from django import forms

from practica.discussions.models import ThreadKind
from practica.search.models import DocType

MAX_QUERY = 10_000


class QueryField(forms.CharField):
    """Free text to search for: a longer text is cut at MAX_QUERY characters rather than refused (only the first
    words count anyway), so a pasted 10 KB question still gets results."""

    def to_python(self, value: object) -> str:
        return str(super().to_python(value))[:MAX_QUERY]


class SearchForm(forms.Form):
    q = QueryField(required=False, label="Search")
    type = forms.ChoiceField(required=False, choices=[("", "Everything"), *DocType.choices])
    community = forms.CharField(required=False, max_length=60)
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *ThreadKind.choices])
    tag = forms.CharField(required=False, max_length=64)
    author = forms.CharField(required=False, max_length=150)
    solved = forms.ChoiceField(required=False, choices=[("", "Solved or not"), ("yes", "Solved"), ("no", "Unsolved")])
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From")
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To")
    sort = forms.ChoiceField(
        required=False,
        choices=[("relevance", "Best match"), ("newest", "Newest"), ("votes", "Most votes")],
        error_messages={"invalid_choice": "Sort by relevance (the default), newest or votes."},
    )


class ExpertForm(forms.Form):
    q = QueryField(required=False, label="Question or topic")
    community = forms.CharField(required=False, max_length=60)
