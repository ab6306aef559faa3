"""The community directory's and a community's members' filters, each parsed once for the page
(``views.directory``, ``views.members``) and the API (``CommunityViewSet``'s and ``MemberViewSet``'s lists).

Each is a django-filter ``FilterSet``: its form is the page's filter form, and DRF's ``DjangoFilterBackend`` answers 400
with the fields' errors when a query does not parse (the page then shows the list unfiltered). The filtering
itself is the selectors' (``selectors.community_directory``, ``selectors.members_filter``).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from practica.communities import selectors
from practica.communities.models import Community, Membership, Role, Visibility
from practica.lib.filters import FlagFilter
from practica.topics.services import MAX_TOPIC_LENGTH


class DirectoryFilterSet(django_filters.FilterSet):
    """``q`` (words in the name, domain or a topic), ``topic`` (a topic slug), ``organization`` (an organisation
    slug), ``visibility`` and ``mine`` (only the caller's communities)."""

    q = django_filters.CharFilter(
        max_length=200, label="Search", help_text="words in the name, domain or a topic"
    )
    topic = django_filters.CharFilter(max_length=64, help_text="a topic slug")
    organization = django_filters.CharFilter(
        max_length=100, label="Organisation", help_text="an organisation slug"
    )
    visibility = django_filters.ChoiceFilter(
        choices=[("", "Any visibility"), *Visibility.choices], empty_label=None
    )
    mine = FlagFilter(label="Only mine", help_text="only the communities the caller is an active member of")

    class Meta:
        model = Community
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Community]) -> QuerySet[Community]:
        """The caller's directory, filtered by the selector (which also decides what the caller may see, so the
        queryset given is not narrowed further); a query that does not parse filters nothing (the API has
        answered 400 before getting here)."""
        data: dict[str, Any] = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return selectors.community_directory(
            user=getattr(self.request, "user", None) or AnonymousUser(),
            q=data.get("q") or "",
            topic=data.get("topic") or "",
            organization=data.get("organization") or "",
            visibility=data.get("visibility") or "",
            mine=bool(data.get("mine")),
        )

    @property
    def qs(self) -> QuerySet[Community]:
        # Unbound (a page without a query) is the whole directory, annotated and prefetched as the selector makes it.
        if not hasattr(self, "_qs"):
            self._qs = self.filter_queryset(self.queryset.all())
        return self._qs


class MemberFilterSet(django_filters.FilterSet):
    """``q`` (words in the name or job title), ``role``, ``organization`` (a slug or words of its name),
    ``discipline``, ``expertise`` (a topic slug or words of its name) and ``location``."""

    # No help texts: the page renders each field whole, and a help text would add ``aria-describedby`` to it.
    q = django_filters.CharFilter(max_length=100, label="Name")
    role = django_filters.ChoiceFilter(choices=[("", "Any role"), *Role.choices], empty_label=None, label="Role")
    organization = django_filters.CharFilter(max_length=100, label="Organisation")
    discipline = django_filters.CharFilter(max_length=100, label="Discipline")
    expertise = django_filters.CharFilter(max_length=MAX_TOPIC_LENGTH, label="Expertise")
    location = django_filters.CharFilter(max_length=100, label="Location")

    class Meta:
        model = Membership
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Membership]) -> QuerySet[Membership]:
        """A community's members (``selectors.members_list``) narrowed by the selector; a query that does not parse
        filters nothing (the API has answered 400 before getting here)."""
        data: dict[str, Any] = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        keys = ("role", "organization", "discipline", "expertise", "location", "q")
        return selectors.members_filter(queryset, **{key: data.get(key) or "" for key in keys})
