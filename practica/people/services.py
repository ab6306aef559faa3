"""Writes for profiles and organisations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from practica.accounts.models import User
from practica.lib.timezones import is_time_zone
from practica.people.models import Organization, Profile
from practica.people.permissions import may_edit_profile
from practica.people.search import person_changed
from practica.topics.services import parse_topic_names, topics_get_or_create

PROFILE_FIELDS = ("display_name", "discipline", "job_title", "location", "timezone", "bio")


def profile_ensure(*, user: User) -> Profile:
    """The person's profile, created empty on first need."""
    profile, _ = Profile.objects.get_or_create(user=user, defaults={"display_name": user.get_full_name()})
    return profile


def _validate_timezone(name: str) -> str:
    name = name.strip() or "UTC"
    if not is_time_zone(name):  # IANA names only: not localtime, Factory, posix/..., right/...
        raise ValidationError({"timezone": [f"“{name[:64]}” is not a known time zone (e.g. Europe/Oslo)."]})
    return name


def _clean_languages(languages: str | Iterable[str]) -> list[str]:
    items = languages.split(",") if isinstance(languages, str) else list(languages)
    cleaned: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValidationError({"languages": ["Languages must be text."]})
        item = " ".join(item.split())
        if len(item) > 40:
            raise ValidationError({"languages": ["A language name may have at most 40 characters."]})
        if item and item not in cleaned:
            cleaned.append(item)
    if len(cleaned) > 20:
        raise ValidationError({"languages": ["At most 20 languages."]})
    return cleaned


@transaction.atomic
def profile_update(
    *,
    profile: Profile,
    actor: User,
    expertise: str | Iterable[str] | None = None,
    languages: str | Iterable[str] | None = None,
    organization: Organization | str | None = "unchanged",
    **fields: Any,
) -> Profile:
    """Update a profile. People edit only their own (network admins may edit any)."""
    may_edit_profile.require(actor=actor, profile=profile)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError({"detail": [f"Unknown fields: {', '.join(sorted(unknown))}."]})
    for field, value in fields.items():
        value = value.strip() if isinstance(value, str) else value
        if field == "timezone":
            value = _validate_timezone(value)
        setattr(profile, field, value)
    if languages is not None:
        profile.languages = _clean_languages(languages)
    if organization != "unchanged":
        profile.organization = organization if isinstance(organization, Organization) else None
    try:
        profile.full_clean(exclude=["user", "expertise"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    profile.save()
    if expertise is not None:
        try:
            names = parse_topic_names(expertise)
        except ValidationError as exc:
            raise ValidationError({"expertise": exc.messages}) from None
        profile.expertise.set(topics_get_or_create(names))
    person_changed(profile.user_id)
    return profile


def organization_get_or_create(*, name: str, kind: str = Organization.Kind.COMPANY) -> Organization:
    """The organisation with this name (case-insensitive), created when new."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"organization": ["Enter the organisation's name."]})
    if len(name) > 200:
        raise ValidationError({"organization": ["At most 200 characters."]})
    if kind not in Organization.Kind.values:
        raise ValidationError({"kind": [f"Unknown kind of organisation: {kind}."]})
    existing = Organization.objects.filter(name__iexact=name).first()
    if existing:
        return existing
    base = slugify(name)[:90] or "organisation"
    slug, n = base, 2
    while Organization.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return Organization.objects.create(name=name, slug=slug, kind=kind)
