"""A community's new slug or language reaches its search documents: their URLs carry the slug, and PostgreSQL indexes
them with the language's text-search configuration. Other edits leave the index alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from practica.accounts.models import User
from practica.communities import services as community_services
from practica.communities.models import Community
from practica.events import services as event_services
from practica.lib.testing.content import ask, published
from practica.search import indexing
from practica.search.models import DocType, SearchDocument
from practica.search.tests.conftest import find

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(community: Community, owner: User, member: User) -> dict[str, Any]:
    thread = ask(community, member, "Cement bond log reading", body="How to read the cement bond log?")
    item = published(community, member, owner, title="Cement bond log lessons")
    start = (timezone.now() + dt.timedelta(days=3)).replace(tzinfo=None, microsecond=0)
    event = event_services.event_create(
        community=community, organiser=owner, title="Cement bond log clinic", start=start,
        end=start + dt.timedelta(hours=1), timezone_name="Europe/Paris",
    )
    indexing.rebuild()
    return {DocType.THREAD: thread.pk, DocType.KNOWLEDGE: item.pk, DocType.EVENT: event.pk}


def _urls(community: Community) -> dict[str, str]:
    return dict(SearchDocument.objects.filter(community=community).values_list("doc_type", "url"))


def test_a_new_slug_reaches_every_search_result_of_the_community(
    community: Community, owner: User, member: User, indexed: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    old = community.slug
    assert all(f"/{old}/" in url for url in _urls(community).values()) and len(_urls(community)) == 3
    with django_capture_on_commit_callbacks(execute=True):
        community_services.community_update(community=community, actor=owner, slug="cement-evaluation")
    urls = _urls(community)
    assert set(urls) == {DocType.THREAD, DocType.KNOWLEDGE, DocType.EVENT}
    assert all("/cement-evaluation/" in url and f"/{old}/" not in url for url in urls.values()), urls
    hits = find(member, "cement bond log").hits
    assert len(hits) == 3 and all("/cement-evaluation/" in hit.url for hit in hits)


def test_a_new_language_reindexes_the_community_with_its_configuration(
    community: Community, owner: User, member: User, indexed: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    assert set(SearchDocument.objects.filter(community=community).values_list("language", flat=True)) == {"english"}
    with django_capture_on_commit_callbacks(execute=True):
        community_services.community_update(community=community, actor=owner, language="german")
    assert set(SearchDocument.objects.filter(community=community).values_list("language", flat=True)) == {"german"}
    assert len(find(member, "cement").hits) == 3


def test_other_edits_leave_the_search_documents_as_they_are(
    community: Community, owner: User, indexed: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    before = list(SearchDocument.objects.filter(community=community).order_by("id").values_list("id", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        community_services.community_update(community=community, actor=owner, name="Cement evaluation")
    after = list(SearchDocument.objects.filter(community=community).order_by("id").values_list("id", flat=True))
    assert after == before  # not rewritten (a reindex deletes and inserts)


def test_a_refused_slug_change_reindexes_nothing(
    community: Community, member: User, indexed: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    before = _urls(community)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        community_services.community_update(community=community, actor=member, slug="hijacked")
    assert _urls(community) == before
