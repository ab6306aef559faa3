"""Forms for the community pages. Rules live in the services; forms only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms

from practica.communities import goal_metrics
from practica.communities.models import Cadence, Community, Role, Stage, Visibility
from practica.communities.services import GoalData
from practica.lib.forms import ModelMultipleIdsField, TopicsField
from practica.people.models import Organization


class CommunityForm(forms.Form):
    name = forms.CharField(max_length=120)
    slug = forms.SlugField(
        max_length=60, label="Address", help_text="Lower-case letters, digits and hyphens: e.g. well-integrity for /communities/well-integrity/"
    )
    domain = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        label="Domain statement",
        help_text="What the community is about: the shared domain of practice.",
    )
    out_of_scope = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=3000, required=False, label="Out of scope"
    )
    topics = TopicsField()
    members_can_add_tags = forms.BooleanField(
        required=False, label="Members may tag threads with new topics (coordinators always can)"
    )
    visibility = forms.ChoiceField(choices=Visibility.choices, widget=forms.RadioSelect, initial=Visibility.PUBLIC)
    stage = forms.ChoiceField(choices=Stage.choices, initial=Stage.POTENTIAL, label="Lifecycle stage")
    organizations = ModelMultipleIdsField(
        queryset=Organization.objects.order_by("name"), required=False, label="Organisations taking part"
    )

    @classmethod
    def initial_for(cls, community: Community) -> dict[str, Any]:
        return {
            "name": community.name,
            "slug": community.slug,
            "domain": community.domain,
            "out_of_scope": community.out_of_scope,
            "topics": ", ".join(t.name for t in community.topics.all()),
            "members_can_add_tags": community.members_can_add_tags,
            "visibility": community.visibility,
            "stage": community.stage,
            "organizations": list(community.organizations.all()),
        }


class CharterForm(forms.Form):
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
        help_text="Why the community exists and what value it creates for members and sponsors.",
    )
    cadence = forms.ChoiceField(
        choices=Cadence.choices, initial=Cadence.NONE, required=False, label="Planned meetings",
        help_text="How often the community plans to meet: its health compares the meetings held with this rhythm.",
    )


def _metric_choices() -> list[tuple[str, str]]:
    """The catalogue's metrics by their labels (asked when the form is built), and "not measured"."""
    return [("", goal_metrics.NOT_MEASURED), *goal_metrics.choices()]


class GoalForm(forms.Form):
    description = forms.CharField(max_length=500, required=False, label="Goal")
    metric = forms.ChoiceField(
        choices=_metric_choices, required=False, help_text="What Practica measures to follow this goal."
    )
    target_value = forms.DecimalField(max_digits=12, decimal_places=2, required=False, label="Target")
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Due")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("description") and (data.get("metric") or data.get("target_value") is not None):
            self.add_error("description", "Describe the goal this objective measures.")
        return data


GoalFormSet = forms.formset_factory(GoalForm, extra=2, can_delete=True, max_num=30, validate_max=True)


def goals_from_formset(formset: Any) -> list[GoalData]:
    goals = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE") or not data.get("description"):
            continue
        goals.append(
            GoalData(
                description=data["description"],
                metric=data.get("metric") or "",
                target_value=data.get("target_value"),
                due_date=data.get("due_date"),
            )
        )
    return goals


class JoinForm(forms.Form):
    message = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why would you like to join? (optional)",
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class InvitationForm(forms.Form):
    email = forms.EmailField(
        required=False, help_text="Leave empty to create a shareable link instead of sending an email."
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)
    days = forms.IntegerField(min_value=1, max_value=90, initial=14, label="Valid for (days)")
    max_uses = forms.IntegerField(min_value=1, max_value=1000, initial=25, label="Uses (links only)")
