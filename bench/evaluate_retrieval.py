"""Measure retrieval quality on a Stack Exchange dump: related threads, search and expert finding.

    .venv/bin/python bench/evaluate_retrieval.py ../shared/datasets/quantumcomputing [--write docs/quality.md]

It works in a throw-away SQLite database (never the demo's), imports the dump, and computes:

(a) Linked questions (duplicate links and related links in PostLinks.xml) as relevance labels. For every
    linked pair (a, b), in both directions: is b among the top 10 of a's ``related`` threads, and of ``search``
    with a's title as the query? Recall@10 and MRR (reciprocal rank of b, 0 beyond the 100th result).
    Links to questions are taken out of the posts and comments first (``remove_question_links``): a PostLink
    exists because a post links to the other question, usually with its title as the link's text.
(b) Expert finding with a time split: import only what was created before ``--cut``; for every later
    question with at least one answerer who was already a member, is any of its actual answerers in the top
    10 suggested experts? Recall@10 and MRR of the first actual answerer.
(c) The same over monthly windows (a rolling origin): for each month from the first with 30 days of history
    before it, the month's questions against what was created before the month began; pooled over all
    windows (every question counted once), with a paired bootstrap interval of the gain. More questions than
    one cut, and no single cut's luck.
(d) Did you mean: real words of the site's titles, misspelled by one or two random edits, searched for: is
    the word suggested back? Against Python's ``difflib.get_close_matches`` over the same vocabulary.

Baselines computed in the same run: BM25 over the same text (FTS5's bm25 on title, tags and body, no other
signal) with an OR query of the question's words — "full text": the first 64 distinct words of its title, tags
and first 3,000 characters, the baseline of the issue; "all words": every distinct word of its title, tags and
first 10,000 characters, the text ``related`` itself reads (a stronger baseline, added 2026-11-29) — and "most
active answerers" (answers before the cut).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(var_dir: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "practica.settings"
    os.environ["PRACTICA_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# A link to one of the site's questions: absolute (any host: Stack Exchange sites link each other) or relative,
# /questions/N, /q/N or /a/N, with whatever follows (slug, anchor, query).
QUESTION_URL = r"(?:https?://[^\s\"'<>/]+)?/(?:questions|q|a)/\d+[^\s\"'<>)\]]*"
QUESTION_ANCHOR_RE = re.compile(r"<a\b[^>]*\bhref=\"" + QUESTION_URL + r"\"[^>]*>.*?</a>", re.S | re.I)
QUESTION_MARKDOWN_LINK_RE = re.compile(r"\[[^\]]*\]\(" + QUESTION_URL + r"\)")
QUESTION_BARE_URL_RE = re.compile(r"https?://[^\s\"'<>/]+/(?:questions|q|a)/\d+[^\s\"'<>)\]]*")


def remove_question_links() -> dict[str, int]:
    """Take every link to a question out of the imported posts and comments — the link *and its text* — then
    rebuild the search index.

    The labels of (a) are Stack Exchange's PostLinks, and a PostLink exists because one post links to the other:
    usually as an anchor whose text is the other question's title ("Similar to the question *Could a Turing
    machine simulate a quantum computer?*"). Left in, every method (and every baseline) is scored on finding the
    title it was handed, and methods that reward exact phrases or "all the words" gain most from it. Found on
    2026-11-30: 110 of the dump's 568 directed pairs had the partner's title in the source's text (10 after this
    step: titles quoted without a link). Links to other pages stay."""
    from django.core.management import call_command

    from practica.discussions.models import Comment, Post
    from practica.lib.markdown import html_to_text, render_inline

    def strip(text: str) -> str:
        text = QUESTION_ANCHOR_RE.sub(" ", text)
        text = QUESTION_MARKDOWN_LINK_RE.sub(" ", text)
        return QUESTION_BARE_URL_RE.sub(" ", text)

    posts = []
    for post in Post.objects.only("id", "body_html", "body_source", "body_format"):
        html = strip(post.body_html)
        if html != post.body_html:
            post.body_html, post.body_source, post.body_text = html, strip(post.body_source), html_to_text(html)
            posts.append(post)
    Post.objects.bulk_update(posts, ["body_html", "body_source", "body_text"], batch_size=500)
    comments = []
    for comment in Comment.objects.only("id", "body_source", "body_html"):
        source = strip(comment.body_source)
        if source != comment.body_source:
            comment.body_source, comment.body_html = source, render_inline(source)
            comments.append(comment)
    Comment.objects.bulk_update(comments, ["body_source", "body_html"], batch_size=500)
    call_command("rebuild_search_index", verbosity=0, stdout=io.StringIO())  # its summary line is not the report's
    return {"posts": len(posts), "comments": len(comments)}


def titles_in_text(pairs: list[tuple[int, int, str]]) -> int:
    """Directed pairs (a, b) whose indexed text of a contains b's title (lower-cased): labels given away."""
    from practica.search.models import SearchDocument

    rows = SearchDocument.objects.filter(doc_type="thread").values_list("object_id", "title", "body")
    titles = {object_id: title.lower() for object_id, title, _ in rows}
    bodies = {object_id: body.lower() for object_id, _, body in rows}
    return sum(1 for a, b, _ in pairs if a in bodies and titles.get(b) and titles[b] in bodies[a])


def reset_database() -> None:
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


def metrics(ranks: list[int | None], k: int = 10) -> dict[str, float]:
    """Recall@k and MRR from the 1-based rank of the first relevant item (None = not found)."""
    if not ranks:
        return {"n": 0, "recall": 0.0, "mrr": 0.0}
    found = [r for r in ranks if r is not None and r <= k]
    return {
        "n": len(ranks),
        "recall": len(found) / len(ranks),
        "mrr": statistics.fmean(1.0 / r if r is not None else 0.0 for r in ranks),
    }


def rank_of(targets: set[int], ranking: list[int]) -> int | None:
    for position, item in enumerate(ranking, start=1):
        if item in targets:
            return position
    return None


# --- (a) linked questions ---------------------------------------------------------------------------


def linked_pairs(folder: Path, site: str) -> list[tuple[int, int, str]]:
    """(thread id a, thread id b, kind) for links whose both questions were imported."""
    from defusedxml.ElementTree import iterparse

    from practica.discussions.models import Thread

    ids = dict(Thread.objects.values_list("external_id", "id"))
    pairs = set()
    for _, element in iterparse(str(folder / "PostLinks.xml"), events=("end",)):
        if element.tag != "row":
            continue
        kind = {"1": "related", "3": "duplicate"}.get(element.get("LinkTypeId", ""))
        a = ids.get(f"se:{site}:{element.get('PostId')}")
        b = ids.get(f"se:{site}:{element.get('RelatedPostId')}")
        element.clear()
        if kind and a and b and a != b:
            pairs.add((a, b, kind))
            pairs.add((b, a, kind))
    return sorted(pairs)


def bm25_baseline(text: str, *, exclude_thread: int | None, limit: int = 100, max_terms: int | None = 64) -> list[int]:
    """Plain BM25 (FTS5) over title, tags and body with the text's distinct words as an OR query (its first
    ``max_terms``, stop words included; all of them when None); no other signal."""
    from django.db import connection

    from practica.search.backends import tokens

    terms = list(dict.fromkeys(tokens(text, limit=1_000_000)))[:max_terms]
    if not terms:
        return []
    match = " OR ".join(f'"{t}"' for t in terms)
    sql = (
        "SELECT d.object_id FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid "
        "WHERE search_fts MATCH %s AND d.doc_type = 'thread' ORDER BY bm25(search_fts) LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, limit + 1])
        return [row[0] for row in cursor.fetchall() if row[0] != exclude_thread][:limit]


def evaluate_links(folder: Path, site: str, viewer: Any) -> dict[str, Any]:
    from practica.discussions.models import Thread
    from practica.search import selectors
    from practica.search.models import SearchDocument

    pairs = linked_pairs(folder, site)
    threads = {t.id: t for t in Thread.objects.filter(id__in={a for a, _, _ in pairs})}
    docs = {d.object_id: d for d in SearchDocument.objects.filter(doc_type="thread", object_id__in=threads)}
    by_source: dict[int, set[int]] = defaultdict(set)
    kinds: dict[tuple[int, int], str] = {}
    for a, b, kind in pairs:
        by_source[a].add(b)
        if kinds.get((a, b)) != "duplicate":  # a pair both related and duplicate counts as a duplicate
            kinds[(a, b)] = kind
    results: dict[str, dict[str, list[int | None]]] = defaultdict(lambda: defaultdict(list))
    started = time.monotonic()
    learnt = cross_validated_search(by_source, {a: t.title for a, t in threads.items()}, viewer)
    for a, targets in by_source.items():
        thread = threads[a]
        doc = docs.get(a)
        full_text = f"{thread.title} {doc.tags if doc else ''} {doc.body[:3000] if doc else ''}"
        whole_text = f"{thread.title} {doc.tags if doc else ''} {doc.body[:10_000] if doc else ''}"
        related = [h.id for h in selectors.related_threads(thread=thread, user=viewer, limit=100)]
        shipped = [
            h.id for h in selectors.search(user=viewer, q=thread.title, types=["thread"], limit=101).hits if h.id != a
        ]
        searched = learnt["rankings"][a]
        asked = learnt["asked"][a]
        baseline_related = bm25_baseline(full_text, exclude_thread=a)
        baseline_whole = bm25_baseline(whole_text, exclude_thread=a, max_terms=None)
        baseline_search = bm25_baseline(thread.title, exclude_thread=a)
        for b in targets:
            kind = kinds[(a, b)]
            for group in ("all", kind):
                results[group]["related"].append(rank_of({b}, related))
                results[group]["search"].append(rank_of({b}, searched))
                results[group]["search (shipped weights)"].append(rank_of({b}, shipped))
                results[group]["asked already?"].append(rank_of({b}, asked))
                results[group]["bm25 (full text)"].append(rank_of({b}, baseline_related))
                results[group]["bm25 (all words)"].append(rank_of({b}, baseline_whole))
                results[group]["bm25 (title)"].append(rank_of({b}, baseline_search))
    every = results["all"]
    return {
        "seconds": time.monotonic() - started,
        "pairs": len(pairs),
        "learnt": {key: value for key, value in learnt.items() if key not in ("rankings", "asked")},
        "title_baseline": metrics(every["bm25 (title)"]),
        "asked_at_5": metrics(every["asked already?"], k=5),
        "groups": {g: {m: metrics(r) for m, r in by_method.items()} for g, by_method in results.items()},
        "intervals": {
            ("related", "bm25 (full text)"): bootstrap_gain(every["related"], every["bm25 (full text)"]),
            ("related", "bm25 (all words)"): bootstrap_gain(every["related"], every["bm25 (all words)"]),
            ("search", "bm25 (title)"): bootstrap_gain(every["search"], every["bm25 (title)"]),
        },
    }


LEARNING_FOLDS = 5
FOLD_SEEDS = (5, 6, 7, 8, 9)  # ways of dealing the questions into folds: the result moves by about a point


def cross_validated_search(by_source: dict[int, set[int]], titles: dict[int, str], viewer: Any) -> dict[str, Any]:
    """Search with a title as the query, ordered by weights learnt *without* that question (``rerank.py``).

    Every source question's candidates are collected once (its own thread left out: it is not what is sought),
    the sources are dealt into ``LEARNING_FOLDS`` folds (seeded), and each fold is searched with the weights
    learnt on the other folds' pairs — once per seed of ``FOLD_SEEDS`` (the first gives the rankings shown; the
    others say how much the dealing moves the result). Also returns the weights learnt on every pair — what
    ``rerank.WEIGHTS`` ships — and each fold's, to show how much they vary."""
    import random

    from practica.search import rerank, selectors, training

    examples: dict[int, tuple[Any, list[int]]] = {}
    for a in by_source:
        with rerank.collecting() as groups:
            selectors.search(user=viewer, q=titles[a], types=["thread"], limit=101, with_snippets=False)
        if groups:
            rows, wanted, _missed = training.example(groups[-1], a, by_source[a])
            examples[a] = (rows, wanted)
    rankings: dict[int, list[int]] = {}
    asked: dict[int, list[int]] = {}  # "asked already?" with the question's title (10 shown instead of 5)
    fold_weights = []
    by_seed: dict[int, dict[str, float]] = {}
    for seed in FOLD_SEEDS:
        sources = sorted(by_source)
        random.Random(seed).shuffle(sources)
        folds = [sources[f::LEARNING_FOLDS] for f in range(LEARNING_FOLDS)]
        ranks: list[int | None] = []
        for f, fold in enumerate(folds):
            weights = training.fit([examples[a] for g, other in enumerate(folds) if g != f for a in other if a in examples])
            with rerank.using(weights):
                for a in fold:
                    hits = selectors.search(user=viewer, q=titles[a], types=["thread"], limit=101, with_snippets=False).hits
                    ranking = [h.id for h in hits if h.id != a]
                    ranks += [rank_of({b}, ranking) for b in by_source[a]]
                    if seed == FOLD_SEEDS[0]:  # the dealing whose rankings the tables and intervals show
                        rankings[a] = ranking
                        similar = selectors.similar_questions(text=titles[a], user=viewer, limit=11)
                        asked[a] = [h.id for h in similar if h.id != a][:10]
            if seed == FOLD_SEEDS[0]:
                fold_weights.append(weights)
        by_seed[seed] = metrics(ranks)
    return {
        "rankings": rankings,
        "asked": asked,
        "by_seed": by_seed,
        "weights": training.fit(list(examples.values())),
        "fold_weights": fold_weights,
        "learnt_from": sum(1 for x, wanted in examples.values() if wanted),
        "queries": len(by_source),
    }


# --- (b) expert finding with a time split -----------------------------------------------------------


def later_questions(folder: Path, site: str, cut: dt.datetime) -> list[dict[str, Any]]:
    """Questions created on or after the cut, with their answerers (Stack Exchange user ids)."""
    from defusedxml.ElementTree import iterparse

    from practica.importers.stackexchange import parse_date
    from practica.lib.markdown import html_to_text, sanitize_html

    questions: dict[str, dict[str, Any]] = {}
    answers: list[tuple[str, str, dt.datetime]] = []
    for _, element in iterparse(str(folder / "Posts.xml"), events=("end",)):
        if element.tag != "row":
            continue
        created = parse_date(element.get("CreationDate"))
        kind = element.get("PostTypeId")
        if kind == "1" and created and created >= cut:
            questions[element.get("Id", "")] = {
                "title": element.get("Title", ""),
                "tags": element.get("Tags", "").replace("><", " ").strip("<>|").replace("|", " "),
                "body": html_to_text(sanitize_html(element.get("Body", ""))),
                "owner": element.get("OwnerUserId"),
                "created": created,
                "answerers": set(),
            }
        elif kind == "2" and element.get("OwnerUserId") and created:
            answers.append((element.get("ParentId", ""), element.get("OwnerUserId", ""), created))
        element.clear()
    for parent, owner, _created in answers:
        if parent in questions and owner != questions[parent]["owner"]:
            questions[parent]["answerers"].add(owner)
    return [q for q in questions.values() if q["answerers"]]


def most_active(community: Any, before: dt.datetime) -> list[int]:
    from django.db.models import Count

    from practica.discussions.models import Post

    return list(
        Post.objects.filter(thread__community=community, is_opening=False, deleted_at=None, created_at__lt=before)
        .exclude(author=None)
        .values("author_id")
        .annotate(n=Count("id"))
        .order_by("-n", "author_id")
        .values_list("author_id", flat=True)[:200]
    )


def evaluate_experts(
    folder: Path, site: str, community: Any, viewer: Any, cut: dt.datetime, until: dt.datetime | None = None
) -> dict[str, Any]:
    from practica.accounts.models import User
    from practica.discovery.experts import find_experts

    users = dict(User.objects.filter(external_id__startswith=f"se:{site}:user:").values_list("external_id", "id"))
    questions = [q for q in later_questions(folder, site, cut) if until is None or q["created"] < until]
    active = most_active(community, cut)
    ranks: dict[str, list[int | None]] = defaultdict(list)
    answerers: list[set[int]] = []
    skipped = 0
    timings: list[float] = []
    started = time.monotonic()
    for question in questions:
        targets = {users[f"se:{site}:user:{a}"] for a in question["answerers"] if f"se:{site}:user:{a}" in users}
        if not targets:
            skipped += 1
            continue
        answerers.append(targets)
        asker = users.get(f"se:{site}:user:{question['owner']}")
        text = f"{question['title']} {question['tags']} {question['body'][:2000]}"
        # Asked as of the cut: the database holds what was known then.
        asked = time.perf_counter()
        experts = find_experts(text=text, community=community, viewer=viewer, limit=100, exclude_user_ids={asker or 0}, now=cut)
        timings.append(time.perf_counter() - asked)
        ranks["experts"].append(rank_of(targets, [e.user.id for e in experts]))
        ranks["most active answerers"].append(rank_of(targets, [u for u in active if u != asker]))
    return {
        "seconds": time.monotonic() - started,
        "questions": len(questions),
        "median_ms": statistics.median(timings) * 1000 if timings else 0.0,
        "skipped": skipped,
        "methods": {m: metrics(r) for m, r in ranks.items()},
        "ranks": dict(ranks),
        "answerers": answerers,
    }


def best_fixed_list(answerers: list[set[int]], size: int = 10) -> int:
    """How many of these questions the best fixed list of ``size`` people covers (an answerer in it), chosen with
    hindsight of who answered (greedy set cover: within 1 − 1/e of the best, and in practice at it)."""
    chosen: set[int] = set()
    uncovered = set(range(len(answerers)))
    for _ in range(size):
        gains: dict[int, int] = defaultdict(int)
        for index in uncovered:
            for person in answerers[index] - chosen:
                gains[person] += 1
        if not gains:
            break
        best = min(gains, key=lambda person: (-gains[person], person))
        chosen.add(best)
        uncovered = {i for i in uncovered if best not in answerers[i]}
    return len(answerers) - len(uncovered)


def monthly_cuts(folder: Path, cut: dt.datetime) -> list[dt.datetime]:
    """Cuts a month apart through ``cut``, from the first with 30 days of posts before it to the last question."""
    from defusedxml.ElementTree import iterparse

    from practica.importers.stackexchange import parse_date

    dates = []
    for _, element in iterparse(str(folder / "Posts.xml"), events=("end",)):
        if element.tag == "row" and (created := parse_date(element.get("CreationDate"))):
            dates.append(created)
        element.clear()
    first, last = min(dates), max(dates)

    def shifted(months: int) -> dt.datetime:
        month = cut.month - 1 + months
        return cut.replace(year=cut.year + month // 12, month=month % 12 + 1)

    cuts = [cut]
    while shifted(-len(cuts)) >= first + dt.timedelta(days=30):
        cuts.insert(0, shifted(-len(cuts)))
    k = 1
    while shifted(k) <= last:
        cuts.append(shifted(k))
        k += 1
    return cuts


def bootstrap_gain(ours: list[int | None], base: list[int | None], rounds: int = 2000) -> dict[str, tuple[float, float]]:
    """95% intervals of the relative gain of recall@10 and MRR, resampling questions (paired)."""
    import random

    rng = random.Random(1)
    n = len(ours)
    gains: dict[str, list[float]] = {"recall": [], "mrr": []}
    for _ in range(rounds):
        idx = [rng.randrange(n) for _ in range(n)]
        a, b = metrics([ours[i] for i in idx]), metrics([base[i] for i in idx])
        for key in gains:
            if b[key]:
                gains[key].append(a[key] / b[key] - 1)
    out = {}
    for key, values in gains.items():
        values.sort()
        out[key] = (values[int(0.025 * len(values))], values[int(0.975 * len(values)) - 1]) if values else (0.0, 0.0)
    return out


def evaluate_experts_rolling(folder: Path, site: str, viewer: Any, cuts: list[dt.datetime], use_semantic: bool) -> dict[str, Any]:
    """(c): each window's questions against a database of what was created before the window."""
    from django.core.management import call_command

    from practica.communities.models import Community
    from practica.search import semantic

    started = time.monotonic()
    windows = []
    pooled: dict[str, list[int | None]] = defaultdict(list)
    covered = 0
    for start, end in zip(cuts, [*cuts[1:], None], strict=True):
        reset_database()
        call_command(
            "import_stackexchange", str(folder), "--community", "eval", "--create", "--site", site,
            "--until", start.date().isoformat(), verbosity=0,
        )
        if use_semantic:
            semantic.EmbeddingIndex.invalidate()
            call_command("embed_threads", verbosity=0)
        result = evaluate_experts(folder, site, Community.objects.get(slug="eval"), viewer, start, until=end)
        windows.append({"start": start, "end": end, **result})
        for method, ranks in result["ranks"].items():
            pooled[method] += ranks
        covered += best_fixed_list(result["answerers"])
    base = pooled.get("most active answerers", [])
    return {
        "seconds": time.monotonic() - started,
        "windows": windows,
        "pooled": {m: metrics(r) for m, r in pooled.items()},
        "ceiling": {
            "most active, top 20": metrics(base, k=20)["recall"],
            "most active, top 30": metrics(base, k=30)["recall"],
            "best fixed ten per window, with hindsight": covered / len(base) if base else 0.0,
        },
        "interval": bootstrap_gain(pooled["experts"], pooled["most active answerers"]) if pooled else {},
    }


# --- (d) did you mean --------------------------------------------------------------------------------

TYPO_WORDS = 300
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def make_typo(word: str, rng: Any, edits: int) -> str:
    """``word`` with ``edits`` random edits: a letter dropped, added, changed, or two neighbours swapped."""
    for _ in range(edits):
        i = rng.randrange(len(word))
        kind = rng.choice(("drop", "add", "change", "swap"))
        if kind == "drop" and len(word) > 3:
            word = word[:i] + word[i + 1 :]
        elif kind == "add":
            word = word[:i] + rng.choice(LETTERS) + word[i:]
        elif kind == "swap" and i < len(word) - 1 and word[i] != word[i + 1]:
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            word = word[:i] + rng.choice(LETTERS.replace(word[i], "")) + word[i + 1 :]
    return word


def evaluate_spelling(viewer: Any, seed: int = 7) -> dict[str, Any]:
    """Misspell real words of the site and search for them: is the word suggested back? Words: those of 5
    letters or more met in at least 3 titles (words of the site, not its own typos); one edit, and two for
    words of 6 letters or more. A typo that is itself a word of the vocabulary is drawn again. Baseline:
    Python's ``difflib.get_close_matches`` over the same vocabulary (the closest by similarity ratio)."""
    import difflib
    import random
    from collections import Counter

    from practica.search import selectors, spelling
    from practica.search.models import SearchDocument, SearchWord

    started = time.perf_counter()
    counts: Counter[str] = Counter()
    for title in SearchDocument.objects.filter(doc_type="thread").values_list("title", flat=True):
        counts.update(spelling.words_of(title))
    pool = sorted(word for word, n in counts.items() if n >= 3 and len(word) >= 5)
    vocabulary = set(SearchWord.objects.values_list("word", flat=True))
    ordered_vocabulary = sorted(vocabulary)
    rng = random.Random(seed)
    sample = rng.sample(pool, min(TYPO_WORDS, len(pool)))
    result: dict[str, Any] = {"pool": len(pool), "vocabulary": len(vocabulary), "edits": {}}
    for edits in (1, 2):
        outcomes: Counter[str] = Counter()
        baseline: Counter[str] = Counter()
        timings = []
        for word in sample:
            if edits == 2 and len(word) < spelling.TWO_EDITS_FROM:
                continue
            typo = make_typo(word, rng, edits)
            for _ in range(20):
                if typo not in vocabulary and typo != word:
                    break
                typo = make_typo(word, rng, edits)
            else:
                continue
            t0 = time.perf_counter()
            found = selectors.search(user=viewer, q=typo, suggest=True, with_snippets=False)
            timings.append((time.perf_counter() - t0) * 1000)
            if found.suggestion is not None:
                outcomes["restored" if found.suggestion.query == word else "another word"] += 1
            elif found.count:
                outcomes["results as typed"] += 1  # the stem or the prefix of the typo matched
            else:
                outcomes["nothing"] += 1
            close = difflib.get_close_matches(typo, ordered_vocabulary, n=1)
            baseline["restored" if close and close[0] == word else "not restored"] += 1
        result["edits"][edits] = {
            "n": sum(outcomes.values()),
            "outcomes": dict(outcomes),
            "baseline": dict(baseline),
            "median_ms": statistics.median(timings) if timings else 0.0,
        }
    result["seconds"] = time.perf_counter() - started
    return result


# --- Report -------------------------------------------------------------------------------------------


def leak_line(leaks: dict[str, int], pairs: int) -> str:
    if "after" not in leaks:
        return (
            f"Links between questions left in the text (`--keep-question-links`): {leaks.get('before', 0)} of the "
            f"{pairs} pairs have the partner's title in the source's text."
        )
    return (
        f"Links to questions taken out of the text first (the links *are* the labels; see `remove_question_links`): "
        f"{leaks['posts']} posts and {leaks['comments']} comments changed; pairs with the partner's title in the "
        f"source's text {leaks['before']} → {leaks['after']}."
    )


def _spread(by_seed: dict[int, dict[str, float]], baseline: dict[str, float]) -> str:
    """Mean and range of recall@10 and MRR over the dealings, and the mean's gain over the baseline."""
    parts = []
    for key, name in (("recall", "recall@10"), ("mrr", "MRR")):
        values = [m[key] for m in by_seed.values()]
        mean = sum(values) / len(values)
        parts.append(
            f"{name} mean {mean:.3f} ({min(values):.3f}–{max(values):.3f}), {relative(mean, baseline[key], 1)} over BM25 (title)"
        )
    return "; ".join(parts)


def relative(ours: float, base: float, digits: int = 0) -> str:
    if base == 0:
        return "n/a"
    return f"{(ours - base) / base:+.{digits}%}"


def report(
    args: argparse.Namespace,
    links: dict[str, Any],
    experts: dict[str, Any],
    rolling: dict[str, Any] | None,
    semantic: bool,
    spelling: dict[str, Any] | None = None,
) -> str:
    lines = [
        "## Retrieval quality (issue 5)",
        "",
        f"Command: `{' '.join(['.venv/bin/python', 'bench/evaluate_retrieval.py', *sys.argv[1:]])}`  ",
        f"Dataset: `{args.folder}` · cut for experts: {args.cut} · semantic extra: "
        f"{'installed (hybrid: lexical + all-MiniLM-L6-v2, reciprocal rank fusion)' if semantic else 'not installed (lexical only)'}  ",
        f"Machine: {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {os.cpu_count()} cores, {dt.date.today()}",
        "",
        f"### (a) Linked questions as relevance labels ({links['pairs']} directed pairs)",
        "",
        leak_line(links.get("leaks", {}), links["pairs"]),
        "",
        "| group | method | pairs | recall@10 | MRR |",
        "|---|---|---:|---:|---:|",
    ]
    for group in ("all", "duplicate", "related"):
        for method, m in links["groups"].get(group, {}).items():
            lines.append(f"| {group} | {method} | {m['n']} | {m['recall']:.3f} | {m['mrr']:.3f} |")
    allg = links["groups"].get("all", {})
    if allg:
        lines += [
            "",
            "| ours vs baseline | recall@10 | 95% interval | MRR | 95% interval |",
            "|---|---:|---|---:|---|",
        ]
        for (ours, base), interval in links.get("intervals", {}).items():
            (rl, rh), (ml, mh) = interval["recall"], interval["mrr"]
            label = "`search` (title)" if ours == "search" else f"`{ours}`"
            lines.append(
                f"| {label} vs BM25 ({base[6:-1]}) | {relative(allg[ours]['recall'], allg[base]['recall'], 1)} | "
                f"[{rl:+.0%}, {rh:+.0%}] | {relative(allg[ours]['mrr'], allg[base]['mrr'], 1)} | [{ml:+.0%}, {mh:+.0%}] |"
            )
        lines += ["", "Intervals: paired bootstrap over the pairs, 2,000 resamples."]
    learnt = links.get("learnt")
    if learnt:
        from practica.search import rerank

        lines += [
            "",
            f"`search` orders a question's candidates by weights learnt from linked pairs (`rerank.py`); here each "
            f"question was searched with weights learnt without it ({LEARNING_FOLDS}-fold cross-validation over the "
            f"{learnt['queries']} source questions; {learnt['learnt_from']} had a linked question among their "
            "candidates to learn from). `search (shipped weights)` uses `rerank.WEIGHTS`, learnt on these very pairs: "
            "optimistic, shown for comparison.",
            "",
            f"How the questions are dealt into folds moves `search` a little; over {len(learnt['by_seed'])} dealings "
            f"(seeds {', '.join(str(seed) for seed in learnt['by_seed'])}): " + _spread(learnt["by_seed"], links["title_baseline"]) + ".",
            "",
            f"`asked already?` is the list shown while asking, with the title as typed, ten long instead of five "
            f"(the same weights, learnt without the question); of its first five: recall@5 "
            f"{links['asked_at_5']['recall']:.3f}, MRR {links['asked_at_5']['mrr']:.3f}.",
            "",
            "| weights | " + " | ".join(f"`{name}`" for name in rerank.FEATURES) + " |",
            "|---|" + "---:|" * len(rerank.FEATURES),
            "| learnt on every pair | " + " | ".join(f"{w:.2f}" for w in learnt["weights"]) + " |",
            "| shipped (`rerank.WEIGHTS`) | " + " | ".join(f"{w:.2f}" for w in rerank.WEIGHTS) + " |",
        ]
        for n, weights in enumerate(learnt["fold_weights"], start=1):
            lines.append(f"| without fold {n} | " + " | ".join(f"{w:.2f}" for w in weights) + " |")
    lines += [
        "",
        f"### (b) Expert finding, time split at {args.cut} ({experts['questions']} later questions with answers; "
        f"{experts['skipped']} skipped because none of their answerers existed before the cut)",
        "",
        "| method | questions | recall@10 | MRR |",
        "|---|---:|---:|---:|",
    ]
    for method, m in experts["methods"].items():
        lines.append(f"| {method} | {m['n']} | {m['recall']:.3f} | {m['mrr']:.3f} |")
    em = experts["methods"]
    if "experts" in em and "most active answerers" in em:
        lines += [
            "",
            f"Experts vs most active answerers: recall@10 {relative(em['experts']['recall'], em['most active answerers']['recall'])}, "
            f"MRR {relative(em['experts']['mrr'], em['most active answerers']['mrr'])}.",
        ]
    if rolling:
        lines += [
            "",
            "### (c) Expert finding over monthly windows (rolling origin)",
            "",
            "| window | questions | experts recall@10 / MRR | most active recall@10 / MRR | gain |",
            "|---|---:|---|---|---|",
        ]
        for w in rolling["windows"]:
            e, a = w["methods"].get("experts"), w["methods"].get("most active answerers")
            if not e or not a:
                continue
            until = w["end"].date().isoformat() if w["end"] else "end"
            lines.append(
                f"| {w['start'].date().isoformat()} – {until} | {e['n']} | {e['recall']:.3f} / {e['mrr']:.3f} | "
                f"{a['recall']:.3f} / {a['mrr']:.3f} | {relative(e['recall'], a['recall'])} / {relative(e['mrr'], a['mrr'])} |"
            )
        e, a = rolling["pooled"].get("experts"), rolling["pooled"].get("most active answerers")
        if e and a:
            (rl, rh), (ml, mh) = rolling["interval"]["recall"], rolling["interval"]["mrr"]
            lines += [
                f"| **all windows** | {e['n']} | {e['recall']:.3f} / {e['mrr']:.3f} | {a['recall']:.3f} / {a['mrr']:.3f} | "
                f"{relative(e['recall'], a['recall'])} / {relative(e['mrr'], a['mrr'])} |",
                "",
                f"Pooled gain, 95% paired bootstrap interval: recall@10 [{rl:+.0%}, {rh:+.0%}], MRR [{ml:+.0%}, {mh:+.0%}].",
            ]
            ceiling = rolling.get("ceiling", {})
            if ceiling:
                lines += [
                    "",
                    "How high recall@10 can go on these questions: "
                    + "; ".join(f"{name} {value:.3f}" for name, value in ceiling.items())
                    + f" — against +20% over \"most active\", {1.2 * a['recall']:.3f}. The hindsight list knows who "
                    "answered during the month; no method asked at the month's start can.",
                ]
    if spelling:
        lines += [
            "",
            f"### (d) Did you mean: misspelled words of the site ({spelling['pool']:,} words in 3 titles or more, "
            f"{spelling['vocabulary']:,} in the vocabulary)",
            "",
            "| typo | searches | word suggested back | another word suggested | results as typed | nothing | "
            "difflib's closest word is it | median ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for edits, row in spelling["edits"].items():
            n = row["n"] or 1
            o, b = row["outcomes"], row["baseline"]
            lines.append(
                f"| {edits} edit{'s' if edits > 1 else ''} | {row['n']} | {o.get('restored', 0) / n:.0%} | "
                f"{o.get('another word', 0) / n:.0%} | {o.get('results as typed', 0) / n:.0%} | {o.get('nothing', 0) / n:.0%} | "
                f"{b.get('restored', 0) / n:.0%} | {row['median_ms']:.1f} |"
            )
    times = f"links {links['seconds']:.1f} s, experts {experts['seconds']:.1f} s"
    if rolling:
        times += f", monthly windows {rolling['seconds']:.1f} s"
    if spelling:
        times += f", did you mean {spelling['seconds']:.1f} s"
    lines += ["", f"Evaluation time: {times}.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--site", default=None)
    parser.add_argument("--cut", default="2018-07-15", help="Time split for expert finding (YYYY-MM-DD).")
    parser.add_argument("--write", type=Path, help="Write the report into this Markdown file (replacing it).")
    parser.add_argument("--no-windows", action="store_true", help="Skip (c), the monthly windows.")
    parser.add_argument(
        "--keep-question-links", action="store_true",
        help="Measure (a) with the links between questions left in the text (the labels given away; before 2026-11-30).",
    )
    args = parser.parse_args()
    folder = args.folder.resolve()
    if not (folder / "Posts.xml").is_file():
        print(f"No dump at {folder} (Posts.xml missing): nothing to evaluate.", file=sys.stderr)
        sys.exit(2)
    site = args.site or folder.name
    cut = dt.datetime.combine(dt.date.fromisoformat(args.cut), dt.time.min, tzinfo=dt.UTC)
    with tempfile.TemporaryDirectory(prefix="practica-eval-") as var_dir:
        setup_django(var_dir)
        from django.contrib.auth.models import AnonymousUser
        from django.core.management import call_command

        from practica.communities.models import Community
        from practica.search import semantic
        from practica.search.models import ThreadEmbedding

        use_semantic = semantic.available()
        viewer = AnonymousUser()
        print("Importing the whole dump for (a)…", file=sys.stderr)
        call_command("import_stackexchange", str(folder), "--community", "eval", "--create", "--site", site, verbosity=0)
        pairs = linked_pairs(folder, site)
        leaks = {"before": titles_in_text(pairs)}
        if not args.keep_question_links:
            leaks.update(remove_question_links())
            leaks["after"] = titles_in_text(pairs)
        if use_semantic:
            call_command("embed_threads", verbosity=0)
            print(f"Embedded {ThreadEmbedding.objects.count()} threads.", file=sys.stderr)
        links = evaluate_links(folder, site, viewer)
        links["leaks"] = leaks
        print("Misspelled searches for (d)…", file=sys.stderr)
        spelling = evaluate_spelling(viewer)
        print(f"Importing content before {args.cut} for (b)…", file=sys.stderr)
        reset_database()
        call_command(
            "import_stackexchange", str(folder), "--community", "eval", "--create", "--site", site,
            "--until", args.cut, verbosity=0,
        )
        if use_semantic:
            semantic.EmbeddingIndex.invalidate()
            call_command("embed_threads", verbosity=0)
        community = Community.objects.get(slug="eval")
        experts = evaluate_experts(folder, site, community, viewer, cut)
        rolling = None
        if not args.no_windows:
            cuts = monthly_cuts(folder, cut)
            print(f"Monthly windows from {cuts[0].date()} for (c)…", file=sys.stderr)
            rolling = evaluate_experts_rolling(folder, site, viewer, cuts, use_semantic)
        text = report(args, links, experts, rolling, use_semantic, spelling)
    print(text)
    if args.write:
        args.write.write_text(f"# Search and expert-finding quality\n\n{text}")
        print(f"Wrote {args.write}", file=sys.stderr)


if __name__ == "__main__":
    main()
