"""Extra fields on the sign-up form: who you are as a practitioner."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest

from practica.accounts.models import User
from practica.people.search import person_changed
from practica.people.services import organization_get_or_create, profile_ensure


class SignupExtraForm(forms.Form):
    display_name = forms.CharField(
        max_length=100, required=False, label="Your name", help_text="As colleagues know you."
    )
    organization = forms.CharField(max_length=200, required=False, label="Organisation")
    discipline = forms.CharField(max_length=100, required=False, help_text="e.g. drilling engineering, nursing")

    def signup(self, request: HttpRequest, user: User) -> None:
        profile = profile_ensure(user=user)
        profile.display_name = self.cleaned_data.get("display_name", "").strip()
        profile.discipline = self.cleaned_data.get("discipline", "").strip()
        org_name = self.cleaned_data.get("organization", "").strip()
        if org_name:
            profile.organization = organization_get_or_create(name=org_name)
        profile.save()
        person_changed(user.pk)


class TokenCreateForm(forms.Form):
    """A new personal API token: what it is for, what it may do, how long it lasts."""

    EXPIRY_CHOICES = [(7, "7 days"), (30, "30 days"), (90, "90 days"), (365, "1 year")]

    name = forms.CharField(max_length=100, help_text="Where the token is used, e.g. “weekly report script”.")
    scope = forms.ChoiceField(
        choices=[("read", "Read only"), ("write", "Read and write")], initial="read",
        help_text="Read only suits reports and dashboards; read and write can post and change things as you.",
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires after", choices=EXPIRY_CHOICES, coerce=int, initial=90
    )
