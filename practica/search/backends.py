"""Full-text engines behind one interface: SQLite FTS5 and PostgreSQL full-text search.

Callers give the user's query text and SQL filters on ``search_searchdocument`` (alias ``d``); a backend
returns candidates ``(document id, text relevance)`` best first, and highlighted snippets for a page of ids.
User input never reaches the engine's query language as is: it is reduced to word tokens, each quoted.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection

MARK_START, MARK_END = "\x02", "\x03"
MAX_TOKENS = 16
TOKEN_RE = re.compile(r"\w+", re.UNICODE)
# PostgreSQL text-search configurations a community may choose (its content's language).
TEXT_SEARCH_CONFIGS = {
    "simple", "arabic", "danish", "dutch", "english", "finnish", "french", "german", "greek", "hungarian",
    "indonesian", "irish", "italian", "lithuanian", "nepali", "norwegian", "portuguese", "romanian", "russian",
    "spanish", "swedish", "tamil", "turkish",
}


def text_search_config(language: str) -> str:
    language = (language or "").strip().lower()
    return language if language in TEXT_SEARCH_CONFIGS else "english"


def tokens(query: str) -> list[str]:
    """Word tokens of a query: operators, quotes, brackets and punctuation are dropped."""
    return [t.lower() for t in TOKEN_RE.findall(query or "")][:MAX_TOKENS]


def highlight(text: str) -> str:
    """HTML-escape a snippet, then turn the engine's markers into <mark>."""
    escaped = html.escape(text.replace(MARK_START, "\x00s").replace(MARK_END, "\x00e"))
    return escaped.replace("\x00s", "<mark>").replace("\x00e", "</mark>")


@dataclass
class Filters:
    """SQL conditions on ``d`` (search_searchdocument) and their parameters."""

    where: list[str]
    params: list[Any]


class Backend:
    def candidates(self, terms: list[str], filters: Filters, *, any_term: bool, limit: int) -> list[tuple[int, float]]:
        raise NotImplementedError

    def count(self, terms: list[str], filters: Filters, *, any_term: bool) -> int:
        raise NotImplementedError

    def snippets(self, terms: list[str], ids: list[int]) -> dict[int, str]:
        raise NotImplementedError


class SQLiteBackend(Backend):
    """FTS5 with bm25 (title weighted 10, tags 5, body 1), prefix match on the last word."""

    def _match(self, terms: list[str], any_term: bool) -> str:
        parts = [f'"{t}"' for t in terms]
        if parts:
            parts[-1] += "*"
        return (" OR " if any_term else " ").join(parts)

    def _sql(self, select: str, filters: Filters, tail: str = "") -> str:
        where = " AND ".join(["search_fts MATCH %s", *filters.where])
        return f"SELECT {select} FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid WHERE {where} {tail}"  # noqa: S608 -- fixed SQL, values are parameters

    def candidates(self, terms: list[str], filters: Filters, *, any_term: bool, limit: int) -> list[tuple[int, float]]:
        if not terms:
            return []
        sql = self._sql("d.id, bm25(search_fts, 10.0, 5.0, 1.0) AS rank", filters, "ORDER BY rank LIMIT %s")
        with connection.cursor() as cursor:
            cursor.execute(sql, [self._match(terms, any_term), *filters.params, limit])
            return [(row[0], -float(row[1])) for row in cursor.fetchall()]

    def count(self, terms: list[str], filters: Filters, *, any_term: bool) -> int:
        if not terms:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(self._sql("count(*)", filters), [self._match(terms, any_term), *filters.params])
            return int(cursor.fetchone()[0])

    def snippets(self, terms: list[str], ids: list[int]) -> dict[int, str]:
        if not terms or not ids:
            return {}
        marks = ", ".join(["%s"] * len(ids))
        sql = (
            f"SELECT rowid, snippet(search_fts, 2, %s, %s, '…', 28), snippet(search_fts, 0, %s, %s, '…', 28) "  # noqa: S608
            f"FROM search_fts WHERE search_fts MATCH %s AND rowid IN ({marks})"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [MARK_START, MARK_END, MARK_START, MARK_END, self._match(terms, any_term=True), *ids],
            )
            result = {}
            for rowid, body, title in cursor.fetchall():
                chosen = body if MARK_START in (body or "") else (title or body)
                result[rowid] = highlight(chosen or "")
            return result


class PostgresBackend(Backend):
    """``tsvector`` (title A, tags B, body C) with ``ts_rank_cd``; the query per document's language config."""

    def _query(self, terms: list[str], any_term: bool) -> str:
        parts = list(terms)
        if parts:
            parts[-1] += ":*"
        return (" | " if any_term else " & ").join(parts)

    def _languages(self, filters: Filters) -> list[str]:
        with connection.cursor() as cursor:
            where = " AND ".join(filters.where) or "TRUE"
            cursor.execute(f"SELECT DISTINCT d.language FROM search_searchdocument d WHERE {where}", filters.params)  # noqa: S608
            return [text_search_config(row[0]) for row in cursor.fetchall()] or ["english"]

    def _match(self, terms: list[str], filters: Filters, any_term: bool) -> tuple[str, list[Any], str, list[Any]]:
        query = self._query(terms, any_term)
        languages = self._languages(filters)
        # One condition per configuration keeps the GIN index usable.
        match = " OR ".join(
            f"(d.language = %s AND d.vector @@ to_tsquery('{lang}'::regconfig, %s))" for lang in languages
        )
        params: list[Any] = []
        for lang in languages:
            params += [lang, query]
        rank = "ts_rank_cd(d.vector, to_tsquery(d.language::regconfig, %s), 32)"
        return f"({match})", params, rank, [query]

    def candidates(self, terms: list[str], filters: Filters, *, any_term: bool, limit: int) -> list[tuple[int, float]]:
        if not terms:
            return []
        match, match_params, rank, rank_params = self._match(terms, filters, any_term)
        where = " AND ".join([match, *filters.where])
        sql = f"SELECT d.id, {rank} AS rank FROM search_searchdocument d WHERE {where} ORDER BY rank DESC LIMIT %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [*rank_params, *match_params, *filters.params, limit])
            return [(row[0], float(row[1])) for row in cursor.fetchall()]

    def count(self, terms: list[str], filters: Filters, *, any_term: bool) -> int:
        if not terms:
            return 0
        match, match_params, _, _ = self._match(terms, filters, any_term)
        where = " AND ".join([match, *filters.where])
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM search_searchdocument d WHERE {where}", [*match_params, *filters.params])  # noqa: S608
            return int(cursor.fetchone()[0])

    def snippets(self, terms: list[str], ids: list[int]) -> dict[int, str]:
        if not terms or not ids:
            return {}
        query = self._query(terms, any_term=True)
        marks = ", ".join(["%s"] * len(ids))
        options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=40, MinWords=15, MaxFragments=2, FragmentDelimiter=\" … \""
        sql = (
            "SELECT d.id, ts_headline(d.language::regconfig, left(d.body, 20000), "  # noqa: S608
            f"to_tsquery(d.language::regconfig, %s), %s) FROM search_searchdocument d WHERE d.id IN ({marks})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [query, options, *ids])
            return {row[0]: highlight(row[1] or "") for row in cursor.fetchall()}


def get_backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    raise RuntimeError(f"No search backend for the {connection.vendor} database.")
