"""The PostgreSQL backend: the ``vector`` tsvector column (filled by a trigger, with a GIN index) ranked with
``ts_rank_cd``, each document matched with its own language's text-search configuration."""

from __future__ import annotations

import json
import math
import time
from typing import Any

from django.db import connection

from practica.communities.models import Community
from practica.search.backends.base import (
    BROAD_MATCHES,
    ORDER_INDEXES,
    Backend,
    Filters,
    order_by_clause,
    scalar,
    text_search_config,
)
from practica.search.backends.snippets import MARK_END, MARK_START, highlight

# PostgreSQL: a query expected to match this many documents or more ranks this many of them, the newest
# (candidates). Lower than SQLite's BROAD_MATCHES: PostgreSQL tests the tsvector of each document it walks back
# through, and ranking costs more; for the 7-word OR queries of related threads on 100,000 threads, 1,000 took
# 20–70 ms per query (two per request), 2,000 60–140 ms, 500 about half of 1,000's.
PG_BROAD_MATCHES = 500
ESTIMATED_FROM = 1000  # PostgreSQL: a word in this many documents or more is not counted (_document_frequency)


class PostgresBackend(Backend):
    """``tsvector`` (title A, tags B, body C) with ``ts_rank_cd``; the query per document's language config."""

    _languages_memo: list[str] | None = None  # see _languages

    def _query(self, terms: list[str], any_term: bool, whole_words: bool = False) -> str:
        parts = list(terms)
        if parts and not whole_words:
            parts[-1] += ":*"
        return (" | " if any_term else " & ").join(parts)

    def _languages(self, filters: Filters) -> list[str]:
        """The text-search configurations documents may be indexed with: one OR branch each in the match.

        Every community's current language, English (people), and those in the index (refreshed every few
        minutes: a community whose language changed keeps its documents' old one until they are reindexed).
        More configurations than the filtered documents use change no result (the branch of one without
        documents matches nothing) and cost one more index probe; finding exactly which ones the filtered
        documents use meant reading every document, twice per search.

        Read once per backend object: a request takes one (``get_backend``) and matches up to four times with it
        (all the words, then some, each ranked and counted).
        """
        if self._languages_memo is None:
            languages = Community.objects.order_by().values_list("language", flat=True).distinct()
            configs = {text_search_config(lang) for lang in languages}
            self._languages_memo = sorted(configs | {"english"} | _indexed_languages())
        return self._languages_memo

    def _match(
        self, terms: list[str], filters: Filters, any_term: bool, whole_words: bool = False
    ) -> tuple[str, list[Any], str, list[Any]]:
        query = self._query(terms, any_term, whole_words)
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

    def candidates(
        self, terms: list[str], filters: Filters, *, any_term: bool, limit: int, whole_words: bool = False
    ) -> list[tuple[int, float]]:
        """The best ``limit`` documents that pass the filters, best first.

        A query the planner expects to match ``PG_BROAD_MATCHES`` documents or more ranks only the
        ``PG_BROAD_MATCHES`` most recently indexed of its matches (``SQLiteBackend._ranked`` does the same with
        ``BROAD_MATCHES``): ``ts_rank_cd`` decompresses and reads each match's tsvector, and over the 45,000
        matches of a common word on 100,000 threads that took half a second. Those are ranked with ``ts_rank``
        rather than ``ts_rank_cd`` (a quarter of the cost: about 8 µs instead of 33 per document for a 7-word OR
        query): the words of a broad query are common, so which of its newest matches has them closest together
        says little, and recency, votes and answers weigh in anyway (``selectors.rank``). Indexes under
        ``BROAD_MATCHES`` documents (those SQLite never limits either) never take this path.

        How the newest matches are found depends on how many there are (``_plan``): when they are dense, walking
        the primary key back from the newest document, testing each one's tsvector, stops soon; when they are
        sparser, the GIN index finds them all and only their ids are sorted. PostgreSQL's planner prefers the
        walk back either way (it does not count the cost of decompressing a tsvector), which for a query matching
        3 % of the documents meant testing 17,000 of them (40–160 ms instead of 18).
        """
        if not terms:
            return []
        match, match_params, rank, rank_params = self._match(terms, filters, any_term, whole_words)
        where = " AND ".join([match, *filters.where])
        plan = self._plan(where, [*match_params, *filters.params])
        if plan == "all":
            sql = f"SELECT d.id, {rank} AS rank FROM search_searchdocument d WHERE {where} ORDER BY rank DESC LIMIT %s"  # noqa: S608
            params = [*rank_params, *match_params, *filters.params, limit]
        else:
            newest = "d.id DESC" if plan == "dense" else "d.id + 0 DESC"  # "+ 0": not along the primary key
            subquery = f"SELECT d.id, d.vector, d.language FROM search_searchdocument d WHERE {where} ORDER BY {newest} LIMIT %s"  # noqa: S608
            cheaper = rank.replace("ts_rank_cd(", "ts_rank(", 1)
            sql = f"SELECT d.id, {cheaper} AS rank FROM ({subquery}) d ORDER BY rank DESC LIMIT %s"  # noqa: S608
            params = [*rank_params, *match_params, *filters.params, PG_BROAD_MATCHES, limit]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(row[0], float(row[1])) for row in cursor.fetchall()]

    def _plan(self, where: str, params: list[Any]) -> str:
        """"all" (rank every match), or the newest ``PG_BROAD_MATCHES`` found walking back ("dense") or through
        the GIN index ("sparse"), by the planner's estimate of the matches (one ``EXPLAIN``, about a millisecond).
        Walking back tests about ``PG_BROAD_MATCHES`` / share documents, the index reads every match, each about
        twice the cost (measured on 100,000 threads): the walk is cheaper above a share of
        √(``PG_BROAD_MATCHES`` / (2 × documents))."""
        total = self.document_count()
        if total < max(PG_BROAD_MATCHES, BROAD_MATCHES):  # small indexes rank every match, as on SQLite
            return "all"
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT d.id FROM search_searchdocument d WHERE {where}", params)  # noqa: S608
            explained = cursor.fetchone()[0]
        estimate = float((json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]["Plan Rows"])
        if estimate < PG_BROAD_MATCHES:
            return "all"
        return "dense" if estimate >= math.sqrt(PG_BROAD_MATCHES * total / 2) else "sparse"

    def count(self, terms: list[str], filters: Filters, *, any_term: bool, cap: int | None = None) -> int:
        if not terms:
            return 0
        match, match_params, _, _ = self._match(terms, filters, any_term)
        where = " AND ".join([match, *filters.where])
        params = [*match_params, *filters.params]
        with connection.cursor() as cursor:
            if cap is None:
                cursor.execute(f"SELECT count(*) FROM search_searchdocument d WHERE {where}", params)  # noqa: S608
            else:
                cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM search_searchdocument d WHERE {where} LIMIT %s) found", [*params, cap])  # noqa: S608
            return int(cursor.fetchone()[0])

    def ordered(
        self, terms: list[str], filters: Filters, *, order: str, offset: int, limit: int, count_cap: int
    ) -> tuple[list[int], int]:
        """Many matches (the planner's estimate, as ``candidates``): walk the order's index back, testing each
        document; fewer: find them all through the GIN index and sort them (``+ 0`` keeps the planner off the
        walk, which for a word it has no statistics for would test every document)."""
        if not terms:
            return [], 0
        _, columns = ORDER_INDEXES[order]
        match, match_params, _, _ = self._match(terms, filters, any_term=False)
        where = " AND ".join([match, *filters.where])
        params = [*match_params, *filters.params]
        order_by = order_by_clause(columns, along_index=self._plan(where, params) != "all")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.id FROM search_searchdocument d WHERE {where} ORDER BY {order_by} LIMIT %s OFFSET %s",  # noqa: S608
                [*params, limit, offset],
            )
            ids = [row[0] for row in cursor.fetchall()]
        return ids, self.count(terms, filters, any_term=False, cap=count_cap)

    def word_counts(self, words: list[str], filters: Filters, *, cap: int) -> dict[str, int]:
        if not words:
            return {}
        languages = self._languages(filters)
        match = " OR ".join(
            f"(d.language = %s AND d.vector @@ to_tsquery('{lang}'::regconfig, w.word))" for lang in languages
        )
        where = " AND ".join([f"({match})", *filters.where])
        sql = (
            "SELECT w.word, (SELECT count(*) FROM (SELECT 1 FROM search_searchdocument d "  # noqa: S608
            f"WHERE {where} LIMIT %s) s) FROM unnest(%s::text[]) AS w(word)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*languages, *filters.params, cap, list(words)])
            return {word: int(found) for word, found in cursor.fetchall()}

    def _document_count(self) -> int:
        return int(scalar("SELECT count(*) FROM search_searchdocument", []))

    def _document_frequency(self, term: str, cap: int) -> int:
        return self._document_frequencies([term], cap)[term]

    def _document_frequencies(self, terms: list[str], cap: int) -> dict[str, int]:
        """Documents with each word, counted up to ``cap`` — or estimated, for a word the table's statistics say
        is common (``_estimated_frequencies``): in over 1.25 × ``cap`` documents (then ``cap``, a margin well
        beyond the sample's error) or in ``ESTIMATED_FROM`` or more. Counting a common word read thousands of rows
        (50–250 ms on 100,000 threads), and "more like this" asks for dozens of words; an idf from an estimate a
        few percent off ranks the same. Only with one text-search configuration in use (the statistics do not say
        which configuration a document was indexed with). The words are estimated in one query and the others
        counted in one more (a counting subquery per word, each through the GIN index)."""
        if not terms:
            return {}
        languages = self._languages(Filters(where=[], params=[]))
        found: dict[str, int] = {}
        if len(languages) == 1:
            for term, estimate in self._estimated_frequencies(terms, languages[0]).items():
                if estimate > 1.25 * cap or estimate >= ESTIMATED_FROM:
                    found[term] = min(estimate, cap)
        to_count = [term for term in terms if term not in found]
        if to_count:
            found.update(self.word_counts(to_count, Filters(where=[], params=[]), cap=cap))
        return found

    def _estimated_frequencies(self, terms: list[str], language: str) -> dict[str, int]:
        """The documents with each word by ``ANALYZE``'s statistics of the tsvector column (its most common
        lexemes and the share of rows each is in; on a big table from a sample of 30,000 rows), for the words
        among them; none for a rarer word, a prefix, or a table without statistics (new, or small and never
        analysed)."""
        words = [term for term in terms if term and not term.endswith(":*")]
        common = _common_lexemes() if words else None
        if not common:
            return {}
        rows, shares = common
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT w.term, array(SELECT lexeme FROM unnest(to_tsvector(%s::regconfig, w.term))) "
                "FROM unnest(%s::text[]) AS w(term)",
                [language, words],
            )
            lexemes_of = {term: lexemes or [] for term, lexemes in cursor.fetchall()}
        return {
            term: round(shares[lexemes[0]] * rows)
            for term, lexemes in lexemes_of.items()
            if len(lexemes) == 1 and lexemes[0] in shares
        }

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


_LANGUAGES_TTL = 300.0
_languages_seen: dict[str, tuple[float, frozenset[str]]] = {}


def _indexed_languages() -> frozenset[str]:
    """The configurations of the documents in the index (PostgreSQL), read at most every few minutes."""
    key = connection.settings_dict["NAME"]
    now = time.monotonic()
    hit = _languages_seen.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT language FROM search_searchdocument")
        found = frozenset(text_search_config(row[0]) for row in cursor.fetchall())
    _languages_seen[key] = (now + _LANGUAGES_TTL, found)
    return found


_common_seen: dict[str, tuple[float, tuple[float, dict[str, float]] | None]] = {}


def _common_lexemes() -> tuple[float, dict[str, float]] | None:
    """PostgreSQL: the table's estimated row count and its most common lexemes with the share of rows each is in
    (``pg_stats``, filled by ``ANALYZE``), read at most every few minutes; None without statistics."""
    key = connection.settings_dict["NAME"]
    now = time.monotonic()
    hit = _common_seen.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    found: tuple[float, dict[str, float]] | None = None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs "
            "FROM pg_class c JOIN pg_stats s ON s.tablename = c.relname AND s.schemaname = current_schema() "
            "WHERE c.relname = 'search_searchdocument' AND c.relnamespace = current_schema()::regnamespace "
            "AND s.attname = 'vector'"
        )
        row = cursor.fetchone()
    if row and row[0] and row[0] > 0 and row[1] and row[2]:
        found = (float(row[0]), dict(zip(row[1], row[2], strict=False)))  # the last three shares are summaries
    _common_seen[key] = (now + _LANGUAGES_TTL, found)
    return found


def clear_caches() -> None:
    """Forget the configurations and common lexemes read from the database (tests: each builds another index)."""
    _languages_seen.clear()
    _common_seen.clear()
