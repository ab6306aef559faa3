"""Profile pages: who a person is, their communities and contributions; editing one's own."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from practica.lib.forms import add_service_errors
from practica.people import hooks, selectors, services
from practica.people.forms import ProfileForm


@require_GET
def profile(request: HttpRequest, username: str) -> HttpResponse:
    person = selectors.person_get(username=username)
    context = {
        "person": person,
        "profile": person.profile,
        "memberships": hooks.memberships(person=person, viewer=request.user),
        "is_me": request.user.is_authenticated and request.user.pk == person.pk,
        "contributions": hooks.contributions(person=person, viewer=request.user),
    }
    return render(request, "people/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = services.profile_ensure(user=request.user)  # type: ignore[arg-type]
    initial = {
        "display_name": profile.display_name,
        "organization": profile.organization.name if profile.organization else "",
        "discipline": profile.discipline,
        "job_title": profile.job_title,
        "location": profile.location,
        "timezone": profile.timezone or "UTC",
        "bio": profile.bio,
        "expertise": ", ".join(t.name for t in profile.expertise.order_by("name")),
        "languages": ", ".join(profile.languages or []),
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org_name = data["organization"].strip()
            organization = (
                services.organization_get_or_create(name=org_name, kind=data["organization_kind"] or "company")
                if org_name
                else None
            )
            services.profile_update(
                profile=profile,
                actor=request.user,  # type: ignore[arg-type]
                organization=organization,
                expertise=data["expertise"],
                languages=data["languages"],
                **{k: data[k] for k in ("display_name", "discipline", "job_title", "location", "timezone", "bio")},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            request.session["tz"] = profile.timezone
            messages.success(request, "Your profile is saved.")
            return redirect(reverse("people:profile", kwargs={"username": request.user.get_username()}))
    status = 400 if request.method == "POST" else 200
    return render(request, "people/profile_form.html", {"form": form}, status=status)


@require_GET
def organizations(request: HttpRequest) -> HttpResponse:
    return render(request, "people/organizations.html", {"organizations": selectors.organizations_list()})


@require_GET
def organization(request: HttpRequest, slug: str) -> HttpResponse:
    org = selectors.organization_get(slug=slug)
    communities = hooks.organization_communities(organization=org, viewer=request.user)
    people = selectors.organization_people(organization=org)
    return render(
        request, "people/organization.html", {"organization": org, "communities": communities, "people": people}
    )
