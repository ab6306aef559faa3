"""The SQLite backend: FTS5 (the ``search_fts`` table, kept by the triggers of migration 0002) ranked with bm25."""

from __future__ import annotations

from typing import Any

from django.db import connection

from practica.search.backends.base import (
    BROAD_MATCHES,
    ORDER_INDEXES,
    Backend,
    Filters,
    order_by_clause,
    scalar,
)
from practica.search.backends.snippets import MARK_END, MARK_START, highlight

RANK_DEPTH = 4  # SQLite: documents ranked in the full-text index alone, per document asked for (see _ranked)


class SQLiteBackend(Backend):
    """FTS5 with bm25 (title weighted 10, tags 5, body 1), prefix match on the last word."""

    def _match(self, terms: list[str], any_term: bool, whole_words: bool = False) -> str:
        parts = [f'"{t}"' for t in terms]
        if parts and not whole_words:
            parts[-1] += "*"
        return (" OR " if any_term else " ").join(parts)

    def _sql(self, select: str, filters: Filters, tail: str = "") -> str:
        # CROSS JOIN keeps SQLite from scanning the documents and probing the index per row.
        where = " AND ".join(["search_fts MATCH %s", *filters.where])
        return f"SELECT {select} FROM search_fts CROSS JOIN search_searchdocument d ON d.id = search_fts.rowid WHERE {where} {tail}"  # noqa: S608 -- fixed SQL, values are parameters

    def candidates(
        self, terms: list[str], filters: Filters, *, any_term: bool, limit: int, whole_words: bool = False
    ) -> list[tuple[int, float]]:
        if not terms:
            return []
        if any_term and len(terms) > 1:
            informative = self._without_common(terms)
            if len(informative) < len(terms):
                found = self._ranked(informative, filters, any_term=True, limit=limit, whole_words=whole_words)
                if len(found) >= limit:
                    return found
        return self._ranked(terms, filters, any_term=any_term, limit=limit, whole_words=whole_words)

    def _ranked(
        self, terms: list[str], filters: Filters, *, any_term: bool, limit: int, whole_words: bool = False
    ) -> list[tuple[int, float]]:
        """The best ``limit`` documents that pass the filters, best first.

        First ranked in the full-text index alone (``RANK_DEPTH`` times as many as asked for), then only those are
        checked against the filters: joining every match to its document to filter it first read the whole row
        of each of tens of thousands of matches (the filtered columns come after the body), which cost as much as
        the ranking itself. When the filters leave too few of them, the filtered ranking runs as before. Either way
        the result is the filtered ranking's (documents with equal scores may come in another order).

        A query whose words are in ``BROAD_MATCHES`` documents or more ("site", "what" on a big site) ranks only
        the ``BROAD_MATCHES`` most recently indexed of its matches (FTS5 reads them newest first and stops):
        ranking all of them cost 150–200 ms on 100,000 threads, and such words say little about which is best
        (their idf is low), so recency, votes and answers decide the order anyway (``selectors.rank``).
        """
        match = self._match(terms, any_term, whole_words)
        depth = limit * RANK_DEPTH
        broad = self.matches_at_least(terms, any_term=any_term, threshold=BROAD_MATCHES)
        # A query matching a large part of the index ranks its BROAD_MATCHES most recently indexed matches only.
        newest = f"ORDER BY search_fts.rowid DESC LIMIT {BROAD_MATCHES}" if broad else ""
        with connection.cursor() as cursor:
            inner = f"SELECT rowid, bm25(search_fts, 10.0, 5.0, 1.0) AS rank FROM search_fts WHERE search_fts MATCH %s {newest}"  # noqa: S608
            ranked = f"SELECT rowid, rank FROM ({inner}) ORDER BY rank LIMIT %s"  # noqa: S608 -- fixed SQL, values are parameters
            cursor.execute(ranked, [match, depth])
            best = cursor.fetchall()
            every_match = len(best) < depth  # all the matches were ranked
            if best and filters.where:
                marks = ", ".join(["%s"] * len(best))
                where = " AND ".join([f"d.id IN ({marks})", *filters.where])
                cursor.execute(
                    f"SELECT d.id FROM search_searchdocument d WHERE {where}",  # noqa: S608
                    [*(row[0] for row in best), *filters.params],
                )
                allowed = {row[0] for row in cursor.fetchall()}
                best = [row for row in best if row[0] in allowed]
            if every_match or len(best) >= limit:
                return [(row[0], -float(row[1])) for row in best[:limit]]
            sql = self._sql("d.id, bm25(search_fts, 10.0, 5.0, 1.0) AS rank", filters, newest)
            cursor.execute(f"SELECT id, rank FROM ({sql}) ORDER BY rank LIMIT %s", [match, *filters.params, limit])  # noqa: S608
            return [(row[0], -float(row[1])) for row in cursor.fetchall()]

    def _without_common(self, terms: list[str]) -> list[str]:
        """The terms without those found in more than half of the documents (the last, a prefix, always stays).

        FTS5's bm25 gives such a term an idf of 1e-6 (it clamps log((N - n + 0.5) / (n + 0.5)) <= 0), so in an OR
        query it changes no document's score by more than a few millionths; but it makes the query match, and
        score, nearly every document ("the", "is" in a pasted question; a word every post of a site has). Without
        them the same documents come first (``candidates`` runs the full query when fewer than ``limit`` are left).
        """
        total = self.document_count()
        if total < 1000:  # small sites: nothing to gain
            return terms
        half = total // 2
        kept = [t for t in terms[:-1] if self.document_frequency(t, cap=half + 1) <= half]
        return kept + terms[-1:]

    def _document_count(self) -> int:
        return int(scalar("SELECT count(*) FROM search_fts_docsize", []))

    def optimize(self) -> None:
        """Merge the FTS5 index into one segment. Every document a rebuild deletes leaves a delete marker behind
        (the triggers of migration 0002), and FTS5 merges them away only gradually: after three rebuilds of
        100,000 threads the index had grown from 55 to 169 MB and search had slowed by about a quarter. Two
        seconds on that index."""
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")

    def _document_frequency(self, term: str, cap: int) -> int:
        return self._document_frequencies([term], cap)[term]

    def _document_frequencies(self, terms: list[str], cap: int) -> dict[str, int]:
        """One SELECT of a counting subquery per word."""
        if not terms:
            return {}
        one = "(SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH %s LIMIT %s))"
        params: list[Any] = [value for term in terms for value in (f'"{term}"', cap)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join([one] * len(terms)), params)  # fixed SQL, values are parameters
            row = cursor.fetchone()
        return {term: int(count) for term, count in zip(terms, row, strict=True)}

    def count(self, terms: list[str], filters: Filters, *, any_term: bool, cap: int | None = None) -> int:
        if not terms:
            return 0
        params = [self._match(terms, any_term), *filters.params]
        with connection.cursor() as cursor:
            if cap is None:
                cursor.execute(self._sql("count(*)", filters), params)
            else:
                cursor.execute(f"SELECT count(*) FROM ({self._sql('1', filters)} LIMIT %s)", [*params, cap])  # noqa: S608
            return int(cursor.fetchone()[0])

    def ordered(
        self, terms: list[str], filters: Filters, *, order: str, offset: int, limit: int, count_cap: int
    ) -> tuple[list[int], int]:
        """Walks the documents along the order's index, keeping those among the matches (the full-text index
        lists them once per query): 3–10 ms on 100,000 threads whatever the words. Sorting the matches instead
        read every match of a common word, 60–80 ms."""
        if not terms:
            return [], 0
        index, columns = ORDER_INDEXES[order]
        where = " AND ".join(["d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)", *filters.where])
        base = f"FROM search_searchdocument d INDEXED BY {index} WHERE {where}"
        params = [self._match(terms, any_term=False), *filters.params]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT d.id {base} ORDER BY {order_by_clause(columns)} LIMIT %s OFFSET %s", [*params, limit, offset])
            ids = [row[0] for row in cursor.fetchall()]
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 {base} LIMIT %s)", [*params, count_cap])  # noqa: S608
            return ids, int(cursor.fetchone()[0])

    def word_counts(self, words: list[str], filters: Filters, *, cap: int) -> dict[str, int]:
        if not words:
            return {}
        one = f"(SELECT count(*) FROM ({self._sql('1', filters)} LIMIT %s))"  # noqa: S608 -- fixed SQL, values are parameters
        phrases = ['"' + word.replace('"', '""') + '"' for word in words]  # an FTS5 string: quotes doubled
        params: list[Any] = [value for phrase in phrases for value in (phrase, *filters.params, cap)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join([one] * len(words)), params)  # fixed SQL, values are parameters
            row = cursor.fetchone()
        return {word: int(found) for word, found in zip(words, row, strict=True)}

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
