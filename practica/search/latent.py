"""Latent semantic search: threads near a question in a space learnt from the community's own words.

Full-text search finds the documents that contain a query's words. A question typed in full ("how do I keep
my qubits from decohering during a long circuit?") is often answered by a thread that says it with other words
("noise", "T2", "error mitigation"). Latent semantic analysis learns which words go together from the threads
themselves: the matrix of every thread's words (the counts ``SearchDocument.terms`` keeps, weighted
``(1 + log tf) · idf``, each row of length 1) is reduced by a truncated singular value decomposition to
``DIMENSIONS`` dimensions, ``A ≈ U Σ Vᵀ``. A word's place in the space is its row of ``V``; a thread's is its
row of ``A V`` (= ``U Σ``), of length 1; a query's is its weighted words times ``V``, and the nearest threads
are those with the largest cosine. Words that occur in the same threads end up close, so a query reaches
threads that share its meaning but not its words.

Searches of ``MIN_WORDS`` informative words or more, the "asked already?" list while asking and the similar
threads of expert finding fuse the threads nearest in this space with the full-text ranking (reciprocal rank
fusion, see ``selectors`` and ``experts``): measured on the Quantum Computing dump with a question's title as the
query, recall@10 0.45 → 0.52 and MRR 0.24 → 0.29 (docs/quality.md). Needs no model and no download: numpy and SciPy only.

The space is computed by :func:`build` (``build_latent_space``, ``rebuild_search_index``, an import) and
stored in the database (``LatentSpace``; ``ThreadLatent`` per thread). A thread indexed later is placed in the
existing space (:func:`fold_in`, a product of its words with ``V``) without recomputing it; run
``build_latent_space --if-stale`` from cron to recompute once the threads have changed by ``STALE_SHARE``.
Every process keeps the vectors in memory (4 bytes × ``DIMENSIONS`` per thread: 40 MB for 100,000 threads) and
reads only what changed since it last looked.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from practica.search import rerank
from practica.search import vectors as vector_index
from practica.search.models import DocType, LatentSpace, SearchDocument, ThreadLatent
from practica.search.similarity import parse_terms, unit_row, weighted_words

log = logging.getLogger(__name__)

DIMENSIONS = 100  # 50-200 measured within a point of each other (docs/quality.md); more costs memory and time
MIN_DOCUMENT_FREQUENCY = 2  # a word met in one thread only says nothing about which words go together
MAX_WORDS = 200_000  # the most widespread words are kept when a corpus has more (the projection's rows)
MIN_WORDS = 3  # informative words a query needs before its latent neighbours join the results
NEIGHBOURS = 100  # nearest threads fused with the full-text ranking
MIN_SIMILARITY = 0.25  # below this cosine a thread is not about the text (measured: see docs/quality.md)
STALE_SHARE = 0.1  # --if-stale rebuilds when the threads differ from the space's by this share
POWER_ITERATIONS = 4  # of the randomised SVD; its error on the 100 leading dimensions is then negligible
OVERSAMPLING = 20
REREAD_MARGIN = dt.timedelta(seconds=60)  # see LoadedSpace.get
GONE = -1  # the community of a thread that left the space, in memory (no community has this id)
_lock = threading.Lock()


@functools.cache
def _importable() -> bool:
    try:
        import numpy  # noqa: F401
        import scipy.sparse  # noqa: F401
    except ImportError:  # pragma: no cover - both are dependencies; a trimmed install may lack them
        return False
    return True


def available() -> bool:
    """True unless switched off (``PRACTICA_LATENT=off``) or numpy/SciPy are missing."""
    return getattr(settings, "LATENT_SEARCH", "auto") != "off" and _importable()


def min_documents() -> int:
    """Below this many threads there is no space: too few threads to learn which words go together."""
    return int(getattr(settings, "LATENT_MIN_DOCUMENTS", 50))


def informative_words(text: str) -> Counter[str]:
    """The words of a query or a question as the space weighs them (those of ``similarity.weighted_words``)."""
    return weighted_words(text, "", "")


# --- Building the space ----------------------------------------------------------------------------------


@dataclass
class BuildReport:
    documents: int = 0
    words: int = 0
    dimensions: int = 0
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)


def _thread_terms() -> Iterable[tuple[int, int, dict[str, int]]]:
    """(thread id, community id, word counts) of every thread document, read in chunks."""
    rows = (
        SearchDocument.objects.filter(doc_type=DocType.THREAD, community__isnull=False)
        .order_by("object_id")
        .values_list("object_id", "community_id", "terms")
    )
    for thread_id, community_id, terms in rows.iterator(chunk_size=2000):
        yield thread_id, community_id, parse_terms(terms)


def _truncated_svd(matrix: Any, k: int) -> tuple[Any, Any]:
    """The ``k`` leading singular values and right singular vectors (``Vᵀ``, k × words) of a sparse matrix.

    Small matrices are decomposed exactly; larger ones by the randomised range finder (Halko, Martinsson and
    Tropp, 2011: project on a random ``k + OVERSAMPLING`` columns, a few power iterations, then the exact SVD of
    the small projected matrix), seeded so that a build is repeatable."""
    import numpy as np

    rows, columns = matrix.shape
    if rows * columns <= 4_000_000:
        _, values, vt = np.linalg.svd(matrix.toarray(), full_matrices=False)
        return values[:k], vt[:k]
    rng = np.random.default_rng(0)
    width = min(k + OVERSAMPLING, rows, columns)
    basis, _ = np.linalg.qr(matrix @ rng.standard_normal((columns, width)).astype(np.float32))
    for _ in range(POWER_ITERATIONS):
        back, _ = np.linalg.qr(matrix.T @ basis)
        basis, _ = np.linalg.qr(matrix @ back)
    projected = (matrix.T @ basis).T  # width × words
    _, values, vt = np.linalg.svd(projected, full_matrices=False)
    return values[:k], vt[:k]


def build(*, dimensions: int = DIMENSIONS) -> BuildReport:
    """Compute the space from every thread document and place every thread in it (replacing the old space).

    Without enough threads (``LATENT_MIN_DOCUMENTS``) or words, any old space is removed and nothing is built:
    searches keep their full-text ranking."""
    report = BuildReport()
    started = last = time.monotonic()
    if not available():
        return report
    import numpy as np
    from scipy.sparse import csr_matrix

    def lap(stage: str) -> None:
        nonlocal last
        now = time.monotonic()
        report.stages[stage], last = now - last, now

    # Two passes over the documents (word frequencies, then the matrix) rather than holding every document's
    # words in memory: at 100,000 threads the counts alone would take gigabytes as Python objects.
    frequencies: Counter[str] = Counter()
    documents = 0
    for _thread, _community, counts in _thread_terms():
        frequencies.update(counts.keys())
        documents += 1
    kept = sorted(
        (word for word, n in frequencies.items() if n >= MIN_DOCUMENT_FREQUENCY), key=lambda w: (-frequencies[w], w)
    )[:MAX_WORDS]
    kept.sort()
    lap("words")
    if documents < max(min_documents(), 2) or len(kept) < 2:
        with transaction.atomic():
            LatentSpace.objects.all().delete()
        LoadedSpace.invalidate()
        report.seconds = time.monotonic() - started
        return report
    index = {word: i for i, word in enumerate(kept)}
    idf = np.array([math.log((documents + 1) / frequencies[w]) for w in kept], dtype=np.float32)
    frequencies.clear()
    threads: list[int] = []
    communities: list[int] = []
    pointers = [0]
    all_columns: list[int] = []
    all_values: list[float] = []
    for thread_id, community_id, counts in _thread_terms():
        columns, values = unit_row(counts, index, idf)
        if not values:
            continue
        threads.append(thread_id)
        communities.append(community_id)
        all_columns += columns
        all_values += values
        pointers.append(len(all_columns))
    matrix = csr_matrix(
        (np.asarray(all_values, dtype=np.float32), np.asarray(all_columns, dtype=np.int32), np.asarray(pointers, dtype=np.int64)),
        shape=(len(threads), len(kept)),
    )
    del all_columns, all_values
    lap("matrix")
    # A small corpus gets fewer dimensions (a fifth of its threads): as many as threads would only give back
    # the words themselves, and nothing learnt of which go together.
    k = max(1, min(dimensions, len(threads) // 5, min(matrix.shape) - 1))
    _, vt = _truncated_svd(matrix, k)
    projection = np.ascontiguousarray(vt.T, dtype=np.float32)  # words × k
    placed = np.asarray(matrix @ projection, dtype=np.float32)
    placed /= np.maximum(np.linalg.norm(placed, axis=1, keepdims=True), 1e-12)
    lap("svd")
    now = timezone.now()
    with transaction.atomic():
        # What the site learnt of the order of results (``learn_search_order``) outlives the space it was learnt in.
        previous = LatentSpace.objects.order_by("-id").values("order_weights", "order_learnt_at", "order_report").first()
        learnt: dict[str, Any] = dict(previous) if previous else {}
        ThreadLatent.objects.all().delete()
        LatentSpace.objects.all().delete()
        space = LatentSpace.objects.create(
            built_at=now, documents=len(threads), dimensions=k, words=json.dumps(kept, ensure_ascii=False),
            idf=idf.tobytes(), projection=projection.tobytes(), **learnt,
        )
        for start in range(0, len(threads), 2000):
            ThreadLatent.objects.bulk_create(
                [
                    ThreadLatent(thread_id=t, space=space, community_id=c, vector=placed[start + i].tobytes(), updated_at=now)
                    for i, (t, c) in enumerate(zip(threads[start : start + 2000], communities[start : start + 2000], strict=True))
                ]
            )
    lap("store")
    LoadedSpace.invalidate()
    report.documents, report.words, report.dimensions = len(threads), len(kept), k
    report.seconds = time.monotonic() - started
    return report


def is_stale() -> bool:
    """True when there is no space (and enough threads for one), or the threads placed in it since it was built
    (``fold_in``: new or edited) and those gone from it exceed ``STALE_SHARE`` of those it was built from."""
    space = LatentSpace.objects.order_by("-id").values("id", "documents", "built_at").first()
    if space is None:
        return SearchDocument.objects.filter(doc_type=DocType.THREAD, community__isnull=False).count() >= min_documents()
    placed = ThreadLatent.objects.filter(space_id=space["id"])
    # Threads asked, edited, deleted or hidden since the build (``fold_in`` and ``forget`` stamp their rows)...
    since = placed.filter(updated_at__gt=space["built_at"]).count()
    gone = max(0, space["documents"] - placed.count())  # ...and at least this many whose rows went with them
    return since + gone > STALE_SHARE * max(space["documents"], 1)


# --- The space in memory ---------------------------------------------------------------------------------


class LoadedSpace:
    """The newest space and every thread's vector, in memory; refreshed from the rows changed since last read."""

    space_id: int | None = None
    index: dict[str, int] = {}
    idf: Any = None
    projection: Any = None
    ids: Any = None
    communities: Any = None
    matrix: Any = None
    positions: dict[int, int] = {}
    seen: Any = None  # the newest ``updated_at`` read
    built_at: Any = None
    order_weights: tuple[float, ...] | None = None  # learnt by ``learn_search_order``; None: ``rerank.WEIGHTS``
    order_learnt_at: Any = None
    titles: dict[str, dict[int, float]] = {}  # titles' word vectors in this vocabulary (``rerank._title_vector``)

    @classmethod
    def invalidate(cls) -> None:
        with _lock:
            cls.space_id = None

    @classmethod
    def get(cls) -> type[LoadedSpace] | None:
        """This class, up to date, or None when there is no space."""
        import numpy as np

        if not available():
            return None
        newest = LatentSpace.objects.order_by("-id").values_list("id", "built_at", "order_learnt_at").first()
        with _lock:
            if newest is None:
                cls.space_id = None
                return None
            latest, built_at, learnt_at = newest
            # The build time too: a database emptied and filled again can give a new space an old id.
            if latest != cls.space_id or built_at != cls.built_at:
                row = (
                    LatentSpace.objects.filter(id=latest)
                    .values_list("dimensions", "words", "idf", "projection", "built_at", "order_weights", "order_learnt_at")
                    .first()
                )
                if row is None:  # replaced meanwhile: the next call loads the new one
                    return None
                dims, words, idf, projection, cls.built_at, order_weights, cls.order_learnt_at = row
                cls.order_weights = rerank.stored_weights(order_weights)
                cls.index = {word: i for i, word in enumerate(json.loads(words))}
                cls.idf = np.frombuffer(bytes(idf), dtype=np.float32)
                cls.projection = np.frombuffer(bytes(projection), dtype=np.float32).reshape(-1, dims)
                cls.ids = np.zeros(0, dtype=np.int64)
                cls.communities = np.zeros(0, dtype=np.int64)
                cls.matrix = np.zeros((0, dims), dtype=np.float32)
                cls.positions = {}
                cls.titles = {}
                cls.seen = None
                cls.space_id = latest
            if learnt_at != cls.order_learnt_at:  # learnt (or reset) since the space was read
                stored = LatentSpace.objects.filter(id=latest).values_list("order_weights", flat=True).first()
                cls.order_weights = rerank.stored_weights(stored or "")
                cls.order_learnt_at = learnt_at
            if cls.seen is None:
                rows = ThreadLatent.objects.filter(space_id=latest)
            else:
                # Rows placed since the build (a build's own rows carry its time) and since the newest read, less
                # a margin: a row is stamped before its transaction commits, perhaps after a newer one was read.
                # Along the index of ``updated_at`` (a build leaves no rows of another space behind).
                rows = ThreadLatent.objects.filter(updated_at__gt=max(cls.seen - REREAD_MARGIN, cls.built_at))
            cls._apply(
                [r[1:] for r in rows.values_list("space_id", "thread_id", "community_id", "vector", "updated_at") if r[0] == latest]
            )
            return cls

    @classmethod
    def _apply(cls, rows: list[tuple[int, int, Any, Any]]) -> None:
        import numpy as np

        if not rows:
            return
        dims = cls.projection.shape[1]
        new_ids, new_communities, new_vectors = [], [], []
        matrix = cls.matrix  # always an array of its own (np.zeros, np.vstack): rows are written in place
        for thread_id, community_id, vector, updated_at in rows:
            cls.seen = updated_at if cls.seen is None or updated_at > cls.seen else cls.seen
            values = np.frombuffer(bytes(vector), dtype=np.float32)
            position = cls.positions.get(thread_id)
            if values.shape != (dims,):
                # A thread that left the space (``forget``): out of every community, so never a neighbour again.
                if position is not None:
                    cls.communities[position] = GONE
                continue
            if position is None:
                new_ids.append(thread_id)
                new_communities.append(community_id)
                new_vectors.append(values)
            else:
                matrix[position] = values
                cls.communities[position] = community_id
        if new_ids:
            start = len(cls.ids)
            cls.positions.update({t: start + i for i, t in enumerate(new_ids)})
            cls.ids = np.concatenate([cls.ids, np.asarray(new_ids, dtype=np.int64)])
            cls.communities = np.concatenate([cls.communities, np.asarray(new_communities, dtype=np.int64)])
            matrix = np.vstack([matrix, np.vstack(new_vectors)])
        cls.matrix = matrix

    @classmethod
    def place(cls, counts: dict[str, int]) -> Any:
        """Words with their counts → a vector of the space (length 1), or None when it knows none of them."""
        import numpy as np

        columns, values = unit_row(counts, cls.index, cls.idf)
        if not values:
            return None
        vector = np.asarray(values, dtype=np.float32) @ cls.projection[columns]
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 1e-9 else None


def fold_in(documents: Sequence[tuple[int, int | None, dict[str, int]]]) -> int:
    """Place these threads — (thread id, community id, word counts) as just indexed — in the current space
    (when there is one): a thread asked about before the next build is found like the others."""
    in_communities = [(t, c, counts) for t, c, counts in documents if c is not None]
    space = LoadedSpace.get() if in_communities else None
    if space is None or space.space_id is None:
        return 0
    now = timezone.now()
    placed = []
    for thread_id, community_id, counts in in_communities:
        vector = space.place(counts)
        # A thread edited to words the space does not know leaves it: an empty vector, as ``forget`` writes.
        placed.append(
            ThreadLatent(
                thread_id=thread_id, space_id=space.space_id, community_id=community_id,
                vector=vector.tobytes() if vector is not None else b"", updated_at=now,
            )
        )
    ThreadLatent.objects.filter(thread_id__in=[d[0] for d in in_communities]).delete()
    ThreadLatent.objects.bulk_create(placed)
    return sum(1 for row in placed if row.vector)


def forget(thread_ids: Iterable[int]) -> None:
    """Threads that left the index (deleted, hidden) leave the space too. Their rows stay until the next build,
    emptied and stamped now: a process that holds the space in memory rereads the rows changed since it last
    looked (``LoadedSpace.get``) and takes the thread out of every community, so it no longer fills one of the
    ``NEIGHBOURS`` places (a deleted row would not be reread; the thread would linger until the next build)."""
    ThreadLatent.objects.filter(thread_id__in=list(thread_ids)).exclude(vector=b"").update(
        vector=b"", updated_at=timezone.now()
    )


# --- Asking the space --------------------------------------------------------------------------------------


Placed = tuple[type[LoadedSpace], Any]


def current_space() -> type[LoadedSpace] | None:
    """The space in use, up to date in this process (None when there is none, or latent search is off)."""
    return LoadedSpace.get()


def place_text(text: str) -> Placed | None:
    """The space and a text's vector in it; None when the text has fewer than ``MIN_WORDS`` informative words or
    none the space knows, or there is no space (ask this before anything else: it is what decides)."""
    counts = informative_words(text)
    if len(counts) < MIN_WORDS:
        return None
    space = LoadedSpace.get()
    if space is None:
        return None
    vector = space.place(counts)
    return (space, vector) if vector is not None else None


def nearest(placed: Placed, *, community_ids: Sequence[int], limit: int = NEIGHBOURS) -> list[tuple[int, float]]:
    """(thread id, cosine) of the threads nearest to a placed text, in these communities, best first."""
    space, vector = placed
    return vector_index.nearest(
        space.ids, space.communities, space.matrix, vector, community_ids=community_ids, exclude_thread=None, limit=limit
    )


def neighbour_threads(placed: Placed, *, community_ids: Sequence[int], limit: int = NEIGHBOURS) -> list[int]:
    """Ids of the threads nearest to a placed text (see :func:`nearest`), best first, down to
    ``MIN_SIMILARITY``."""
    near = nearest(placed, community_ids=community_ids, limit=limit)
    return [t for t, similarity in near if similarity >= MIN_SIMILARITY]
