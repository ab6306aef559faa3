"""The lifecycle stage's confirmation or override from the health page (``insights/_lifecycle.html``): a POST by
a coordinator (or a network admin) that sets the community's stage through the communities service, so the
change enters its history. Who may not read the community gets 404, who reads it but does not coordinate 403."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from practica.communities import permissions as community_permissions
from practica.communities import selectors as community_selectors
from practica.communities.models import Community, Stage
from practica.insights.lifecycle import lifecycle_panel, stage_set, suggest_stage
from practica.insights.metrics import community_health


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices)


def _health_page(community: Community) -> str:
    return reverse("insights:health", kwargs={"slug": community.slug})


@login_required
@require_POST
def stage(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = community_selectors.community_get_allowed(
        slug=slug, user=request.user, rule=community_permissions.EDIT_COMMUNITY
    )
    health = community_health(community=community)
    form = StageForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            updated = stage_set(
                community=community, actor=request.user,  # type: ignore[arg-type]
                stage=form.cleaned_data["stage"], suggestion=suggest_stage(community=community, health=health),
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"The stage is {Stage(updated.stage).label.lower()}.")
            return redirect(_health_page(updated))
    else:
        errors = [f"{message}" for message in form.errors.get("stage", [])]
    panel = lifecycle_panel(community=community, health=health, access=access, errors=errors)
    return render(request, "insights/lifecycle.html", {"community": community, "lifecycle": panel}, status=400)
