"""Search benchmark (issue 5): full-text search, related threads and expert finding on the issue-3 community.

The data are the discussions benchmark's (``bench/discussions.py``: 100,000 threads, 500,000 posts, 2,000 people,
fixed seeds) with one addition: the 18 Markdown templates its bodies come from share a few hundred words, so every
query would match most threads. ``vocabulary_text`` therefore gives each thread words of its own, drawn from a
list of 4,000 made-up words (site jargon: equipment, places, product names) with a Zipf distribution (the word of
rank r is drawn with probability ∝ 1/r): two in the title, those two and five more in a paragraph after the
opening post, and in each reply one of the thread's words and one more drawn afresh. The most common word ends
up in about three threads out of four, the 100th in about 1 %, the rarest in a few dozen: queries range from
"matches nearly everything" to "matches a handful".

Then:

1. ``rebuild`` times ``practica.search.indexing.rebuild`` (what ``rebuild_search_index`` runs) and reports
   documents per second; ``ANALYZE`` (PostgreSQL: ``VACUUM ANALYZE``) follows, before any timing.
2. ``measure`` times, signed in as an ordinary member of the community:
   * search, for a fixed, seeded set of 52 queries of 1 to 4 words (rare, mid, common made-up words, common
     English words of the templates, phrases from the titles, prefixes as typed, one with no match, two whole
     questions, four misspelled, for which the API and the page look for "did you mean"): the selector
     (``selectors.search``) called directly, ``GET /api/v1/search/?q=``, the page ``GET /search/?q=`` and its
     htmx partial (results as you type), and the API sorted by date and by votes (``&sort=newest|votes``);
   * related threads, ``GET /api/v1/threads/{id}/related/?limit=10`` for 50 seeded threads (the one with 200
     replies among them), and the selector directly;
   * expert finding, ``GET /api/v1/experts/?q=...&community=bench-practice`` for 30 seeded question texts, and
     ``find_experts`` directly.

   Each kind is warmed up with 5 untimed requests, then every item of its set is timed ``rounds`` times (in
   order, round after round); one more untimed pass records the SQL queries of each request.

With the semantic extra installed (run ``bench/run.py`` with the semantic virtualenv's Python), every search of
two words or more, related threads and expert finding also ask the sentence embeddings, and
``prepare_semantic`` first gives each thread that has none an embedding row. Those vectors are *random* unit
vectors (stamped a day back, model name ``bench: random``): computing real ones for 100,000 threads takes hours
on two cores (about 15–30 threads/s), and what is timed here — the query's embedding by the real model, the
in-process index (its load, its refresh after one thread changes, the matrix product over every row) and the
fusions — does not depend on the vectors' values. Their quality is measured on real data in docs/quality.md.
Each query is embedded afresh (the cache of recent query texts, ``semantic.embed_query``, is bypassed): the
worst case, a text never seen before.

Run it with ``bench/run.py --only search`` (see there and docs/benchmarks.md).
"""

from __future__ import annotations

import cProfile
import gc
import io
import math
import pstats
import random
import re
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlsplit

from bench import discussions

SLUG = discussions.SLUG
SEED = 5
VOCABULARY_SIZE = 4000
ZIPF_S = 1.0
OPENING_EXTRA_WORDS = 5
MARKER = "Site terms:"  # starts the paragraph added to each opening post (how a reused database is recognised)
TARGETS_MS = {"search": (30.0, 100.0), "related": (50.0, None), "experts": (200.0, None)}  # (median, p95)
SECTION = "## Search (issue 5)"
ENTRIES_MARKER = "<!-- bench/run.py adds each new search run below this line, newest first. -->"

_ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "t", "v", "z", "br", "dr", "gr", "kr", "tr", "st", "pl", "sh"]
_VOWELS = ["a", "i", "o", "u", "e", "ai", "au"]
_CODAS = ["", "", "", "n", "r", "l", "k", "m", "x"]
_FINAL_VOWELS = ["a", "i", "o", "u"]
_FINAL_CODAS = ["", "", "k", "m", "x", "p", "n"]


# --- Vocabulary ------------------------------------------------------------------------------------------


def vocabulary(size: int = VOCABULARY_SIZE, seed: int = SEED) -> list[str]:
    """``size`` distinct made-up words, most frequent first (rank order), from a fixed seed.

    Endings that stemmers strip or fold (-s, -e, -y, -ed, -ing, -al, -er, -ic, -ent...) are avoided, so each word
    is its own stem in FTS5's porter tokenizer and PostgreSQL's english configuration alike.
    """
    rng = random.Random(seed)
    words: dict[str, None] = {}
    while len(words) < size:
        syllables = [rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(rng.choice([1, 1, 2]))]
        syllables.append(rng.choice(_ONSETS) + rng.choice(_FINAL_VOWELS) + rng.choice(_FINAL_CODAS))
        word = "".join(syllables)
        if 4 <= len(word) <= 11:
            words.setdefault(word, None)
    return list(words)


class Zipf:
    """Draws words of a ranked list with probability ∝ 1 / rank^s."""

    def __init__(self, words: list[str], rng: random.Random, s: float = ZIPF_S) -> None:
        self.words, self.rng = words, rng
        total, self.cum = 0.0, []
        for rank in range(1, len(words) + 1):
            total += 1 / rank**s
            self.cum.append(total)

    def draw(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=k)


def vocabulary_text(plan: discussions.Plan) -> discussions.ExtraText:
    """The benchmark's varied words for the discussions data (see the module docstring); seeded, no database."""
    rng = random.Random(SEED)
    zipf = Zipf(vocabulary(), rng)
    n = len(plan.titles)
    thread_words: list[list[str]] = []
    titles: list[str] = []
    for i in range(n):
        own = list(dict.fromkeys(zipf.draw(2 + OPENING_EXTRA_WORDS)))
        thread_words.append(own)
        titles.append(f"{plan.titles[i]} ({own[0]} {own[1] if len(own) > 1 else own[0]})"[:200])
    extra: list[str] = []
    for post in plan.posts:
        own = thread_words[post.thread]
        if post.is_opening:
            extra.append(f"{MARKER} {', '.join(own)}.")
        else:
            extra.append(f"Also seen on the {rng.choice(own)} near the {zipf.draw(1)[0]}.")
    return discussions.ExtraText(titles=titles, post_words=lambda k, _post: extra[k])


def has_vocabulary(big_thread_id: int) -> bool:
    from practica.discussions.models import Post

    return Post.objects.filter(thread_id=big_thread_id, is_opening=True, body_text__contains=MARKER).exists()


# --- The sets of queries, threads and questions ------------------------------------------------------------

# Words every template shares (they match most threads) and phrases of the generated titles.
COMMON_ENGLISH = ["checklist", "procedure", "shift", "pressure", "crew", "register", "vendor", "standard"]
TITLE_PHRASES = ["casing wear", "pump seals", "alarm floods", "subsea valves", "heat exchanger fouling"]
PREFIXES = ["cas", "vibr", "pump se", "well integ"]
QUESTIONS = [
    "How do you inspect casing wear when the rig is on standby",
    "Why does our pump seals fail when the sensors disagree",
]


MISSPELLED = ["presure", "chekclist", "pump seels"]


@dataclass(frozen=True)
class Query:
    category: str
    text: str


def search_queries(seed: int = SEED) -> list[Query]:
    """52 queries of 1 to 4 words (two whole questions), mixing rare and common words and prefixes; four are
    misspelled."""
    rng = random.Random(seed + 1)
    words = vocabulary()
    rare = lambda: words[rng.randrange(1000, len(words))]  # noqa: E731 -- a few dozen threads each
    mid = lambda: words[rng.randrange(30, 300)]  # noqa: E731 -- hundreds to a few thousand threads
    common = lambda: words[rng.randrange(0, 10)]  # noqa: E731 -- ten thousand threads and more
    english = lambda: rng.choice(COMMON_ENGLISH)  # noqa: E731 -- most threads
    queries = [Query("1 word, rare", rare()) for _ in range(8)]
    queries += [Query("1 word, mid", mid()) for _ in range(5)]
    queries += [Query("1 word, common", common()) for _ in range(4)]
    queries += [Query("1 word, common English", w) for w in rng.sample(COMMON_ENGLISH, 4)]
    queries += [Query("2 words, rare + rare", f"{rare()} {rare()}") for _ in range(3)]
    queries += [Query("2 words, common + rare", f"{rng.choice([common, english])()} {rare()}") for _ in range(4)]
    queries += [Query("2 words, common + common", f"{common()} {english()}") for _ in range(3)]
    queries += [Query("2-3 words, title phrase", p) for p in rng.sample(TITLE_PHRASES, 3)]
    queries += [Query("3 words, mixed", f"{english()} {mid()} {rare()}") for _ in range(3)]
    queries += [Query("4 words, mixed", f"{common()} {english()} {mid()} {rare()}") for _ in range(3)]
    queries += [Query("prefix, as typed", p) for p in PREFIXES]
    queries += [Query("prefix, as typed", words[rng.randrange(0, 10)][:3])]
    queries += [Query("no match", "qqzzyx")]
    queries += [Query("whole question", q) for q in QUESTIONS]
    # Misspelled: no document has the words as typed, so "did you mean" looks for a spelling that finds some.
    dropped = mid()
    queries += [Query("misspelled (did you mean)", q) for q in MISSPELLED]
    queries += [Query("misspelled (did you mean)", dropped[:2] + dropped[3:])]
    return queries


def question_texts(count: int = 30, seed: int = SEED) -> list[str]:
    """Questions as someone would ask them: a title like the community's and a sentence with site words."""
    rng = random.Random(seed + 2)
    zipf = Zipf(vocabulary(), rng)
    texts = []
    for _ in range(count):
        title = rng.choice(discussions.QUESTION_TITLES).format(
            verb=rng.choice(discussions.VERBS), object=rng.choice(discussions.OBJECTS),
            situation=rng.choice(discussions.SITUATIONS), topic=rng.choice(discussions.TOPICS),
        )
        a, b = zipf.draw(2)
        texts.append(f"{title} We see it on the {a} and sometimes near the {b}; who has dealt with this before?")
    return texts


def related_thread_ids(big_thread_id: int, count: int = 50, seed: int = SEED) -> list[int]:
    """``count`` visible threads of the community, seeded, the one with 200 replies first."""
    from practica.discussions.models import Thread

    ids = sorted(
        Thread.objects.filter(community__slug=SLUG, deleted_at=None, is_hidden=False)
        .exclude(id=big_thread_id)
        .values_list("id", flat=True)
    )
    rng = random.Random(seed + 3)
    return [big_thread_id, *rng.sample(ids, count - 1)]


# --- Index rebuild ---------------------------------------------------------------------------------------


@dataclass
class Rebuild:
    seconds: float
    cpu_seconds: float
    counts: dict[str, int]
    index_size: str
    latent: Any = None  # latent.BuildReport of a second, separately timed build of the space

    @property
    def documents(self) -> int:
        return sum(self.counts.values())

    @property
    def per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else math.nan


@dataclass
class SemanticIndex:
    """The semantic extra's in-process index on the benchmark data (``prepare_semantic``)."""

    threads: int  # rows in the index
    filled: int  # rows this run wrote (random vectors)
    fill_seconds: float
    load_seconds: float  # the whole index read by a process that holds none
    megabytes: float  # its matrix in memory
    refresh_ms: float  # median of a read after one thread's embedding changed
    unchanged_ms: float  # median of a read when nothing changed
    query_ms: float  # median of one query text's embedding by the model


def prepare_semantic(*, log: Callable[[str], None] = print, samples: int = 20) -> SemanticIndex | None:
    """With the semantic extra, make sure every indexed thread has an embedding (random ones, see the module
    docstring) and time the index; None without the extra."""
    import datetime as dt

    import numpy as np
    from django.utils import timezone

    from practica.search import semantic
    from practica.search.models import DocType, SearchDocument, ThreadEmbedding

    if not semantic.available():
        return None
    started = time.perf_counter()
    have = set(ThreadEmbedding.objects.values_list("thread_id", flat=True))
    missing = [
        row for row in SearchDocument.objects.filter(doc_type=DocType.THREAD).values_list("object_id", "community_id")
        if row[0] not in have
    ]
    rng = np.random.default_rng(SEED)
    stamp = timezone.now() - dt.timedelta(days=1)
    for start in range(0, len(missing), 5000):
        chunk = missing[start : start + 5000]
        vectors = rng.standard_normal((len(chunk), semantic.DIMENSIONS)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        ThreadEmbedding.objects.bulk_create(
            ThreadEmbedding(
                thread_id=thread_id, community_id=community_id, model_name="bench: random", vector=vector.tobytes(),
                updated_at=stamp,
            )
            for (thread_id, community_id), vector in zip(chunk, vectors, strict=True)
        )
    # bulk_create stamps auto_now fields itself: give the rows the stamp of an index built a day ago.
    ThreadEmbedding.objects.filter(model_name="bench: random", updated_at__gt=stamp).update(updated_at=stamp)
    if missing:
        semantic.analyze_embeddings()  # as embed_threads does after a back-fill
    fill_seconds = time.perf_counter() - started
    if missing:
        log(f"  semantic extra: {len(missing):,} threads given a random embedding in {fill_seconds:.1f} s")
    semantic.EmbeddingIndex.invalidate()
    started = time.perf_counter()
    ids, _, matrix = semantic.EmbeddingIndex.get()
    load_seconds = time.perf_counter() - started
    unchanged, refresh = [], []
    thread_ids = [int(t) for t in ids[: samples]]
    for thread_id in thread_ids:
        started = time.perf_counter()
        semantic.EmbeddingIndex.get()
        unchanged.append(time.perf_counter() - started)
        ThreadEmbedding.objects.filter(thread_id=thread_id).update(updated_at=timezone.now())
        started = time.perf_counter()
        semantic.EmbeddingIndex.get()
        refresh.append(time.perf_counter() - started)
    ThreadEmbedding.objects.filter(thread_id__in=thread_ids).update(updated_at=stamp)
    semantic.embed(["warming the model up"])
    queries = []
    for text in question_texts(samples):
        started = time.perf_counter()
        semantic.embed([text])
        queries.append(time.perf_counter() - started)
    report = SemanticIndex(
        threads=len(ids), filled=len(missing), fill_seconds=fill_seconds, load_seconds=load_seconds,
        megabytes=matrix.nbytes / 2**20, refresh_ms=statistics.median(refresh) * 1000,
        unchanged_ms=statistics.median(unchanged) * 1000, query_ms=statistics.median(queries) * 1000,
    )
    log(
        f"  semantic index: {report.threads:,} threads loaded in {report.load_seconds:.2f} s ({report.megabytes:.0f} MB); "
        f"read with nothing new {report.unchanged_ms:.2f} ms, after one thread changed {report.refresh_ms:.2f} ms; "
        f"one query embedded {report.query_ms:.1f} ms"
    )
    return report


def rebuild(*, log: Callable[[str], None] = print) -> Rebuild:
    """``indexing.rebuild()``, timed (wall and this process's CPU), with progress every 20,000 threads."""
    from practica.search import indexing

    started, cpu0 = time.perf_counter(), time.process_time()
    last = [0]

    def progress(kind: str, done: int, total: int) -> None:
        if done - last[0] >= 20_000 or done == total:
            last[0] = done
            log(f"    {kind}: {done:,} / {total:,} ({time.perf_counter() - started:.0f} s)")

    counts = indexing.rebuild(progress=progress)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu0
    # The rebuild computed the latent space as its last step; once more on its own, to say what that step costs.
    from practica.search import latent

    space = latent.build()
    log(f"    latent space: {space.documents:,} threads, {space.words:,} words, {space.dimensions} dimensions, {space.seconds:.1f} s")
    return Rebuild(seconds=seconds, cpu_seconds=cpu, counts=counts, index_size=index_size(), latent=space)


def index_size() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_size_pretty(pg_total_relation_size('search_searchdocument')), "
                "pg_size_pretty(pg_relation_size('search_document_vector_gin'))"
            )
            table, gin = cursor.fetchone()
            return f"table with indexes {table}, of which the GIN index {gin}"
        try:
            cursor.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_fts%%' OR name LIKE 'search_searchdocument%%'"
            )
            total = cursor.fetchone()[0] or 0
            cursor.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_fts%%'")
            fts = cursor.fetchone()[0] or 0
            return f"{total / 1e6:,.0f} MB, of which the FTS5 index {fts / 1e6:,.0f} MB"
        except Exception:
            return "n/a"


# --- Measuring -------------------------------------------------------------------------------------------


@dataclass
class Sample:
    label: str  # the query, thread or question (shortened)
    category: str
    ms: float
    cpu_ms: float


@dataclass
class Series:
    """Every timed request of one endpoint."""

    name: str
    kind: str  # "search", "related" or "experts": which target applies
    how: str  # "API", "page", "selector"...
    example: str
    samples: list[Sample] = field(default_factory=list)
    queries: dict[str, int] = field(default_factory=dict)  # per label: SQL queries of one request
    sql_ms: dict[str, float] = field(default_factory=dict)
    captured: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    results: dict[str, int] = field(default_factory=dict)  # per label: how many results (search: the count)
    db_cpu_ms: float = math.nan  # PostgreSQL server process: mean CPU per timed request

    @property
    def times(self) -> list[float]:
        return [s.ms for s in self.samples]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        return percentile(self.times, 95)

    @property
    def cpu_median(self) -> float:
        return statistics.median(s.cpu_ms for s in self.samples)

    def target(self) -> tuple[float, float | None]:
        return TARGETS_MS.get(self.kind, (math.inf, None))

    def missed(self) -> list[str]:
        median, p95 = self.target()
        out = []
        if self.median > median:
            out.append(f"median {self.median:.1f} > {median:.0f} ms")
        if p95 is not None and self.p95 > p95:
            out.append(f"p95 {self.p95:.1f} > {p95:.0f} ms")
        return out


def percentile(values: Iterable[float], pct: float) -> float:
    """Nearest rank (p95 of 100 samples is the 95th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


class _BackendCPU:
    """CPU time of the PostgreSQL server process serving this connection (from /proc; same machine only)."""

    def __init__(self) -> None:
        from django.db import connection

        self.path: Path | None = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                path = Path(f"/proc/{cursor.fetchone()[0]}/stat")
            self.path = path if path.exists() else None
        self.tick_ms = 1000 / 100  # USER_HZ

    def read(self) -> float:
        if self.path is None:
            return math.nan
        try:
            fields = self.path.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return math.nan
        return (int(fields[11]) + int(fields[12])) * self.tick_ms  # utime, stime


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def run_series(
    series: Series,
    items: list[tuple[str, str, Any]],  # (label, category, argument)
    call: Callable[[Any], Any],
    *,
    warmup: int,
    rounds: int,
    count_results: Callable[[Any], int] | None = None,
    log: Callable[[str], None] = print,
) -> Series:
    """Warm up, time every item ``rounds`` times, then record each item's SQL queries (one untimed pass)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _, _, argument in (items * (1 + warmup // max(1, len(items))))[:warmup]:
        call(argument)
    backend_cpu = _BackendCPU()
    gc.collect()
    db0 = backend_cpu.read()
    for _ in range(rounds):
        for label, category, argument in items:
            c0, t0 = time.process_time(), time.perf_counter()
            call(argument)
            series.samples.append(
                Sample(label, category, (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000)
            )
    series.db_cpu_ms = (backend_cpu.read() - db0) / max(1, len(series.samples))
    for label, _, argument in items:
        with CaptureQueriesContext(connection) as capture:
            outcome = call(argument)
        captured = list(capture.captured_queries)
        series.queries[label] = len(captured)
        series.sql_ms[label] = sum(float(q["time"]) for q in captured) * 1000
        series.captured[label] = captured
        if count_results is not None:
            series.results[label] = count_results(outcome)
    log(
        f"  {series.name:44} median {series.median:7.1f} ms  p95 {series.p95:7.1f} ms  CPU {series.cpu_median:6.1f} ms"
        + (f"  DB CPU {series.db_cpu_ms:5.1f} ms" if not math.isnan(series.db_cpu_ms) else "")
        + f"  {statistics.median(series.queries.values()):.0f} queries"
        + (f"  ⚠ {', '.join(series.missed())}" if series.missed() else "")
    )
    return series


def _replies(n: int) -> str:
    return f"{n} repl{'y' if n == 1 else 'ies'}"


def _get(client: Any, url: str, **headers: Any) -> Any:
    response = client.get(url, **headers)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered HTTP {response.status_code}")
    return response


def measure(
    *, big_thread_id: int, warmup: int = 5, rounds: int = 2, only: set[str] | None = None,
    log: Callable[[str], None] = print,
) -> list[Series]:
    """Time search, related threads and experts (see the module docstring); returns one Series per endpoint."""
    from django.test import Client

    from practica.communities.models import Community, Membership, Role
    from practica.discovery.experts import find_experts
    from practica.discussions.models import Thread
    from practica.search import selectors

    member = (
        Membership.objects.filter(community__slug=SLUG, role=Role.MEMBER).select_related("user").order_by("user_id")[0].user
    )
    client = Client()
    client.force_login(member)
    community = Community.objects.get(slug=SLUG)
    queries = search_queries()
    search_items = [(q.text, q.category, q.text) for q in queries]
    series: list[Series] = []
    wanted = only or {"search", "related", "experts"}

    def api_count(response: Any) -> int:
        return int(response.json()["count"])

    from django.conf import settings

    from practica.search import semantic

    # Every query embedded afresh (the worst case: a text the process has not seen), see the module docstring.
    cached_embedding = semantic.embed_query
    semantic.embed_query = cached_embedding.__wrapped__

    try:
        if "search" in wanted:
            log(f"  search: {len(queries)} queries × {rounds} rounds")
            series.append(run_series(
                Series("Search, selector (selectors.search)", "search", "selector", "selectors.search(user=member, q=…)"),
                search_items, lambda q: selectors.search(user=member, q=q), warmup=warmup, rounds=rounds,
                count_results=lambda r: r.count, log=log,
            ))
            series.append(run_series(
                Series("Search, API", "search", "API", "/api/v1/search/?q=…"),
                search_items, lambda q: _get(client, f"/api/v1/search/?q={quote_plus(q)}"), warmup=warmup,
                rounds=rounds, count_results=api_count, log=log,
            ))
            series.append(run_series(
                Series("Search, page", "search", "page", "/search/?q=…"),
                search_items, lambda q: _get(client, f"/search/?q={quote_plus(q)}"), warmup=warmup, rounds=rounds,
                log=log,
            ))
            series.append(run_series(
                Series("Search, htmx partial (as you type)", "search", "page", "/search/?q=… with HX-Request"),
                search_items, lambda q: _get(client, f"/search/?q={quote_plus(q)}", HTTP_HX_REQUEST="true"),
                warmup=warmup, rounds=rounds, log=log,
            ))
            for order, label in (("newest", "newest first"), ("votes", "most votes first")):
                series.append(run_series(
                    Series(f"Search, API, {label}", "search", "API", f"/api/v1/search/?q=…&sort={order}"),
                    search_items, lambda q, order=order: _get(client, f"/api/v1/search/?q={quote_plus(q)}&sort={order}"),
                    warmup=warmup, rounds=rounds, count_results=api_count, log=log,
                ))
            # Whole questions as queries (3+ informative words): the full-text ranking and the latent space's nearest
            # threads, ordered by the learnt weights (rerank.py); and "asked already?" with the same questions. No
            # target of their own; the same questions with PRACTICA_LATENT=off say what the space and the order add.
            question_items = [(_short(t), "whole question", t) for t in question_texts(20)]
            for mode, label in (("auto", "with the latent space"), ("off", "latent space off")):
                settings.LATENT_SEARCH = mode
                series.append(run_series(
                    Series(f"Search, selector, whole questions, {label}", "questions", "selector", "selectors.search(user=member, q=question)"),
                    question_items, lambda q: selectors.search(user=member, q=q), warmup=warmup, rounds=rounds,
                    count_results=lambda r: r.count, log=log,
                ))
                series.append(run_series(
                    Series(f"Asked already?, selector, whole questions, {label}", "questions", "selector", "selectors.similar_questions(text=question, user=member)"),
                    question_items, lambda q: selectors.similar_questions(text=q, user=member), warmup=warmup, rounds=rounds,
                    count_results=len, log=log,
                ))
            settings.LATENT_SEARCH = "auto"
        if "related" in wanted:
            thread_ids = related_thread_ids(big_thread_id)
            threads = {t.id: t for t in Thread.objects.filter(id__in=thread_ids).select_related("community")}
            related_items = [
                (str(tid), _replies(threads[tid].reply_count), tid)
                for tid in thread_ids
            ]
            log(f"  related threads: {len(thread_ids)} threads × {rounds} rounds")
            series.append(run_series(
                Series("Related threads, selector", "related", "selector", "selectors.related_threads(limit=10)"),
                related_items, lambda tid: selectors.related_threads(thread=threads[tid], user=member, limit=10),
                warmup=warmup, rounds=rounds, count_results=len, log=log,
            ))
            series.append(run_series(
                Series("Related threads, API", "related", "API", "/api/v1/threads/{id}/related/?limit=10"),
                related_items, lambda tid: _get(client, f"/api/v1/threads/{tid}/related/?limit=10"),
                warmup=warmup, rounds=rounds, count_results=lambda r: len(r.json()), log=log,
            ))
        if "experts" in wanted:
            texts = question_texts()
            expert_items = [(_short(t), "question", t) for t in texts]
            log(f"  experts: {len(texts)} questions × {rounds} rounds")
            series.append(run_series(
                Series("Experts, selector (find_experts)", "experts", "selector", "find_experts(text=…, community=…)"),
                expert_items, lambda t: find_experts(text=t, community=community, viewer=member),
                warmup=warmup, rounds=rounds, count_results=len, log=log,
            ))
            series.append(run_series(
                Series("Experts, API", "experts", "API", f"/api/v1/experts/?q=…&community={SLUG}"),
                expert_items, lambda t: _get(client, f"/api/v1/experts/?q={quote_plus(t)}&community={SLUG}"),
                warmup=warmup, rounds=rounds, count_results=lambda r: len(r.json()), log=log,
            ))
    finally:  # the process's cache and setting back, whatever happened
        semantic.embed_query = cached_embedding
        settings.LATENT_SEARCH = "auto"
    return series


def by_category(series: Series) -> list[tuple[str, int, float, float, float, int]]:
    """(category, items, median ms, p95 ms, median SQL queries, median result count) per category, in order."""
    order: dict[str, list[Sample]] = {}
    for sample in series.samples:
        order.setdefault(sample.category, []).append(sample)
    rows = []
    for category, samples in order.items():
        labels = list(dict.fromkeys(s.label for s in samples))
        counts = [series.results[label] for label in labels if label in series.results]
        rows.append((
            category, len(labels), statistics.median(s.ms for s in samples), percentile((s.ms for s in samples), 95),
            statistics.median(series.queries.get(label, 0) for label in labels),
            int(statistics.median(counts)) if counts else -1,
        ))
    return rows


def slowest(series: Series, n: int = 5) -> list[tuple[str, str, float]]:
    """The ``n`` items with the highest median time: (label, category, median ms)."""
    per: dict[str, list[float]] = {}
    category: dict[str, str] = {}
    for s in series.samples:
        per.setdefault(s.label, []).append(s.ms)
        category[s.label] = s.category
    ranked = sorted(((label, category[label], statistics.median(v)) for label, v in per.items()), key=lambda r: -r[2])
    return ranked[:n]


def explain(series: list[Series], *, log: Callable[[str], None] = print, per_series: int = 2) -> None:
    """The plans of the slowest items' queries (EXPLAIN QUERY PLAN, or EXPLAIN ANALYZE on PostgreSQL)."""
    pages = []
    for s in series:
        for label, _, ms in slowest(s, per_series):
            pages.append(discussions.PageResult(
                name=f"{s.name} — {label} ({ms:.1f} ms median)", url=s.example, status="ok", captured=s.captured[label],
            ))
    discussions.explain(pages, log=log)


def profile(*, big_thread_id: int, log: Callable[[str], None] = print, top: int = 30) -> None:
    """cProfile one pass of each selector over its set; prints the functions with the most cumulative time."""
    from practica.communities.models import Community, Membership, Role
    from practica.discovery.experts import find_experts
    from practica.discussions.models import Thread
    from practica.search import selectors

    member = (
        Membership.objects.filter(community__slug=SLUG, role=Role.MEMBER).select_related("user").order_by("user_id")[0].user
    )
    community = Community.objects.get(slug=SLUG)
    threads = list(Thread.objects.filter(id__in=related_thread_ids(big_thread_id)).select_related("community"))
    work = {
        "search": lambda: [selectors.search(user=member, q=q.text) for q in search_queries()],
        "related": lambda: [selectors.related_threads(thread=t, user=member, limit=10) for t in threads],
        "experts": lambda: [find_experts(text=t, community=community, viewer=member) for t in question_texts()],
    }
    for name, fn in work.items():
        profiler = cProfile.Profile()
        profiler.enable()
        fn()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
        log(f"\n=== cProfile: {name}\n" + re.sub(r"\n{2,}", "\n", out.getvalue()))


# --- Databases ---------------------------------------------------------------------------------------------


def ensure_postgres_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` if it does not exist (the role needs CREATEDB)."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"Refusing an unusual database name: {name!r}")
    try:
        psycopg.connect(url).close()
    except psycopg.OperationalError:
        from bench.importer import _pg_admin

        with _pg_admin(url) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        print(f"Created the database {name}")


# --- docs/benchmarks.md ---------------------------------------------------------------------------------

SECTION_INTRO = f"""{SECTION}

On the issue-3 community (`bench/discussions.py`: 100,000 threads, 500,000 posts, 2,000 people, among nine
small neighbours) with **varied words added for this benchmark**: the 18 body templates share a few hundred words,
so each thread also gets its own words, drawn with a Zipf distribution from 4,000 made-up words (two in the title,
seven in a paragraph after the opening post, two in each reply; see `bench/search.py`). Then
`practica.search.indexing.rebuild()` (what `rebuild_search_index` runs) is timed, `ANALYZE` (PostgreSQL:
`VACUUM ANALYZE`) runs, and, signed in as an ordinary member, these are timed:

- **search**: 50 fixed queries of 1–4 words (rare, mid and common made-up words, words every template has, title
  phrases, prefixes as typed, one without a match, two whole questions), through the selector, the API
  `GET /api/v1/search/?q=`, the page `GET /search/?q=` and its htmx partial;
- **related threads**: `GET /api/v1/threads/{{id}}/related/?limit=10` for 50 seeded threads (one with 200 replies);
- **experts**: `GET /api/v1/experts/?q=…&community=bench-practice` for 30 question texts (a title and a sentence).

**Targets (issue 5), on SQLite and on PostgreSQL: search median under 30 ms and p95 under 100 ms; related threads
under 50 ms; experts under 200 ms** (medians). Run it with:

```sh
.venv/bin/python bench/run.py --only search --write                 # SQLite, in a fresh temporary folder
.venv/bin/python bench/run.py --only search --write \\
    --database-url postgres://practica:practica@127.0.0.1:5432/practica_bench_search   # created if missing
.venv/bin/python bench/run.py --only search --scale 0.05            # a smoke run (not recorded)
.venv/bin/python bench/run.py --only search --reuse --explain --profile \\
    --var-dir /tmp/practica-search-bench                               # plans and cProfile, on a kept database
```

Each endpoint gets 5 untimed requests, then every query (thread, question) of its set is timed `--rounds` times;
"Queries" is the number of SQL queries of one request (median over the set, and the largest). "CPU" is the
benchmark process's CPU time per request (on SQLite that includes the SQL), "DB CPU" the PostgreSQL server
process's CPU time per request (mean, from `/proc`; the parallel workers a query may start are not counted).
The machines are shared and noisy: compare medians of runs made close together; p95 says how bad a hiccup gets.

{ENTRIES_MARKER}
"""


def entry(
    *, machine: dict[str, Any], build: Any, build_note: str, rebuilt: Rebuild | None, analyze_seconds: float,
    series: list[Series], rounds: int, warmup: int, note: str, semantic_index: SemanticIndex | None = None,
) -> str:
    from bench import report

    engine = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(machine["vendor"], machine["vendor"])
    analyze_name = "VACUUM ANALYZE" if machine["vendor"] == "postgresql" else "ANALYZE"
    lines = [
        f"### {machine['date']} · {engine} · commit {machine['commit']}",
        "",
        f"- Command: `{report.command_line()}`",
        f"- Machine: {machine['cpus']}, {machine['memory']} RAM, {machine['os']}; Python {machine['python']}, "
        f"Django {machine['django']}; load average (1/5/15 min) {machine['load_before']} before timing, "
        f"{machine['load_after']} after.",
        f"- Database: {machine['database']}; {machine['database_size']} with the index.",
        f"- Data: {build_note}",
    ]
    if rebuilt is not None:
        lines.append(
            f"- Index rebuild (`indexing.rebuild()`): **{rebuilt.seconds:.1f} s for {rebuilt.documents:,} documents, "
            f"{rebuilt.per_second:,.0f} documents/s** ("
            + ", ".join(f"{n:,} {k}" for k, n in rebuilt.counts.items())
            + f"; CPU of this process {rebuilt.cpu_seconds:.1f} s); index {rebuilt.index_size}; then {analyze_name} "
            f"{analyze_seconds:.1f} s."
        )
        if rebuilt.latent is not None and rebuilt.latent.documents:
            space = rebuilt.latent
            lines.append(
                f"- Latent space (`latent.build()`, the rebuild's last step, timed again on its own): "
                f"**{space.seconds:.1f} s** for {space.documents:,} threads, {space.words:,} words, {space.dimensions} "
                "dimensions (" + ", ".join(f"{k} {v:.1f} s" for k, v in space.stages.items()) + ")."
            )
    if semantic_index is not None:
        si = semantic_index
        lines.append(
            f"- **With the semantic extra** (all-MiniLM-L6-v2 on the CPU; searches of 3+ informative words, related "
            f"threads and experts ask it): {si.threads:,} thread embeddings — **random unit vectors**, not the model's (see "
            f"bench/search.py)"
            + (f", {si.filled:,} written by this run in {si.fill_seconds:.1f} s" if si.filled else "")
            + f". The in-process index: loaded whole in {si.load_seconds:.2f} s ({si.megabytes:.0f} MB of vectors); "
            f"read again with nothing new {si.unchanged_ms:.2f} ms, after one thread's embedding changed "
            f"{si.refresh_ms:.2f} ms (medians). One query embedded by the model: {si.query_ms:.1f} ms (median); "
            "every query below is embedded afresh."
        )
    lines += [
        "",
        "| Endpoint | Requests | Median (ms) | p95 (ms) | Max (ms) | CPU median (ms) | DB CPU (ms) | Queries (median / max) | SQL median (ms) | Target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in series:
        median_target, p95_target = s.target()
        target = f"median < {median_target:.0f}" + (f", p95 < {p95_target:.0f}" if p95_target else "")
        flag = " ⚠" if s.missed() else " ✓"
        if math.isinf(median_target):
            target, flag = "none (measured for comparison)", ""
        db_cpu = "-" if math.isnan(s.db_cpu_ms) else f"{s.db_cpu_ms:.1f}"
        lines.append(
            f"| {s.name}: `{s.example}` | {len(s.samples)} | {s.median:.1f} | {s.p95:.1f} | {max(s.times):.1f} "
            f"| {s.cpu_median:.1f} | {db_cpu} | {statistics.median(s.queries.values()):.0f} / {max(s.queries.values())} "
            f"| {statistics.median(s.sql_ms.values()):.1f} | {target}{flag} |"
        )
    api = next((s for s in series if s.name == "Search, API"), None)
    if api is not None:
        lines += [
            "",
            "Search API by kind of query (each query timed "
            f"{rounds}×; \"matches\" is the `count` the API answers, median over the kind's queries):",
            "",
            "| Queries | n | Median (ms) | p95 (ms) | SQL queries | Matches |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for category, n, median, p95, queries, matches in by_category(api):
            lines.append(f"| {category} | {n} | {median:.1f} | {p95:.1f} | {queries:.0f} | {matches:,} |")
        lines += ["", "Slowest (median of the rounds): " + "; ".join(
            f"`{label}` ({category}) {ms:.0f} ms" for label, category, ms in slowest(api, 5)
        ) + "."]
    for name in ("Related threads, API", "Experts, API"):
        s = next((x for x in series if x.name == name), None)
        if s is not None:
            lines += ["", f"{name}, slowest: " + "; ".join(
                f"`{label}` ({category}) {ms:.0f} ms" for label, category, ms in slowest(s, 3)
            ) + "."]
    lines += [
        "",
        f"Median and p95 (nearest rank) over all timed requests ({warmup} untimed first). ✓/⚠: the issue's target "
        "met or missed.",
    ]
    if note:
        lines += ["", f"Changes since the previous entry: {note}"]
    return "\n".join(lines) + "\n"


def write_results(text_entry: str) -> Path:
    """Add the entry under the search section of docs/benchmarks.md, newest first; keep everything else."""
    from bench import report

    doc = report.DOC
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    if SECTION not in text:
        text = text.rstrip("\n") + "\n\n" + SECTION_INTRO
    if ENTRIES_MARKER not in text:
        start = text.index(SECTION)
        following = text.find("\n## ", start + len(SECTION))
        end = len(text) if following == -1 else following + 1
        text = text[:end].rstrip("\n") + "\n\n" + ENTRIES_MARKER + "\n" + text[end:]
    text = text.replace(ENTRIES_MARKER + "\n", ENTRIES_MARKER + "\n\n" + text_entry + "\n", 1)
    text = re.sub(r"\n{3,}", "\n\n", text)
    doc.write_text(text)
    return doc
