"""Learning the order of a whole question's results offline (``rerank.py``): the weights that make the sought
threads likely among each query's candidates, and how well a set of weights finds them. Pure arithmetic over
feature rows collected from searches (``rerank.collecting``): nothing here searches, so the live search path
never reaches it. ``bench/evaluate_retrieval.py`` and ``learn_search_order`` (``practica/discovery/search_order.py``)
learn with it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from practica.search.rerank import FEATURES, Group

L2 = 1e-4


def example(group: Group, source: int, partners: set[int]) -> tuple[Any, list[int], int]:
    """What one linked question teaches: its candidates' features less its own thread (it is not what is sought),
    the rows of the threads it links to, and how many of those are not among the candidates at all."""
    keep = [n for n, thread_id in enumerate(group.thread_ids) if thread_id != source]
    wanted = [j for j, n in enumerate(keep) if group.thread_ids[n] in partners]
    return group.features[keep], wanted, len(partners) - len(wanted)


def fit(examples: Sequence[tuple[Any, Sequence[int]]], *, l2: float = L2) -> tuple[float, ...]:
    """Weights that make the wanted rows likely: ``examples`` are (features of one query's candidates, indices of
    the rows sought). Maximises Σ log softmax(X·w)[wanted] − l2·|w|² (L-BFGS from zero)."""
    import numpy as np
    from scipy.optimize import minimize

    usable = [(np.asarray(x, dtype=np.float64), list(wanted)) for x, wanted in examples if len(wanted) and len(x)]
    if not usable:
        return tuple(0.0 for _ in FEATURES)

    def loss(w: Any) -> tuple[float, Any]:
        total, gradient = 0.0, np.zeros_like(w)
        for x, wanted in usable:
            z = x @ w
            z -= z.max()
            p = np.exp(z)
            p /= p.sum()
            expected = p @ x
            for row in wanted:
                total -= math.log(max(float(p[row]), 1e-300))
                gradient -= x[row] - expected
        n = len(usable)
        return total / n + l2 * float(w @ w), gradient / n + 2 * l2 * w

    result = minimize(loss, np.zeros(usable[0][0].shape[1]), jac=True, method="L-BFGS-B")
    return tuple(round(float(v), 3) for v in result.x)


def measure(examples: Sequence[tuple[Any, Sequence[int]]], weights: Sequence[float]) -> list[int | None]:
    """The rank (1-based, None beyond 100) of each sought row when each example is ordered by ``weights``."""
    import numpy as np

    ranks: list[int | None] = []
    w = np.asarray(weights, dtype=np.float64)
    for x, wanted in examples:
        scores = x @ w
        order = sorted(range(len(x)), key=lambda n: (-float(scores[n]), n))
        place = {row: n + 1 for n, row in enumerate(order)}
        ranks += [place[row] if place[row] <= 100 else None for row in wanted]
    return ranks


def metrics(ranks: list[int | None]) -> dict[str, float]:
    """Recall@10 and MRR of these ranks (None: not found)."""
    if not ranks:
        return {"recall": 0.0, "mrr": 0.0}
    return {
        "recall": sum(1 for r in ranks if r is not None and r <= 10) / len(ranks),
        "mrr": sum(1 / r for r in ranks if r is not None) / len(ranks),
    }
