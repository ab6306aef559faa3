"""Full-text engines behind one interface: SQLite FTS5 and PostgreSQL full-text search.

Callers give the user's query text and SQL filters on ``search_searchdocument`` (alias ``d``); a backend
returns candidates ``(document id, text relevance)`` best first, and highlighted snippets for a page of ids.
User input never reaches the engine's query language as is: it is reduced to word tokens, each quoted.
"""

from __future__ import annotations

import html
import json
import math
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from practica.communities.models import Community

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


# Words too common to help find anything (they only slow an OR query down).
STOPWORDS = frozenset(
    "a about above after again all also am an and any are as at be been before being below between both but by "
    "can could did do does doing down during each few for from further had has have having he her here hers him "
    "his how i if in into is it its itself just me more most my no nor not now of off on once only or other our "
    "out over own same she should so some such than that the their them then there these they this those through "
    "to too under until up very was we were what when where which while who whom why will with would you your "
    "yours get got use using used one two way like know think want need question questions answer thanks".split()
)


def tokens(query: str, *, limit: int = MAX_TOKENS) -> list[str]:
    """Word tokens of a query: operators, quotes, brackets and punctuation are dropped."""
    return [t.lower() for t in TOKEN_RE.findall(query or "")][:limit]


def keywords(text: str, *, limit: int = 24) -> list[str]:
    """Distinct, non-trivial words of a longer text (a thread used as a query), in order."""
    seen: dict[str, None] = {}
    for token in TOKEN_RE.findall(text or ""):
        word = token.lower()
        if len(word) > 1 and word not in STOPWORDS and not word.isdigit():
            seen.setdefault(word, None)
        if len(seen) >= limit:
            break
    return list(seen)


def highlight(text: str) -> str:
    """HTML-escape a snippet, then turn the engine's markers into <mark>."""
    escaped = html.escape(text.replace(MARK_START, "\x00s").replace(MARK_END, "\x00e"))
    return escaped.replace("\x00s", "<mark>").replace("\x00e", "</mark>")


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
        return _cached(("", 0), self._document_count)

    def document_frequency(self, term: str, *, cap: int) -> int:
        """Documents with this word, counted up to ``cap`` (kept an hour: common words are asked again)."""
        found = _cached((term, cap), lambda: self._document_frequency(term, cap))
        return min(found, cap)

    def document_frequencies(self, terms: list[str], *, cap: int) -> dict[str, int]:
        """``document_frequency`` of each word, the words not in the cache counted together (one query per
        ``FREQUENCY_BATCH`` of them instead of one each: "more like this" and related threads ask for up to 200
        words, and a thread's rare words are rarely in the cache)."""
        words = list(dict.fromkeys(terms))
        found = {word: _cached_get((word, cap)) for word in words}
        missing = [word for word, value in found.items() if value is None]
        for start in range(0, len(missing), FREQUENCY_BATCH):
            batch = missing[start : start + FREQUENCY_BATCH]
            for word, value in self._document_frequencies(batch, cap).items():
                _cached_put((word, cap), value)
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


def _order_by(columns: tuple[str, ...], *, along_index: bool = True) -> str:
    """``ORDER BY`` of ``Backend.ordered``; ``along_index=False`` writes each column as an expression (``+ 0``)
    that no index provides, so that PostgreSQL sorts the matches it found rather than walking the index."""
    if along_index:
        return ", ".join([*(f"d.{column} DESC" for column in columns), "d.id DESC"])
    plain = {"created_at": "d.created_at + interval '0 seconds'"}
    return ", ".join([*(f"{plain.get(column, f'd.{column} + 0')} DESC" for column in columns), "d.id + 0 DESC"])
FREQUENCY_BATCH = 100  # words whose document frequencies one query counts (document_frequencies)
BROAD_MATCHES = 5000  # SQLite: a query matching more documents ranks this many of them (see _ranked)
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
        return int(_scalar("SELECT count(*) FROM search_fts_docsize", []))

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
            cursor.execute(f"SELECT d.id {base} ORDER BY {_order_by(columns)} LIMIT %s OFFSET %s", [*params, limit, offset])
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


# Index statistics (document count, document frequencies of words), kept an hour per process and database:
# counting the documents of a word most documents have reads its whole posting list, and the common words are
# the ones asked again and again.
_STATS_TTL = 3600.0
_STATS_MAX = 50_000
_stats: dict[tuple[str, str, int], tuple[float, int]] = {}
_stats_lock = threading.Lock()


def _cached(what: tuple[str, int], compute: Any) -> int:
    hit = _cached_get(what)
    if hit is not None:
        return hit
    value = int(compute())
    _cached_put(what, value)
    return value


def _cached_get(what: tuple[str, int]) -> int | None:
    hit = _stats.get((connection.settings_dict["NAME"], *what))
    return hit[1] if hit is not None and hit[0] > time.monotonic() else None


def _cached_put(what: tuple[str, int], value: int) -> None:
    with _stats_lock:
        if len(_stats) >= _STATS_MAX:
            _stats.clear()
        _stats[(connection.settings_dict["NAME"], *what)] = (time.monotonic() + _STATS_TTL, int(value))


def _scalar(sql: str, params: list[Any]) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


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
        order_by = _order_by(columns, along_index=self._plan(where, params) != "all")
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
        return int(_scalar("SELECT count(*) FROM search_searchdocument", []))

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


def get_backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    raise RuntimeError(f"No search backend for the {connection.vendor} database.")


def make_snippet(text: str, terms: list[str], *, width: int = 240) -> str:
    """An extract of the text around the densest run of query words, with those words marked (HTML-safe).

    Words match a term when they start with it, or share its first five letters (a light stand-in for
    stemming, so that "cementing" highlights "cement").
    """
    if not text:
        return ""
    stems = sorted({t[:5] if len(t) > 5 else t for t in terms if len(t) > 1 and t not in STOPWORDS}, key=len, reverse=True)
    head = text[:50_000]
    if not stems:
        return highlight(_cut(head, 0, width))
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)
    positions = [m.start() for m in pattern.finditer(head)]
    start = 0
    if positions:
        best, best_count, last = positions[0], 0, 0
        for first_index, first in enumerate(positions):  # sliding window over the hits, linear time
            last = max(last, first_index)
            while last + 1 < len(positions) and positions[last + 1] < first + width:
                last += 1
            if last - first_index + 1 > best_count:
                best, best_count = first, last - first_index + 1
        start = max(0, best - width // 4)
    extract = _cut(head, start, width + width // 4)
    return highlight(pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_END}", extract))


def _cut(text: str, start: int, length: int) -> str:
    """About ``length`` characters from ``start``, on word boundaries, with ellipses where cut."""
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 40 else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    extract = " ".join(text[start:end].split())
    return ("… " if start > 0 else "") + extract + (" …" if end < len(text) else "")
