"""The order of a whole question's results learnt from this site's own linked questions (``learn_search_order``):
offline, above the content (it reads which threads are linked) and above the live search (it searches each
linked question's title to collect its candidates' features, ``rerank.collecting``). The live search only reads
the weights it stores with the latent space (``rerank.stored_weights``); see ``practica/search/rerank.py``."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from practica.accounts.models import User
from practica.discussions.models import Thread
from practica.search import latent, rerank, selectors, training
from practica.search.models import DocType, LatentSpace, SearchDocument

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
    shipped: dict[str, float] = field(default_factory=dict)  # recall@10, MRR with rerank.WEIGHTS (cross-validated pairs)
    learnt: dict[str, float] = field(default_factory=dict)  # the same with weights learnt without the question
    adopted: bool = False
    reason: str = ""


def linked_pairs() -> dict[int, set[int]]:
    """{thread id: ids of the threads linked to it} — links (``Thread.related``, both ways) and duplicates (both
    ways) between threads that are in the index (not deleted, not hidden)."""
    indexed = set(SearchDocument.objects.filter(doc_type=DocType.THREAD).values_list("object_id", flat=True))
    pairs: dict[int, set[int]] = {}
    links = Thread.related.through.objects.values_list("from_thread_id", "to_thread_id")
    duplicates = Thread.objects.exclude(duplicate_of=None).values_list("id", "duplicate_of_id")
    for a, b in [*links, *duplicates]:
        if a != b and a in indexed and b in indexed:
            pairs.setdefault(a, set()).add(b)
            pairs.setdefault(b, set()).add(a)
    return pairs


def learn(*, folds: int = FOLDS, min_pairs: int = MIN_PAIRS, seed: int = 5, store: bool = True) -> Learnt:
    """Learn the order of results from the site's linked questions, and keep it only if it does better.

    Every linked question's title is searched (as someone who may read everything: the weights are ten numbers,
    nothing of any thread is kept); its candidates' features, less the question itself, with the linked
    threads as the rows sought, are the examples. The weights learnt on all but one fold are measured on that
    fold, for each fold, against the shipped ``rerank.WEIGHTS`` on the same questions (a linked thread that is not
    among the candidates is a miss for both). When they do better (MRR higher, recall@10 no lower) and
    ``store``, the weights learnt on every example are stored with the latent space: every process then orders
    with them (``latent.current_space``). Otherwise nothing changes."""
    result = Learnt()
    by_source = linked_pairs()
    result.pairs = sum(len(partners) for partners in by_source.values())
    result.sources = len(by_source)
    space = latent.current_space()
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
        with rerank.collecting() as groups:
            # As deep as the evaluation asks (bench/evaluate_retrieval.py): a search tops up the results with all the
            # words with those with some only while it has fewer than it was asked for, so depth shapes the candidates.
            selectors.search(user=everyone, q=titles.get(source, ""), types=["thread"], limit=101, with_snippets=False)
        if not groups:
            continue
        rows, wanted, missed = training.example(groups[-1], source, by_source[source])
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
        learning = [k for g, other in enumerate(parts) if g != f for k in other]
        weights = training.fit(found(learning))
        learnt_ranks += training.measure(found(part), weights) + misses(part)
        shipped_ranks += training.measure(found(part), rerank.WEIGHTS) + misses(part)
    result.shipped, result.learnt = training.metrics(shipped_ranks), training.metrics(learnt_ranks)
    result.weights = training.fit(found(keys))
    better = result.learnt["mrr"] > result.shipped["mrr"] and result.learnt["recall"] >= result.shipped["recall"]
    if not better:
        result.reason = "the learnt weights did not do better than the shipped ones"
        return result
    if store:
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
    """Back to the shipped ``rerank.WEIGHTS``; False when there were no learnt ones."""
    changed = LatentSpace.objects.exclude(order_weights="").update(
        order_weights="", order_report="", order_learnt_at=timezone.now()
    )
    return changed > 0
