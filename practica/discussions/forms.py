from __future__ import annotations

from django import forms

from practica.discussions.models import MAX_COMMENT_LENGTH, MAX_TITLE_LENGTH, Flag, IdeaStatus, ThreadKind
from practica.lib.forms import TopicsField

BODY_HELP = "Markdown: **bold**, _italic_, `code`, ```fenced code```, tables, [links](https://…), @username."


class ThreadForm(forms.Form):
    kind = forms.ChoiceField(choices=ThreadKind.choices, widget=forms.RadioSelect, initial=ThreadKind.QUESTION)
    title = forms.CharField(max_length=MAX_TITLE_LENGTH, strip=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}), strip=False, help_text=BODY_HELP)
    tags = TopicsField(help_text="Topics of this community, separated by commas.")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Length and emptiness are checked by the service with clearer messages.
        title = self.fields["title"]
        assert isinstance(title, forms.CharField)
        title.max_length = None
        title.required = False
        self.fields["body"].required = False
        self.fields["title"].validators = []


class ReplyForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), strip=False, required=False, label="Your reply", help_text=BODY_HELP
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Comment",
        help_text=f"Ask for clarification or add a short note (at most {MAX_COMMENT_LENGTH} characters).",
    )


class EditForm(forms.Form):
    title = forms.CharField(required=False, strip=False)
    tags = TopicsField()
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), strip=False, required=False, help_text=BODY_HELP)
    note = forms.CharField(max_length=300, required=False, label="What did you change? (optional)")
    version = forms.IntegerField(widget=forms.HiddenInput)


class FlagForm(forms.Form):
    reason = forms.ChoiceField(choices=Flag.Reason.choices, widget=forms.RadioSelect)
    details = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class IdeaStatusForm(forms.Form):
    status = forms.ChoiceField(choices=IdeaStatus.choices)
    reason = forms.CharField(max_length=500, required=False)
