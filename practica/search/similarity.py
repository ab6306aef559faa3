"""How alike two threads are: the cosine of their tf·idf word vectors, to re-rank related-thread candidates.

A full-text engine answers "which documents have these words?": it scores a document against a query of a few
words. Related threads need "how much do these two threads say the same thing?", which a query of a thread's
25 most distinctive words (``selectors.more_like_this_terms``) answers only roughly. So every thread's document
keeps the counts of its words (``SearchDocument.terms``: the ``TERMS_KEPT`` most frequent, from the title counted
three times, the tags twice and the first ``BODY_CHARS`` characters of its text), and the candidates the engine
found are re-ranked by

    cos(a, c) ∝ Σ over words w of a and c  (1 + log tf_a(w)) · (1 + log tf_c(w)) · idf(w)²  /  ‖c‖

where ``tf`` is a word's weighted count, ``idf(w) = log((N + 1) / documents with w)`` (``N`` documents in the
index), ``‖c‖`` the length of ``c``'s vector of ``1 + log tf`` (the candidate's length without idf: it needs no
statistics of words outside the question's own). The source thread's ``SOURCE_TERMS`` most frequent words are
used, so a request looks up at most that many document frequencies (cached an hour per process, see
``backends.index_statistics``).

Measured on the Quantum Computing dump (docs/quality.md): related threads' recall@10 0.60 → 0.67 and MRR
0.34 → 0.39; the whole vectors matter (keeping only each thread's 100 most frequent words gave half the gain).
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from typing import Any

from practica.search.backends import STOPWORDS, TOKEN_RE

TERMS_KEPT = 400  # words kept per document: more than 9 threads in 10 of the dump have fewer distinct ones
SOURCE_TERMS = 200  # words of the source thread whose document frequencies are looked up
BODY_CHARS = 10_000
FIELD_WEIGHTS = (3, 2, 1)  # title, tags, body
COMMON_SHARE = 0.5  # a word counted up to this share of the documents (more: its idf is log 2 or less anyway)


def weighted_words(title: str, tags: str, body: str) -> Counter[str]:
    """The words of a thread with their weighted counts (title × 3, tags × 2, the first ``BODY_CHARS`` of the
    body × 1), in the order met. Words of one or two letters, numbers and stop words are left out."""
    counts: Counter[str] = Counter()
    for text, weight in zip((title, tags, body[:BODY_CHARS]), FIELD_WEIGHTS, strict=True):
        for token in TOKEN_RE.findall(text or ""):
            word = token.lower()
            if len(word) > 2 and word not in STOPWORDS and not word.isdigit():
                counts[word] += weight
    return counts


def term_counts(title: str, tags: str, body: str, *, keep: int | None = None) -> dict[str, int]:
    """``weighted_words`` most frequent first (ties by word), the first ``keep`` of them (all when None)."""
    ranked = sorted(weighted_words(title, tags, body).items(), key=lambda item: (-item[1], item[0]))
    return dict(ranked[:keep] if keep is not None else ranked)


def terms_field(title: str, tags: str, body: str) -> str:
    """The value of ``SearchDocument.terms``: the ``TERMS_KEPT`` most frequent words and their counts, as JSON."""
    return dump_terms(term_counts(title, tags, body, keep=TERMS_KEPT))


def dump_terms(counts: dict[str, int]) -> str:
    """Word counts as ``SearchDocument.terms`` holds them (JSON)."""
    return json.dumps(counts, separators=(",", ":"), ensure_ascii=False)


def parse_terms(value: str | None) -> dict[str, int]:
    """``SearchDocument.terms`` back into counts; empty for a document indexed before the column existed."""
    if not value:
        return {}
    try:
        parsed = json.loads(value)
    except ValueError:
        return {}
    if not isinstance(parsed, dict):
        return {}
    if all(type(count) is int for count in parsed.values()):  # as dump_terms wrote it (JSON keys are strings)
        return parsed
    try:
        return {str(word): int(count) for word, count in parsed.items()}
    except (TypeError, ValueError):
        return {}


def inverse_document_frequencies(words: list[str], backend: Any) -> dict[str, float]:
    """``idf`` of each word from the full-text index (words the index does not have are left out)."""
    total = backend.document_count()
    cap = int(total * COMMON_SHARE) + 1 if total >= 1000 else total + 1
    found = backend.document_frequencies(words, cap=cap)
    return {word: math.log((total + 1) / found_in) for word, found_in in found.items() if found_in > 0}


@functools.cache
def _log_tf(count: int) -> float:
    """``1 + log tf`` (counts repeat: most are under 10), remembered."""
    return 1 + math.log(count) if count > 0 else 0.0


@functools.cache
def _squared_log_tf(count: int) -> float:
    return _log_tf(count) ** 2


def rerank(source: dict[str, int], candidates: dict[int, dict[str, int]], backend: Any) -> list[tuple[int, float]]:
    """Candidates (document id → word counts) by cosine similarity to the source's word counts, best first; the
    score is the cosine up to a factor common to all candidates (the source's own length)."""
    words = [word for word, _ in sorted(source.items(), key=lambda item: (-item[1], item[0]))[:SOURCE_TERMS]]
    idf = inverse_document_frequencies(words, backend)
    weights = {word: (1 + math.log(source[word])) * idf[word] ** 2 for word in words if word in idf}
    scored = []
    for doc_id, counts in candidates.items():
        if not counts:
            scored.append((doc_id, 0.0))
            continue
        length = math.sqrt(sum(_squared_log_tf(n) for n in counts.values()))
        dot = sum(weight * _log_tf(counts[word]) for word, weight in weights.items() if word in counts)
        scored.append((doc_id, dot / length if length else 0.0))
    scored.sort(key=lambda item: -item[1])  # stable: equal scores keep the engine's order
    return scored


def unit_row(counts: dict[str, int], index: dict[str, int], idf: Any) -> tuple[list[int], list[float]]:
    """A document's (or a query's) words as the columns of a vocabulary (``index``: word -> column) and their
    weights ``(1 + log tf) · idf``, scaled to length 1 (the latent space's rows, ``latent.py``; words outside the
    vocabulary are left out)."""
    columns, values = [], []
    for word, n in counts.items():
        column = index.get(word)
        if column is not None and n > 0:
            columns.append(column)
            values.append((1.0 + math.log(n)) * float(idf[column]))
    norm = math.sqrt(sum(v * v for v in values))
    return columns, [v / norm for v in values] if norm else []
