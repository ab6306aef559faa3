"""Indexing is an idempotent upsert: two indexers of one document never fail on ``search_document_unique``, the
full-text index follows the document, and a failure to index never undoes the write ([P12] finding 4).

The same races through a real server with several processes: practica/discussions/tests/test_concurrency.py."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions import services
from practica.discussions.models import Post
from practica.discussions.search import index_threads
from practica.events.services import event_create
from practica.lib.testing.content import answer, ask, published
from practica.lib.testing.factories import UserFactory
from practica.search import indexing
from practica.search.models import DocType, SearchDocument
from practica.search.tests.conftest import find, titles

pytestmark = pytest.mark.django_db


def _documents(doc_type: str, object_id: int) -> list[SearchDocument]:
    return list(SearchDocument.objects.filter(doc_type=doc_type, object_id=object_id))


def test_reindexing_a_thread_replaces_its_document_in_place(community: Community, member: User) -> None:
    thread = ask(community, member, "Flange leaks", body="The gasket is old.")
    index_threads([thread.pk])
    before = _documents(DocType.THREAD, thread.pk)
    Post.objects.filter(thread=thread).update(body_text="The bolts were never torqued.")

    index_threads([thread.pk])

    after = _documents(DocType.THREAD, thread.pk)
    assert [d.pk for d in after] == [d.pk for d in before]  # an upsert: the same row, updated
    assert "torqued" in after[0].body
    assert titles(find(member, "torqued")) == ["Flange leaks"]  # the full-text index followed the update
    assert find(member, "gasket").hits == []


def test_a_document_written_meanwhile_by_another_indexer_is_overwritten_not_a_unique_violation(
    community: Community, member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = ask(community, member, "Pump cavitation", body="Suction pressure too low.")
    real_write = indexing.bulk_upsert

    def another_indexer_commits_first(*args: Any, **kwargs: Any) -> int:
        # What another request's indexer wrote just before this one's write: before the fix, a 500.
        SearchDocument.objects.create(doc_type=DocType.THREAD, object_id=thread.pk, title="Stale title", url="/x/")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(indexing, "bulk_upsert", another_indexer_commits_first)
    index_threads([thread.pk])

    assert [d.title for d in _documents(DocType.THREAD, thread.pk)] == ["Pump cavitation"]
    assert titles(find(member, "cavitation")) == ["Pump cavitation"]
    assert find(member, "stale").hits == []


def test_people_knowledge_and_events_are_upserted_too(community: Community, member: User, owner: User) -> None:
    person = UserFactory.create(username="reindexed")
    item = published(community, member, owner)
    start = timezone.now() + timedelta(days=3)
    event = event_create(
        community=community, organiser=owner, title="Flange clinic", start=start.replace(tzinfo=None),
        end=(start + timedelta(hours=1)).replace(tzinfo=None), timezone_name="UTC",
    )
    for doc_type, object_id, index in (
        (DocType.PERSON, person.pk, lambda ids: indexing.index_documents(DocType.PERSON, ids)),
        (DocType.KNOWLEDGE, item.pk, lambda ids: indexing.index_documents(DocType.KNOWLEDGE, ids)),
        (DocType.EVENT, event.pk, lambda ids: indexing.index_documents(DocType.EVENT, ids)),
    ):
        SearchDocument.objects.filter(doc_type=doc_type, object_id=object_id).delete()
        SearchDocument.objects.create(doc_type=doc_type, object_id=object_id, title="Stale", url="/x/")
        index([object_id])
        index([object_id])
        documents = _documents(doc_type, object_id)
        assert len(documents) == 1 and documents[0].title != "Stale", doc_type


def test_a_thread_that_left_leaves_the_index(community: Community, member: User, owner: User) -> None:
    thread = ask(community, member, "Hidden soon", body="Plain.")
    index_threads([thread.pk])
    services.thread_moderate(thread=thread, actor=owner, action="hide")

    index_threads([thread.pk])

    assert _documents(DocType.THREAD, thread.pk) == []


def test_a_big_batch_inside_a_callers_transaction_is_written_even_if_a_document_exists(
    community: Community, member: User
) -> None:
    # A batch of COPY_ROWS or more goes through COPY on PostgreSQL; inside an import's transaction it takes no
    # per-document locks, and a document someone else wrote falls back to the upsert instead of failing.
    threads = [ask(community, member, f"Batch thread {n}", body="Plain.") for n in range(indexing.COPY_ROWS)]
    with transaction.atomic():
        index_threads([t.pk for t in threads])
        assert SearchDocument.objects.filter(doc_type=DocType.THREAD).count() == indexing.COPY_ROWS


def test_a_failure_to_index_is_logged_and_the_write_stands(
    community: Community, member: User, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    thread = ask(community, member, "Still answered", body="Plain.")

    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(indexing, "index_documents", broken)
    with (
        caplog.at_level(logging.ERROR, logger="practica.search.indexing"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        post = answer(thread, member, body="A reply that commits.")

    assert Post.objects.filter(pk=post.pk).exists()
    assert f"thread {thread.pk} was not reindexed" in caplog.text
    assert "rebuild_search_index" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_many_indexers_of_one_thread_at_once_never_fail(community: Community, member: User) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "the in-memory SQLite test database does not take writers from several threads; the SQLite race is "
            "covered through a real server in practica/discussions/tests/test_concurrency.py"
        )
    thread = ask(community, member, "Everyone replies at once", body="Plain.")
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def index_repeatedly() -> None:
        try:
            start.wait()
            for _ in range(10):
                index_threads([thread.pk])
        except BaseException as exc:  # every failure is reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=index_repeatedly) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    assert errors == []
    assert len(_documents(DocType.THREAD, thread.pk)) == 1
    assert titles(find(member, "replies")) == ["Everyone replies at once"]
