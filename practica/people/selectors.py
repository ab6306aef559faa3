"""Reads of people and organisations."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from practica.accounts.models import User
from practica.people.models import Organization, Profile
from practica.topics.models import Topic


def person_get(*, username: str) -> User:
    """A person by username (case-insensitive) with their profile; 404 when unknown or deactivated."""
    if "\x00" in username:  # no username has one, and PostgreSQL refuses to compare with it
        raise Http404("No such person.")
    user = (
        User.objects.filter(username__iexact=username, is_active=True)
        .select_related("profile", "profile__organization")
        .prefetch_related(Prefetch("profile__expertise", queryset=Topic.objects.order_by("name")))
        .first()
    )
    if user is None:
        raise Http404("No such person.")
    return user


def organizations_list() -> QuerySet[Organization]:
    return Organization.objects.annotate(
        people=Count("profiles", filter=Q(profiles__user__is_active=True), distinct=True)
    ).order_by("name")


def organization_get(*, slug: str) -> Organization:
    """An organisation by slug with its number of active people (``people``); 404 when unknown."""
    org = organizations_list().filter(slug=slug).first()
    if org is None:
        raise Http404("No such organisation.")
    return org


ORGANIZATION_PEOPLE_SHOWN = 200


def organization_people(*, organization: Organization) -> QuerySet[Profile]:
    """The organisation's active people by name, as many as its page shows (profiles are public)."""
    return (
        organization.profiles.filter(user__is_active=True)
        .select_related("user")
        .order_by("display_name")[:ORGANIZATION_PEOPLE_SHOWN]
    )

