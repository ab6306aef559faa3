"""The knowledge list's filters, parsed once for the page (``views.item_list``) and the API
(``api.views.KnowledgeListView``).

A django-filter ``FilterSet``: its form is the page's filter form; the API answers 400 with the fields' errors when
a query does not parse (the page then shows the list unfiltered). The filtering itself is the selector's
(``selectors.items_list``), which needs the community and the caller's access: both are given to the FilterSet.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from practica.communities.models import Community
from practica.communities.permissions import Access
from practica.knowledge import selectors
from practica.knowledge.forms import STATUS_FILTERS
from practica.knowledge.models import KnowledgeItem, KnowledgeKind
from practica.topics.filters import TopicFilter

SORT_CHOICES = [("updated", "Recently updated"), ("newest", "Newest"), ("helpful", "Most helpful"), ("title", "Title")]


class StatusField(django_filters.fields.ChoiceField):
    """The page's status menu; ``published`` (the API's name for the menu's first option, ``""``) is taken too."""

    def valid_value(self, value: Any) -> bool:
        return value == "published" or bool(super().valid_value(value))

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        return "" if value == "published" else value


class StatusFilter(django_filters.ChoiceFilter):
    field_class = StatusField


class ItemFilterSet(django_filters.FilterSet):
    """``q`` (words in the title, summary or body), ``kind``, ``tag`` (a topic slug or name), ``status``
    (published by default; ``archived``, ``in-review``, ``draft``, ``mine``) and ``sort``."""

    q = django_filters.CharFilter(max_length=200, label="Search")
    kind = django_filters.ChoiceFilter(choices=[("", "All kinds"), *KnowledgeKind.choices], empty_label=None)
    tag = TopicFilter()
    status = StatusFilter(choices=STATUS_FILTERS, empty_label=None)
    sort = django_filters.ChoiceFilter(choices=SORT_CHOICES, empty_label=None)

    class Meta:
        model = KnowledgeItem
        fields: list[str] = []

    def __init__(
        self, data: Any = None, queryset: QuerySet[KnowledgeItem] | None = None, *, community: Community,
        access: Access, **kwargs: Any,
    ) -> None:
        super().__init__(data, queryset if queryset is not None else KnowledgeItem.objects.none(), **kwargs)
        self.community, self.access = community, access

    def filter_queryset(self, queryset: QuerySet[KnowledgeItem]) -> QuerySet[KnowledgeItem]:
        """The community's items the caller may see, filtered and sorted by the selector (the queryset given is
        not narrowed further); a query that does not parse filters nothing (the API has answered 400)."""
        data: dict[str, Any] = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return selectors.items_list(
            community=self.community,
            access=self.access,
            kind=data.get("kind") or "",
            tag=data.get("tag") or "",
            status=data.get("status") or "",
            q=(data.get("q") or "").strip(),
            sort=data.get("sort") or "updated",
        )

    @property
    def qs(self) -> QuerySet[KnowledgeItem]:
        if not hasattr(self, "_qs"):
            self._qs = self.filter_queryset(self.queryset.all())
        return self._qs

