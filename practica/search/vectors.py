"""Nearest threads by vector, shared by the sentence embeddings (``semantic.py``) and the latent space
(``latent.py``): both keep every thread's vector in one in-process matrix."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


def nearest(
    ids: Any, communities: Any, matrix: Any, vector: Any, *, community_ids: Sequence[int], exclude_thread: int | None,
    limit: int, product: Callable[[Any, Any], Any] | None = None, top: Callable[[Any, int], Any] | None = None,
) -> list[tuple[int, float]]:
    """(thread id, cosine similarity) of the rows closest to ``vector`` among threads in these communities, best
    first (rows and vector L2-normalised). ``product(matrix, vector)`` computes every row's dot product with the
    vector (``matrix @ vector`` unless given), ``top(scores, k)`` the positions of the ``k`` highest scores in
    any order (``numpy.argpartition`` unless given)."""
    import numpy as np

    if not len(ids) or limit <= 0:
        return []
    mask = np.isin(communities, np.asarray(list(community_ids), dtype=np.int64))
    if exclude_thread is not None:
        mask &= ids != exclude_thread
    allowed = int(mask.sum())
    if not allowed:
        return []
    # The whole matrix times the vector, then the others set aside: cheaper than copying the allowed rows out.
    sims = np.where(mask, product(matrix, vector) if product else matrix @ vector, -np.inf)
    k = min(limit, allowed)
    best = top(sims, k) if top else np.argpartition(-sims, k - 1)[:k]
    best = best[np.argsort(-sims[best], kind="stable")]
    return [(int(ids[i]), float(sims[i])) for i in best]

