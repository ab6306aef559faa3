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
over each query's candidates (listwise, L2 penalty ``L2``; :func:`fit`, SciPy's L-BFGS). The shipped weights were
learnt on every linked pair of the Quantum Computing Stack Exchange dump (``bench/evaluate_retrieval.py`` prints
them: "Weights learnt on every pair"); that script measures the ranking with weights learnt *without* the
questions it is measured on (5-fold cross-validation), so the number in docs/quality.md is what a community not
seen in learning may expect: with a question's title as the query, recall@10 and MRR of the linked question
+14% / +16% → about +20% / +20% over BM25 of the title; "asked already?" recall@5 0.37 → 0.41 (docs/quality.md,
eighth round).
Threads people link to are threads others found useful: votes and answers count; so does a title that says
what the question says. ``latent_rank`` comes out negative because ``latent_cosine`` and ``latent`` already say
most of it (the three move together); the sum favours the space's neighbours all the same.

A site can learn its own weights from its own links (:func:`learn`, ``learn_search_order``): kept, with the
latent space, only when they beat the shipped ones under the same cross-validation.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from practica.search.similarity import weighted_words

FEATURES = (
    "lexical_rank", "latent_rank", "lexical_score", "latent_cosine", "title_cosine",
    "votes", "replies", "solved", "lexical", "latent",
)
# Learnt by bench/evaluate_retrieval.py on the Quantum Computing dump ("learnt on every pair", rounded; see above).
WEIGHTS: tuple[float, ...] = (11.63, -2.45, -0.23, 5.77, 1.42, 2.08, 1.55, -0.12, 0.17, 1.32)
L2 = 1e-4
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
    from practica.search.latent import _row

    columns, values = _row(weighted_words(text, "", ""), index, idf)
    return dict(zip(columns, values, strict=True))


TITLES_KEPT = 50_000  # titles' word vectors kept per process (a few MB); the cache starts again when full


def _title_vector(space: Any, title: str) -> dict[int, float]:
    """A title's weighted words in this space's vocabulary, kept with the space (``latent._Space.titles``, emptied
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


# --- Learning from this site's own links (``learn_search_order``) --------------------------------------------

MIN_PAIRS = 100  # linked pairs needed before a site's own weights are even tried
MAX_SOURCES = 2000  # questions searched to learn from (a seeded sample of them when a site has more)
FOLDS = 5


@dataclass
class Learnt:
    """What ``learn`` found: counts only — never a title or an id (the links may be in private communities)."""

    pairs: int = 0
    sources: int = 0
    usable: int = 0  # sources whose title was reordered and had a linked question among its candidates
    weights: tuple[float, ...] | None = None
    shipped: dict[str, float] = field(default_factory=dict)  # recall@10, MRR with WEIGHTS (cross-validated pairs)
    learnt: dict[str, float] = field(default_factory=dict)  # the same with weights learnt without the question
    adopted: bool = False
    reason: str = ""


def linked_pairs() -> dict[int, set[int]]:
    """{thread id: ids of the threads linked to it} — links (``Thread.related``, both ways) and duplicates (both
    ways) between threads that are in the index (not deleted, not hidden)."""
    from practica.discussions.models import Thread
    from practica.search.models import DocType, SearchDocument

    indexed = set(SearchDocument.objects.filter(doc_type=DocType.THREAD).values_list("object_id", flat=True))
    pairs: dict[int, set[int]] = {}
    links = Thread.related.through.objects.values_list("from_thread_id", "to_thread_id")
    duplicates = Thread.objects.exclude(duplicate_of=None).values_list("id", "duplicate_of_id")
    for a, b in [*links, *duplicates]:
        if a != b and a in indexed and b in indexed:
            pairs.setdefault(a, set()).add(b)
            pairs.setdefault(b, set()).add(a)
    return pairs


def example(group: Group, source: int, partners: set[int]) -> tuple[Any, list[int], int]:
    """What one linked question teaches: its candidates' features less its own thread (it is not what is sought),
    the rows of the threads it links to, and how many of those are not among the candidates at all."""
    keep = [n for n, thread_id in enumerate(group.thread_ids) if thread_id != source]
    wanted = [j for j, n in enumerate(keep) if group.thread_ids[n] in partners]
    return group.features[keep], wanted, len(partners) - len(wanted)


def _measure(examples: Sequence[tuple[Any, Sequence[int]]], weights: Sequence[float]) -> list[int | None]:
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


def _metrics(ranks: list[int | None]) -> dict[str, float]:
    if not ranks:
        return {"recall": 0.0, "mrr": 0.0}
    return {
        "recall": sum(1 for r in ranks if r is not None and r <= 10) / len(ranks),
        "mrr": sum(1 / r for r in ranks if r is not None) / len(ranks),
    }


def learn(*, folds: int = FOLDS, min_pairs: int = MIN_PAIRS, seed: int = 5, store: bool = True) -> Learnt:
    """Learn the order of results from the site's linked questions, and keep it only if it does better.

    Every linked question's title is searched (as someone who may read everything: the weights are ten numbers,
    nothing of any thread is kept); its candidates' features, less the question itself, with the linked
    threads as the rows sought, are the examples. The weights learnt on all but one fold are measured on that
    fold, for each fold, against the shipped ``WEIGHTS`` on the same questions (a linked thread that is not
    among the candidates is a miss for both). When they do better (MRR higher, recall@10 no lower) and
    ``store``, the weights learnt on every example are stored with the latent space: every process then orders
    with them (``latent._Space``). Otherwise nothing changes."""
    import random

    from practica.accounts.models import User
    from practica.discussions.models import Thread
    from practica.search import latent, selectors
    from practica.search.models import LatentSpace

    result = Learnt()
    by_source = linked_pairs()
    result.pairs = sum(len(partners) for partners in by_source.values())
    result.sources = len(by_source)
    space = latent._Space.get()
    if space is None or space.space_id is None:
        result.reason = "no latent space"
        return result
    if result.pairs < min_pairs:
        result.reason = f"{result.pairs} linked pairs, fewer than {min_pairs}"
        return result
    sources = sorted(by_source)
    rng = random.Random(seed)  # noqa: S311 -- a reproducible sample and folds, not a secret
    if len(sources) > MAX_SOURCES:
        sources = sorted(rng.sample(sources, MAX_SOURCES))
    titles = dict(Thread.objects.filter(id__in=sources).values_list("id", "title"))
    everyone = User(is_superuser=True, is_active=True)  # never saved: reads every community, for learning only
    examples: dict[int, tuple[Any, list[int]]] = {}
    for source in sources:
        with collecting() as groups:
            # As deep as the evaluation asks (bench/evaluate_retrieval.py): a search tops up the results with all the
            # words with those with some only while it has fewer than it was asked for, so depth shapes the candidates.
            selectors.search(user=everyone, q=titles.get(source, ""), types=["thread"], limit=101, with_snippets=False)
        if not groups:
            continue
        rows, wanted, missed = example(groups[-1], source, by_source[source])
        examples[source] = (rows, wanted + [-1] * missed)  # -1: a linked thread not among the candidates, missed by both
    result.usable = sum(1 for _, wanted in examples.values() if any(row >= 0 for row in wanted))
    if result.usable < max(folds, 10):
        result.reason = f"only {result.usable} questions had a linked thread among their candidates"
        return result
    keys = sorted(examples)
    rng.shuffle(keys)
    parts = [keys[f::folds] for f in range(folds)]

    def found(chosen: Sequence[int]) -> list[tuple[Any, list[int]]]:
        return [(examples[k][0], [row for row in examples[k][1] if row >= 0]) for k in chosen]

    def misses(chosen: Sequence[int]) -> list[int | None]:
        return [None for k in chosen for row in examples[k][1] if row < 0]

    shipped_ranks: list[int | None] = []
    learnt_ranks: list[int | None] = []
    for f, part in enumerate(parts):
        training = [k for g, other in enumerate(parts) if g != f for k in other]
        weights = fit(found(training))
        learnt_ranks += _measure(found(part), weights) + misses(part)
        shipped_ranks += _measure(found(part), WEIGHTS) + misses(part)
    result.shipped, result.learnt = _metrics(shipped_ranks), _metrics(learnt_ranks)
    result.weights = fit(found(keys))
    better = result.learnt["mrr"] > result.shipped["mrr"] and result.learnt["recall"] >= result.shipped["recall"]
    if not better:
        result.reason = "the learnt weights did not do better than the shipped ones"
        return result
    if store:
        from django.utils import timezone

        report = {
            "pairs": result.pairs, "sources": result.sources, "usable": result.usable, "folds": folds,
            "shipped": result.shipped, "learnt": result.learnt,
        }
        LatentSpace.objects.filter(id=space.space_id).update(
            order_weights=json.dumps(list(result.weights)), order_learnt_at=timezone.now(), order_report=json.dumps(report)
        )
        result.adopted = True
    return result


def forget_learnt() -> bool:
    """Back to the shipped ``WEIGHTS``; False when there were no learnt ones."""
    from django.utils import timezone

    from practica.search.models import LatentSpace

    changed = LatentSpace.objects.exclude(order_weights="").update(
        order_weights="", order_report="", order_learnt_at=timezone.now()
    )
    return changed > 0
