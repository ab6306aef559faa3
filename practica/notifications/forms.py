"""Forms of the notification pages."""

from __future__ import annotations

from django import forms

from practica.notifications.models import EmailMode
from practica.notifications.services import BROADCAST_EVENTS


class EmailModeForm(forms.Form):
    email_mode = forms.ChoiceField(choices=EmailMode.choices, label="Email me")


class CommunityEmailModeForm(forms.Form):
    email_mode = forms.ChoiceField(
        choices=[("", "As my default"), *EmailMode.choices], required=False, label="Email for this community"
    )


class WatchForm(forms.Form):
    state = forms.ChoiceField(choices=[("watch", "Watch"), ("mute", "Mute"), ("none", "Default")])


class TopicWatchForm(forms.Form):
    topic = forms.CharField(max_length=64, label="Watch a tag")


class WebhookForm(forms.Form):
    url = forms.CharField(max_length=500, label="URL", help_text="http:// or https:// only")
    events = forms.MultipleChoiceField(
        choices=[(e, e) for e in BROADCAST_EVENTS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: all events.",
    )
