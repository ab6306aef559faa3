"""The order of a whole question's results: a ranking learnt from which threads a community links together.

A search of ``latent.MIN_WORDS`` informative words or more has two lists of candidates: the full-text ranking
(``selectors.rank``: the engine's score and the signals practitioners trust) and the threads nearest in the
latent space (``latent.py``). Reciprocal rank fusion of the two knows only their ranks. This module orders the
union of both by a linear score of what is known about each candidate (``FEATURES``):

    score = Σ weightᵢ · featureᵢ

======================  ==========================================================================================
``lexical_rank``        1 / (10 + its place in the full-text ranking, from 0; 200 when absent)
``latent_rank``         1 / (10 + its place among the latent neighbours; 200 when absent)
``lexical_score``       its full-text score over the best one's (0 when absent)
``latent_cosine``       the cosine of the query and the thread in the latent space (0 or more)
``title_cosine``        the cosine of the query's and the title's weighted words (``(1 + log tf) · idf``)
``votes``               log(1 + min(votes, 20)) / 5 — beyond 20 votes a thread is popular, not more relevant
``replies``             log(1 + replies) / 3
``solved``              1 when it has an accepted answer
``lexical``, ``latent`` 1 when the full-text ranking (the latent neighbours) holds it
======================  ==========================================================================================

The weights (``WEIGHTS``) are learnt from pairs of linked questions — one question's title as the query, the
question it links to as the result sought — by maximising the likelihood of the linked question under a softmax
over each query's candidates (listwise, L2 penalty; ``training.fit``, SciPy's L-BFGS). The shipped weights were
learnt on every linked pair of the Quantum Computing Stack Exchange dump (``bench/evaluate_retrieval.py`` prints
them: "Weights learnt on every pair"); that script measures the ranking with weights learnt *without* the
questions it is measured on (5-fold cross-validation), so the number in docs/quality.md is what a community not
seen in learning may expect: with a question's title as the query, recall@10 and MRR of the linked question
+14% / +16% → about +20% / +20% over BM25 of the title; "asked already?" recall@5 0.37 → 0.41 (docs/quality.md,
eighth round).
Threads people link to are threads others found useful: votes and answers count; so does a title that says
what the question says. ``latent_rank`` comes out negative because ``latent_cosine`` and ``latent`` already say
most of it (the three move together); the sum favours the space's neighbours all the same.

A site can learn its own weights from its own links (``learn_search_order``, ``practica/discovery/search_order.py``):
kept, with the latent space, only when they beat the shipped ones under the same cross-validation.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from practica.search.similarity import unit_row, weighted_words

FEATURES = (
    "lexical_rank", "latent_rank", "lexical_score", "latent_cosine", "title_cosine",
    "votes", "replies", "solved", "lexical", "latent",
)
# Learnt by bench/evaluate_retrieval.py on the Quantum Computing dump ("learnt on every pair", rounded; see above).
WEIGHTS: tuple[float, ...] = (11.63, -2.45, -0.23, 5.77, 1.42, 2.08, 1.55, -0.12, 0.17, 1.32)
RANK_K = 10
ABSENT_RANK = 200
# Uncapped, the learnt votes weight lifted a 113-vote thread into the top few of unrelated questions; capped at 20,
# the same cross-validated recall and MRR (within half a point, five ways of dealing the folds: docs/quality.md).
VOTES_CAP = 20

_weights: contextvars.ContextVar[Sequence[float] | None] = contextvars.ContextVar("rerank_weights", default=None)
_collected: contextvars.ContextVar[list[Group] | None] = contextvars.ContextVar("rerank_collected", default=None)


@dataclass
class Group:
    """One query's candidates: search document ids, their threads' ids and a row of ``FEATURES`` each."""

    doc_ids: list[int]
    thread_ids: list[int]
    features: Any  # numpy array, candidates × FEATURES
    weights: Sequence[float] | None = None  # this site's learnt weights (``learn_search_order``), if any


@contextlib.contextmanager
def using(weights: Sequence[float]) -> Iterator[None]:
    """Order with these weights instead of ``WEIGHTS`` (the evaluation's cross-validation)."""
    if len(weights) != len(FEATURES):
        raise ValueError(f"{len(FEATURES)} weights expected, got {len(weights)}")
    token = _weights.set(tuple(weights))
    try:
        yield
    finally:
        _weights.reset(token)


@contextlib.contextmanager
def collecting() -> Iterator[list[Group]]:
    """Every group ordered inside the block, in order (to learn the weights from)."""
    groups: list[Group] = []
    token = _collected.set(groups)
    try:
        yield groups
    finally:
        _collected.reset(token)


def _sparse(text: str, index: dict[str, int], idf: Any) -> dict[int, float]:
    columns, values = unit_row(weighted_words(text, "", ""), index, idf)
    return dict(zip(columns, values, strict=True))


TITLES_KEPT = 50_000  # titles' word vectors kept per process (a few MB); the cache starts again when full


def _title_vector(space: Any, title: str) -> dict[int, float]:
    """A title's weighted words in this space's vocabulary, kept with the space (``latent.LoadedSpace.titles``, emptied
    when another space is read): the same titles come back search after search (tokenising 250 of them was half
    the cost of ``features``)."""
    titles = space.titles
    vector = titles.get(title)
    if vector is None:
        if len(titles) >= TITLES_KEPT:
            titles.clear()
        vector = titles[title] = _sparse(title, space.index, space.idf)
    return vector


def features(
    *,
    query: str,
    lexical: Sequence[tuple[int, float]],
    neighbours: Sequence[int],
    placed: Any,
    docs: dict[int, dict[str, Any]],
) -> Group:
    """The features of every candidate — the full-text ranking's (doc id, score) and the latent neighbours' doc
    ids, both best first — for a query placed in the latent space (``latent.place_text``). ``docs`` must hold
    each candidate's row (``selectors.DOC_FIELDS``); a candidate without one is left out."""
    import numpy as np

    space, vector = placed
    lexical_place = {doc_id: n for n, (doc_id, _) in enumerate(lexical)}
    best = max((score for _, score in lexical), default=0.0) or 1.0
    lexical_score = dict(lexical)
    latent_place = {doc_id: n for n, doc_id in enumerate(neighbours)}
    query_words = _sparse(query, space.index, space.idf)
    candidates = [d for d in dict.fromkeys([*(i for i, _ in lexical), *neighbours]) if d in docs]
    rows = np.zeros((len(candidates), len(FEATURES)), dtype=np.float64)
    thread_ids = [docs[doc_id]["object_id"] for doc_id in candidates]
    # Every candidate's cosine with the query in one product (a thread the space does not hold: 0).
    positions = [
        space.positions.get(thread_id, -1) if docs[doc_id]["doc_type"] == "thread" else -1
        for doc_id, thread_id in zip(candidates, thread_ids, strict=True)
    ]
    placed_rows = np.asarray(positions, dtype=np.int64)
    cosines = np.zeros(len(candidates), dtype=np.float64)
    held = placed_rows >= 0
    if held.any():
        cosines[held] = space.matrix[placed_rows[held]] @ vector
    for n, doc_id in enumerate(candidates):
        doc = docs[doc_id]
        title = _title_vector(space, doc["title"])
        rows[n] = (
            1.0 / (RANK_K + lexical_place.get(doc_id, ABSENT_RANK)),
            1.0 / (RANK_K + latent_place.get(doc_id, ABSENT_RANK)),
            lexical_score.get(doc_id, 0.0) / best,
            max(float(cosines[n]), 0.0),
            sum(value * title.get(column, 0.0) for column, value in query_words.items()),
            math.log1p(min(max(doc["votes"], 0), VOTES_CAP)) / 5,
            math.log1p(max(doc["replies"], 0)) / 3,
            1.0 if doc["is_solved"] else 0.0,
            1.0 if doc_id in lexical_place else 0.0,
            1.0 if doc_id in latent_place else 0.0,
        )
    return Group(doc_ids=candidates, thread_ids=thread_ids, features=rows, weights=space.order_weights)


def current_weights(group: Group | None = None) -> Sequence[float]:
    """The weights in force: those of ``using``, else the site's learnt ones, else ``WEIGHTS``."""
    return _weights.get() or (group.weights if group is not None else None) or WEIGHTS


def order(group: Group) -> list[tuple[int, float]]:
    """(doc id, score in 0..1) best first: the linear score through a logistic curve (same order, and a score
    that reads like the others)."""
    import numpy as np

    collected = _collected.get()
    if collected is not None:
        collected.append(group)
    if not group.doc_ids:
        return []
    weights = np.asarray(current_weights(group), dtype=np.float64)
    scores = group.features @ weights
    ranked = sorted(range(len(group.doc_ids)), key=lambda n: (-scores[n], n))
    return [(group.doc_ids[n], round(1.0 / (1.0 + math.exp(-float(scores[n]))), 6)) for n in ranked]


def stored_weights(stored: str) -> tuple[float, ...] | None:
    """Learnt weights as stored with the latent space (a JSON list), or None when there are none or they do not fit
    ``FEATURES`` (learnt by an older version): the shipped ones then apply."""
    try:
        values = json.loads(stored) if stored else None
    except ValueError:
        return None
    if not isinstance(values, list) or len(values) != len(FEATURES):
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values):
        return None
    return tuple(float(v) for v in values)
