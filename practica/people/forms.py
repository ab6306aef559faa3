from __future__ import annotations

from django import forms

from practica.lib.forms import TopicsField
from practica.lib.timezones import time_zone_choices
from practica.people.models import Organization

TIMEZONE_CHOICES = time_zone_choices()


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=100, required=False, label="Name")
    organization = forms.CharField(
        max_length=200, required=False, label="Organisation", help_text="Type a name; new ones are added."
    )
    organization_kind = forms.ChoiceField(
        choices=Organization.Kind.choices, required=False, label="Kind of organisation (if new)"
    )
    discipline = forms.CharField(max_length=100, required=False)
    job_title = forms.CharField(max_length=100, required=False)
    location = forms.CharField(max_length=100, required=False)
    timezone = forms.ChoiceField(choices=TIMEZONE_CHOICES, initial="UTC", label="Time zone")
    bio = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=5000, required=False)
    expertise = TopicsField(help_text="Your skills, separated by commas, e.g. cementing, well control")
    languages = forms.CharField(max_length=500, required=False, help_text="Separated by commas")
