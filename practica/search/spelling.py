""""Did you mean …?": a correction of a misspelled search that finds what the viewer may read.

The full-text indexes of both engines hold *stems* ("pressur", "seal"), which cannot be offered back to a reader,
so the words met in indexed content are also kept as written, lower-cased (``SearchWord``: the word, and backwards, added
as documents are indexed and rebuilt with the index). A search with no result holding all its words gets a
suggestion when one or more of its words match nothing the viewer may read and a word of the vocabulary one
edit away (a letter left out, added, changed, or two swapped; two edits for words of six letters or more) does:

1. each word of the query is checked with the viewer's own filters (``exists``): words that match are kept;
2. for each that does not, the vocabulary's words one edit away (then two) are counted, again with the
   viewer's filters (``count``), and the one found in the most documents is taken (the nearer edit first);
3. the corrected query is offered only if it finds results with all its words for this viewer.

Nothing the viewer may not read shapes a suggestion: the vocabulary only proposes spellings, and every choice
among them — which words need correcting, which candidate, whether to offer it — is made by counting documents
through the same permission filters as the search itself. A word met only in a private community is proposed,
counted as 0 and dropped, exactly like a word no document has any more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from practica.search.backends import STOPWORDS, TOKEN_RE
from practica.search.models import SearchWord
from practica.search.similarity import BODY_CHARS, parse_terms

MIN_LENGTH = 3  # shorter words are kept neither in the vocabulary nor corrected
MAX_LENGTH = 30  # longer "words" are mostly identifiers, hashes or URLs
TWO_EDITS_FROM = 6  # words this long may be two edits from their correction ("presure" → "pressure" is one)
MAX_CHECKED = 8  # query words checked and corrected at most (a pasted paragraph stays cheap)
CANDIDATES_COUNTED = 30  # spellings counted per misspelled word (in one query), nearest first
COUNT_CAP = 50  # counting a candidate's documents stops here (the most found wins; beyond, the nearest)
SCAN_LIMIT = 5000  # two-edit candidates: vocabulary words read at most from each end (see spellings)
INSERT_BATCH = 2000


@dataclass(frozen=True)
class Suggestion:
    """A corrected query, and which of its words were changed (to show them)."""

    query: str
    words: tuple[tuple[str, bool], ...]  # (word, changed)


def eligible(word: str) -> bool:
    """A word that may be kept in the vocabulary or corrected: letters only, 3–30 of them, not a stop word."""
    return MIN_LENGTH <= len(word) <= MAX_LENGTH and word.isalpha() and word not in STOPWORDS


def words_of(*texts: str) -> set[str]:
    """The eligible words of these texts, lower-cased."""
    found: set[str] = set()
    for text in texts:
        for token in TOKEN_RE.findall(text or ""):
            word = token.lower()
            if eligible(word):
                found.add(word)
    return found


def document_words(title: str, tags: str, body: str, terms: str | None) -> set[str]:
    """A document's words for the vocabulary: a thread's from the word counts it keeps already
    (``SearchDocument.terms``: the most frequent words of its title, tags and first ``BODY_CHARS`` characters),
    others' from the same text."""
    if terms:
        return {word for word in parse_terms(terms) if eligible(word)}
    return words_of(title, tags, (body or "")[:BODY_CHARS])


def remember(words: Iterable[str]) -> None:
    """Add words to the vocabulary (those already there are left as they are)."""
    batch = sorted(set(words))
    for start in range(0, len(batch), INSERT_BATCH):
        SearchWord.objects.bulk_create(
            [SearchWord(word=word, backwards=word[::-1]) for word in batch[start : start + INSERT_BATCH]],
            ignore_conflicts=True,
        )


def forget_all() -> None:
    """Empty the vocabulary (a full rebuild of the index refills it)."""
    SearchWord.objects.all().delete()


ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def one_edit(word: str) -> set[str]:
    """Every string one edit from ``word``: a letter deleted, two neighbours swapped, a letter replaced or
    inserted (the replacements and insertions from a–z and the word's own letters, so accented words work)."""
    letters = "".join(sorted(set(ALPHABET) | set(word)))
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {left + right[1:] for left, right in splits if right}
    swaps = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    replaces = {left + c + right[1:] for left, right in splits if right for c in letters}
    inserts = {left + c + right for left, right in splits for c in letters}
    return (deletes | swaps | replaces | inserts) - {word}


def distance(a: str, b: str, *, limit: int = 2) -> int:
    """Edits from ``a`` to ``b`` (optimal string alignment: deletions, insertions, replacements and swaps of
    neighbours); ``limit + 1`` as soon as it is certain to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]


def spellings(word: str) -> list[str]:
    """Words of the vocabulary one edit from ``word``, else (for long words) two: nearest first, at most
    ``CANDIDATES_COUNTED``. Two edits are looked for among the words that start with its first two letters or
    end with its last two (along the primary key and the ``backwards`` index): only two edits that touch both
    ends of the word are missed."""
    near = sorted(_known(one_edit(word)), key=lambda candidate: (abs(len(candidate) - len(word) - 0.5), candidate))
    if near or len(word) < TWO_EDITS_FROM:
        return near[:CANDIDATES_COUNTED]
    starting = SearchWord.objects.filter(word__startswith=word[:2]).order_by("word")
    ending = SearchWord.objects.filter(backwards__startswith=word[::-1][:2]).order_by("backwards")
    rows = {
        *starting.values_list("word", flat=True)[:SCAN_LIMIT],
        *ending.values_list("word", flat=True)[:SCAN_LIMIT],
    }
    scored = []
    for candidate in sorted(rows):
        if abs(len(candidate) - len(word)) <= 2 and candidate != word:
            edits = distance(word, candidate)
            if edits <= 2:
                scored.append((edits, abs(len(candidate) - len(word)), candidate))
    scored.sort()
    return [candidate for _, _, candidate in scored[:CANDIDATES_COUNTED]]


def _known(strings: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(strings)
    for start in range(0, len(ordered), 500):
        found.update(
            SearchWord.objects.filter(word__in=ordered[start : start + 500]).values_list("word", flat=True)
        )
    return found


def suggest(
    terms: list[str],
    *,
    exists: Callable[[list[str]], bool],
    count: Callable[[list[str]], dict[str, int]],
) -> Suggestion | None:
    """A corrected query for these words, or None.

    ``exists(words)`` says whether the viewer may read a document with all these words (the last as a prefix,
    as search reads it); ``count(words)`` how many such documents have each word (up to ``COUNT_CAP``). Both
    must apply the viewer's permissions and filters: they alone decide what is suggested (module docstring)."""
    corrected = list(terms)
    changed = False
    checked = 0
    for index, word in enumerate(terms):
        if not eligible(word) or checked >= MAX_CHECKED:
            continue
        checked += 1
        if exists([word]):
            continue
        candidates = spellings(word)
        found = count(candidates) if candidates else {}
        # The most documents wins; ties go to the nearer spelling (``spellings`` order).
        best = max(candidates, key=lambda candidate: found.get(candidate, 0), default=None)
        if best is not None and found.get(best, 0) > 0:
            corrected[index] = best
            changed = True
    if not changed or not exists(corrected):
        return None
    words = tuple((word, word != original) for word, original in zip(corrected, terms, strict=True))
    return Suggestion(query=" ".join(corrected), words=words)
