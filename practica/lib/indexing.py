"""The search registry: what each app makes searchable, and how the search engine hears that it changed.

The search engine (``practica.search``) stands above accounts, people and communities and below the content
apps, so it may not import what it indexes, and the apps below it may not import it. Every app that has
searchable things therefore declares them here, on the lowest floor: an :class:`Index` per document type in
the app's own ``search.py``, registered (:func:`register`) in its ``AppConfig.ready()`` — as NetBox's search
registry and Wagtail's ``index.Indexed`` do. The engine connects itself (:func:`connect`) in its own
``ready()``; it rebuilds and reindexes through :func:`indexes`, and an app tells it that something changed with
:func:`changed` (a document) or :func:`community_changed` (a community's slug or language, in every document
of it). Nothing here knows a model, and nothing here indexes: the engine does, after the write commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, NamedTuple, Protocol


class Document(NamedTuple):
    """One searchable thing as its index builds it: plain values, no model instance (a rebuild or an import
    builds tens of thousands of them; see docs/benchmarks.md). The engine cuts the title and the body to the
    lengths it stores."""

    object_id: int
    community_id: int | None  # whoever may read this community may find it (None: everyone, as people)
    title: str
    body: str
    tags: str  # "slug name" of each topic, space-separated
    author_id: int | None
    kind: str
    created_at: dt.datetime
    url: str
    language: str  # the community's language: the engine picks its text-search configuration
    is_solved: bool = False
    votes: int = 0
    replies: int = 0
    author_trust: float = 0.0  # 0..1: how much the community vouches for the author
    external_id: str = ""


class Index:
    """What one app makes searchable: the documents of one type. Subclass it in the app's ``search.py`` and
    register an instance in its ``AppConfig.ready()``."""

    doc_type: ClassVar[str]  # one of practica.search.models.DocType's values
    plural: ClassVar[str]  # how a rebuild reports its count: "Indexed 12 threads, ..."
    rebuild_order: ClassVar[int]  # a rebuild indexes the types from the lowest (and reports them in that order)
    # Documents compared with each other (related threads, the latent space, the semantic extra's embeddings):
    # the engine keeps their most frequent words and places them in the latent space as they are indexed.
    similar: ClassVar[bool] = False

    def ids(self, *, community_id: int | None = None) -> Iterable[int]:
        """What a rebuild indexes (``community_id`` None), or every id of a community's documents, indexable or
        not (its slug or language changed: those that are not leave the index)."""
        raise NotImplementedError

    def prepare(self, *, community_id: int | None) -> Any:
        """What every batch of a rebuild (``community_id`` None) or of a community's reindex needs, computed once
        and handed to :meth:`documents` (None: each batch asks for its own)."""
        return None

    def documents(self, ids: Sequence[int], prepared: Any = None) -> list[Document]:
        """The documents of these ids that are searchable; the others leave the index."""
        raise NotImplementedError


class Engine(Protocol):
    """What the search engine offers the registry (``practica.search.indexing``)."""

    def changed(self, doc_type: str, object_id: int) -> None: ...

    def community_changed(self, community_id: int) -> None: ...


_indexes: dict[str, Index] = {}
_engine: Engine | None = None


def register(index: Index) -> Index:
    """Declare an app's index (from its ``AppConfig.ready()``); registering a type again replaces it."""
    _indexes[index.doc_type] = index
    return index


def indexes() -> list[Index]:
    """Every registered index, in rebuild order."""
    return sorted(_indexes.values(), key=lambda index: index.rebuild_order)


def index_of(doc_type: str) -> Index:
    """The index of a document type (KeyError when no app registered it)."""
    return _indexes[doc_type]


def connect(engine: Engine) -> None:
    """The search engine listens from its ``AppConfig.ready()``."""
    global _engine
    _engine = engine


def changed(doc_type: str, object_id: int) -> None:
    """A searchable thing changed (created, edited, deleted, hidden): the engine reindexes it when the current
    transaction commits (a rolled-back write never reaches the index)."""
    if _engine is not None:
        _engine.changed(doc_type, object_id)


def community_changed(community_id: int) -> None:
    """A community's slug (in every document's URL) or language (their text-search configuration) changed: the
    engine rebuilds its documents in the background once the transaction commits."""
    if _engine is not None:
        _engine.community_changed(community_id)


__all__ = ["Document", "Engine", "Index", "changed", "community_changed", "connect", "index_of", "indexes", "register"]
