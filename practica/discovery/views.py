"""Search, "Who knows about…?", similar questions while asking, and asking experts (routing)."""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from practica.accounts.models import User
from practica.accounts.ratelimit import rate_limited
from practica.communities.selectors import communities_readable_by, community_get_readable
from practica.discovery import services
from practica.discovery.experts import find_experts
from practica.discovery.forms import ExpertForm, SearchForm
from practica.discovery.knowledge_items import similar_knowledge
from practica.discussions.selectors import linked_threads, thread_get_for_user
from practica.lib.http import render_page, wants_partial
from practica.lib.ids import id_from
from practica.search import selectors

PAGE_SIZE = 20


class _Page:
    """Enough of a Paginator page for the shared pagination include."""

    def __init__(self, number: int, count: int, items: list[Any]) -> None:
        self.paginator = Paginator(range(count), PAGE_SIZE)
        self._page = self.paginator.get_page(number)
        self.number = self._page.number
        self.object_list = items

    def has_previous(self) -> bool:
        return self._page.has_previous()

    def has_next(self) -> bool:
        return self._page.has_next()

    def previous_page_number(self) -> int:
        return self._page.previous_page_number()

    def next_page_number(self) -> int:
        return self._page.next_page_number()


def run_search(
    user: Any, data: dict[str, Any], *, types: list[str] | None = None, page: int = 1, limit: int = PAGE_SIZE
) -> selectors.Results:
    """Search with the filters of the page and the API (community slug, author username, solved yes/no)."""
    community_ids = None
    if data.get("community"):
        community, _ = community_get_readable(slug=data["community"], user=user)
        community_ids = [community.id]
    author_id = None
    if data.get("author"):
        author = User.objects.filter(username__iexact=data["author"]).only("id").first()
        author_id = author.id if author else -1
    solved = {"yes": True, "no": False}.get(data.get("solved") or "")
    return selectors.search(
        user=user,
        q=data.get("q") or "",
        types=types or ([data["type"]] if data.get("type") else None),
        community_ids=community_ids,
        kind=data.get("kind") or "",
        tag=data.get("tag") or "",
        author_id=author_id,
        solved=solved,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        offset=(page - 1) * limit,
        limit=limit,
        suggest=True,
        sort=data.get("sort") or "relevance",
    )


@require_GET
@rate_limited("search", anonymous_scope="search-anonymous", methods=("GET",))
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    page = None
    if form.is_valid() and form.cleaned_data.get("q"):
        try:
            number = max(1, int(request.GET.get("page", "1")))
        except ValueError:
            number = 1
        # Pages stop where the ranked results do (``selectors.COUNT_CAP``): every page offered has results.
        number = min(number, math.ceil(selectors.COUNT_CAP / PAGE_SIZE))
        results = run_search(request.user, form.cleaned_data, page=number)
        page = _Page(number, results.count, results.hits)
    context = {
        "form": form,
        "results": results,
        "page": page,
        # Sorted lists hold only results with all the words; when there are none, the page offers the ranked search.
        "sorted_search": results is not None and form.cleaned_data.get("sort") in selectors.ORDERS,
        "communities": communities_readable_by(request.user).order_by("name"),
    }
    return render_page(request, "search/search.html", context, partial="search/_results.html")


@require_GET
@rate_limited("search", anonymous_scope="search-anonymous", methods=("GET",))
def experts_page(request: HttpRequest) -> HttpResponse:
    form = ExpertForm(request.GET or None)
    experts: list[Any] = []
    community = None
    readable = communities_readable_by(request.user).order_by("name")
    if form.is_valid() and form.cleaned_data.get("q"):
        slug = form.cleaned_data.get("community") or ""
        if slug:
            community, _ = community_get_readable(slug=slug, user=request.user)
            experts = find_experts(text=form.cleaned_data["q"], community=community, viewer=request.user)
    context = {
        "form": form,
        "experts": experts,
        "on_subject": [e for e in experts if e.on_subject],
        "active_only": [e for e in experts if not e.on_subject],
        "community": community,
        "communities": readable,
    }
    return render_page(request, "search/experts.html", context, partial="search/_experts.html")


@require_GET
def similar(request: HttpRequest, slug: str) -> HttpResponse:
    """Existing questions like the title being typed, and knowledge items that may answer it (htmx partial on the
    ask page)."""
    community, _ = community_get_readable(slug=slug, user=request.user)
    title = (request.GET.get("title") or "")[:300]
    hits, knowledge = [], []
    if len(title) >= 8:
        hits = selectors.similar_questions(text=title, user=request.user, community_ids=[community.id])
        knowledge = similar_knowledge(text=title, community=community)
    return render(request, "search/_similar.html", {"hits": hits, "knowledge": knowledge, "community": community})


@login_required
@require_POST
def ask_expert(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    thread, _ = thread_get_for_user(thread_id=thread_id, user=request.user, slug=slug)
    expert_id = id_from(request.POST.get("expert"))
    expert = User.objects.filter(id=expert_id, is_active=True).first() if expert_id else None
    if expert is None:
        raise Http404("No such person.")
    try:
        services.expert_request_create(thread=thread, actor=request.user, expert=expert)  # type: ignore[arg-type]
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"{expert.display_name} is asked to look at this question.")
    return redirect(thread.get_absolute_url())


RELATED_SHOWN = 8


@require_GET
def related(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    """Threads like this one (loaded into the thread page by htmx; a page of its own without JavaScript)."""
    thread, access = thread_get_for_user(thread_id=thread_id, user=request.user, slug=slug)
    # Inside the thread page, which lists its linked threads already, related threads are the others.
    shown = {t.pk for t in linked_threads(thread=thread, user=request.user).threads} if wants_partial(request) else set()
    hits = selectors.related_threads(thread=thread, user=request.user, limit=RELATED_SHOWN + len(shown))
    hits = [hit for hit in hits if hit.id not in shown][:RELATED_SHOWN]
    context = {"thread": thread, "community": thread.community, "access": access, "hits": hits}
    return render_page(request, "search/related.html", context, partial="search/_related.html")
