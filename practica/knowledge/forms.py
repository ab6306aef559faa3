"""Forms of the knowledge pages: input parsing and field errors only (the services hold the rules)."""

from __future__ import annotations

from django import forms

from practica.knowledge.models import (
    MAX_FIELD_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_SUMMARY_LENGTH,
    MAX_TITLE_LENGTH,
    KnowledgeKind,
)
from practica.lib.forms import TopicsField

STATUS_FILTERS = [
    ("", "Published"),
    ("archived", "Archived"),
    ("in-review", "In review"),
    ("draft", "Drafts"),
    ("mine", "Mine"),
]


def _area(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=MAX_FIELD_LENGTH, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ItemForm(forms.Form):
    kind = forms.ChoiceField(choices=KnowledgeKind.choices)
    title = forms.CharField(max_length=MAX_TITLE_LENGTH)
    summary = forms.CharField(
        required=False, max_length=MAX_SUMMARY_LENGTH, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two sentences: what a reader gets from this.",
    )
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 14}), help_text="Markdown.")
    tags = TopicsField()
    context = _area("Context", "Lessons learned: the situation.")
    what_happened = _area("What happened", "Lessons learned.")
    what_we_learned = _area("What we learned", "Lessons learned.")
    recommendation = _area("Recommendation", "Lessons learned: what to do next time.")
    applies_when = _area("When it applies", "Best practices.")
    evidence = _area("Evidence", "Best practices: why we believe it works.")
    note = forms.CharField(
        required=False, max_length=MAX_NOTE_LENGTH, label="Change note",
        help_text="For a published item: what changed (shown in the version history).",
    )


class CommentForm(forms.Form):
    comment = forms.CharField(required=False, max_length=MAX_FIELD_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))


class EndorseForm(forms.Form):
    comment = forms.CharField(required=False, max_length=500, label="Comment (optional)")


class HelpfulForm(forms.Form):
    note = forms.CharField(
        required=False, max_length=1000, label="How did you apply it? (optional)", widget=forms.Textarea(attrs={"rows": 2})
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(allow_empty_file=True)


class CaptureForm(forms.Form):
    kind = forms.ChoiceField(choices=KnowledgeKind.choices, initial=KnowledgeKind.LESSON_LEARNED)


class CollectionForm(forms.Form):
    title = forms.CharField(max_length=MAX_TITLE_LENGTH)
    description = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class SettingsForm(forms.Form):
    review_months = forms.IntegerField(min_value=1, max_value=120, label="Months until a review is due")
