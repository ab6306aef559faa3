"""Atom feeds of a community's new threads and published knowledge: public communities at a plain URL,
any community one may read through a personal signed URL.

The feed knows no content model: each content app registers what it adds (:func:`register_source`) from its
``AppConfig.ready()``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET

from practica.communities.models import Community
from practica.notifications import selectors
from practica.notifications.services import absolute_url

FEED_ITEMS = 50


@dataclass
class FeedEntry:
    title: str
    url: str
    summary: str
    author: str
    published: datetime
    kind: str


# (the community, how many entries at most) -> its newest entries of one kind, newest first.
FeedSource = Callable[[Community, int], list[FeedEntry]]

_sources: dict[str, tuple[int, FeedSource]] = {}


def register_source(kind: str, source: FeedSource, *, order: int) -> None:
    """Declare what a content app adds to its communities' feeds (from its ``AppConfig.ready()``): the threads
    (``practica/discussions/notifications.py``), the published knowledge
    (``practica/knowledge/notifications.py``). Entries published at the same moment
    come in ``order``, lowest first. Registering a kind again replaces it."""
    _sources[kind] = (order, source)


def feed_entries(community: Community) -> list[FeedEntry]:
    """The newest entries of the community, of every registered kind (one query per kind)."""
    entries: list[FeedEntry] = []
    for _order, source in sorted(_sources.values(), key=lambda registered: registered[0]):
        entries.extend(source(community, FEED_ITEMS))
    entries.sort(key=lambda e: e.published, reverse=True)
    return entries[:FEED_ITEMS]


class CommunityFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Community:
        return kwargs["community"]  # type: ignore[no-any-return]

    def title(self, obj: Community) -> str:
        return f"{obj.name} · Practica"

    def link(self, obj: Community) -> str:
        return obj.get_absolute_url()

    def subtitle(self, obj: Community) -> str:
        return f"New threads and published knowledge in {obj.name}"

    def items(self, obj: Community) -> list[FeedEntry]:
        return feed_entries(obj)

    def item_title(self, item: FeedEntry) -> str:
        return item.title

    def item_description(self, item: FeedEntry) -> str:
        return item.summary

    def item_link(self, item: FeedEntry) -> str:
        return item.url

    def item_guid(self, item: FeedEntry) -> str:
        return absolute_url(item.url)

    def item_pubdate(self, item: FeedEntry) -> datetime:
        return item.published

    def item_author_name(self, item: FeedEntry) -> str:
        return item.author

    def item_categories(self, item: FeedEntry) -> list[str]:
        return [item.kind]


_feed = CommunityFeed()


@require_GET
def community_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """The public feed: only public communities (anyone may read them); others are 404 here."""
    from django.contrib.auth.models import AnonymousUser

    community = selectors.community_for_feed(slug=slug, user=AnonymousUser())
    return _feed(request, community=community)


@require_GET
def personal_feed(request: HttpRequest, token: str, slug: str) -> HttpResponse:
    """A feed reader's URL for a community the token's owner may read (private ones included)."""
    user = selectors.feed_user_from_token(token)
    community = selectors.community_for_feed(slug=slug, user=user)
    response = _feed(request, community=community)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
