"""The thread list's filters, parsed once for the page (``views.thread_list``) and the API (``ThreadViewSet``).

One django-filter ``FilterSet``: its form is the page's filter form, and DRF's ``DjangoFilterBackend`` answers 400
with the fields' errors when a query does not parse (the page then shows the list unfiltered). The filtering
itself is the selector's (``selectors.threads_filter``).
"""

from __future__ import annotations

import django_filters
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from practica.discussions import selectors
from practica.discussions.models import Thread, ThreadKind
from practica.lib.filters import FlagFilter
from practica.topics.filters import TopicFilter

STATUSES = [("unanswered", "Unanswered"), ("unsolved", "Unsolved"), ("solved", "Solved")]
SORT_CHOICES = [("activity", "Latest activity"), ("newest", "Newest"), ("votes", "Most votes")]


class ThreadFilterSet(django_filters.FilterSet):
    """``q`` (words in the title), ``kind``, ``tag`` (a topic slug or name), ``status``, ``mine`` and ``sort``."""

    q = django_filters.CharFilter(max_length=200, label="Title contains")
    kind = django_filters.ChoiceFilter(
        choices=[("", "All kinds"), *ThreadKind.choices], empty_label=None
    )
    tag = TopicFilter(help_text="a topic slug or name")
    status = django_filters.ChoiceFilter(choices=[("", "Any status"), *STATUSES], empty_label=None)
    mine = FlagFilter(label="Mine", help_text="only the caller's threads")
    sort = django_filters.ChoiceFilter(choices=SORT_CHOICES, empty_label=None)

    class Meta:
        model = Thread
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Thread]) -> QuerySet[Thread]:
        """Filter and sort through the selector; a query that does not parse filters nothing (the API has
        answered 400 before getting here)."""
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return selectors.threads_filter(
            queryset,
            user=getattr(self.request, "user", None) or AnonymousUser(),
            kind=data.get("kind") or "",
            tag=data.get("tag") or "",
            status=data.get("status") or "",
            mine=bool(data.get("mine")),
            sort=data.get("sort") or "activity",
            q=data.get("q") or "",
        )

    @property
    def qs(self) -> QuerySet[Thread]:
        # Unbound (a page without a query) is sorted and prepared for cards too, not the bare queryset.
        if not hasattr(self, "_qs"):
            self._qs = self.filter_queryset(self.queryset.all())
        return self._qs
