"""The interface every full-text backend implements, and what the backends share.

Callers give the user's query words (``words.tokens``) and SQL filters on ``search_searchdocument`` (alias ``d``,
``Filters``); a backend returns candidates ``(document id, text relevance)`` best first, and highlighted snippets
for a page of ids. A backend is chosen per database by ``backends.get_backend``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from practica.search.backends import index_statistics

FREQUENCY_BATCH = 100  # words whose document frequencies one query counts (document_frequencies)
# A query matching this many documents or more ranks only this many of them, the newest (SQLiteBackend._ranked);
# PostgreSQL ranks every match on an index of fewer documents (PostgresBackend._plan).
BROAD_MATCHES = 5000
# PostgreSQL text-search configurations a community may choose (its content's language).
TEXT_SEARCH_CONFIGS = {
    "simple", "arabic", "danish", "dutch", "english", "finnish", "french", "german", "greek", "hungarian",
    "indonesian", "irish", "italian", "lithuanian", "nepali", "norwegian", "portuguese", "romanian", "russian",
    "spanish", "swedish", "tamil", "turkish",
}


def text_search_config(language: str) -> str:
    language = (language or "").strip().lower()
    return language if language in TEXT_SEARCH_CONFIGS else "english"



@dataclass
class Filters:
    """SQL conditions on ``d`` (search_searchdocument) and their parameters."""

    where: list[str]
    params: list[Any]
    # The communities they let through (the viewer's readable ones, within those asked for): what the latent and
    # semantic neighbours are drawn from, without asking the database again.
    communities: list[int] = field(default_factory=list)


class Backend:
    def candidates(
        self, terms: list[str], filters: Filters, *, any_term: bool, limit: int, whole_words: bool = False
    ) -> list[tuple[int, float]]:
        """Documents matching all the words (or any, ``any_term``), best first. The last word also matches as a
        prefix (a query being typed) unless ``whole_words`` (a query made of a text's words: "log" must not find
        "logistics")."""
        raise NotImplementedError

    def count(self, terms: list[str], filters: Filters, *, any_term: bool, cap: int | None = None) -> int:
        """Documents that match and pass the filters, counted up to ``cap`` when given."""
        raise NotImplementedError

    def ordered(
        self, terms: list[str], filters: Filters, *, order: str, offset: int, limit: int, count_cap: int
    ) -> tuple[list[int], int]:
        """A page of the documents with all the words (the last also as a prefix) that pass the filters, newest
        first (``order="newest"``: by ``created_at``) or most voted first (``"votes"``, then newest); and how many
        there are, counted up to ``count_cap``."""
        raise NotImplementedError

    def word_counts(self, words: list[str], filters: Filters, *, cap: int) -> dict[str, int]:
        """Documents that pass the filters and have each of these whole words, each counted up to ``cap``, in one
        query ("did you mean": spelling.py). The words are letters only."""
        raise NotImplementedError

    def matches_at_least(self, terms: list[str], *, any_term: bool, threshold: int) -> bool:
        """Whether the words alone (no filters) may match ``threshold`` documents or more: an estimate from each
        word's document frequency (the documents with all of them are at most those of the rarest; with any of
        them, at least those of the commonest)."""
        if not terms or self.document_count() < threshold:
            return False
        frequencies = [self.document_frequency(t, cap=threshold) for t in terms]
        return (max(frequencies) if any_term else min(frequencies)) >= threshold

    def snippets(self, terms: list[str], ids: list[int]) -> dict[int, str]:
        raise NotImplementedError

    def optimize(self) -> None:
        """After a rebuild: compact the full-text index (nothing to do where the database does it itself)."""

    def document_count(self) -> int:
        """Documents in the index (kept an hour)."""
        return index_statistics.cached(("", 0), self._document_count)

    def document_frequency(self, term: str, *, cap: int) -> int:
        """Documents with this word, counted up to ``cap`` (kept an hour: common words are asked again)."""
        found = index_statistics.cached((term, cap), lambda: self._document_frequency(term, cap))
        return min(found, cap)

    def document_frequencies(self, terms: list[str], *, cap: int) -> dict[str, int]:
        """``document_frequency`` of each word, the words not in the cache counted together (one query per
        ``FREQUENCY_BATCH`` of them instead of one each: "more like this" and related threads ask for up to 200
        words, and a thread's rare words are rarely in the cache)."""
        words = list(dict.fromkeys(terms))
        found = {word: index_statistics.get((word, cap)) for word in words}
        missing = [word for word, value in found.items() if value is None]
        for start in range(0, len(missing), FREQUENCY_BATCH):
            batch = missing[start : start + FREQUENCY_BATCH]
            for word, value in self._document_frequencies(batch, cap).items():
                index_statistics.put((word, cap), value)
                found[word] = value
        return {word: min(int(value or 0), cap) for word, value in found.items()}

    def _document_frequencies(self, terms: list[str], cap: int) -> dict[str, int]:
        return {term: self._document_frequency(term, cap) for term in terms}

    def _document_count(self) -> int:
        raise NotImplementedError

    def _document_frequency(self, term: str, cap: int) -> int:
        raise NotImplementedError


# Orders of ``Backend.ordered``: the index each walks (models.SearchDocument.Meta) and its columns, each sorted
# descending, then the document id.
ORDER_INDEXES = {
    "newest": ("search_doc_created", ("created_at",)),
    "votes": ("search_doc_votes", ("votes", "created_at")),
}


def order_by_clause(columns: tuple[str, ...], *, along_index: bool = True) -> str:
    """``ORDER BY`` of ``Backend.ordered``; ``along_index=False`` writes each column as an expression (``+ 0``)
    that no index provides, so that PostgreSQL sorts the matches it found rather than walking the index."""
    if along_index:
        return ", ".join([*(f"d.{column} DESC" for column in columns), "d.id DESC"])
    plain = {"created_at": "d.created_at + interval '0 seconds'"}
    return ", ".join([*(f"{plain.get(column, f'd.{column} + 0')} DESC" for column in columns), "d.id + 0 DESC"])


def scalar(sql: str, params: list[Any]) -> Any:
    """The first column of the first row of a query."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]
