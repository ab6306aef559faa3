"""Who knows about this? People ranked by how likely they are to answer a question well, with reasons a person
can check.

    s = (activity + 0.05) × (1 + fit)

People with evidence on the question (answers on similar threads, a knowledge item that covers it, declared
expertise in its topics) come first, each group ordered by ``s``: the score returned is 1 + s / (1 + s) for them
and s / (1 + s) for people only active in the community (so it falls down the list, and says which group a
person is in). In a small community the few active people would otherwise outrank the one who answered this
very subject months ago; over the Quantum Computing dump's monthly windows it also finds a little more
(recall@10 0.757 → 0.762, MRR 0.472 → 0.473; docs/quality.md, tenth round).

- ``activity``: how much the person answers in the community lately — each answer in the last 180 days
  counted 0.5 ** (age / 30 days), a comment a tenth of that (``_recent_activity``; a month-old answer counts
  half). Who answered a lot two years ago and stopped is not who will answer today;
- ``fit``: evidence that they know this question's subject, relative to the best candidate's (0..1): Σ over
  the similar threads t they answered of sim(t) × (1 + 2·accepted + 0.5·log(1 + votes)) × recency (halving
  every 12 months), plus, for each published knowledge item they are an author of that covers the question,
  coverage × 3 × (1 + 0.5·log(1 + endorsements and "helpful" marks)) × the same recency — a reviewed item weighs
  as an accepted answer (``_knowledge_evidence``) —, plus 0.6 for each declared expertise topic the question
  names. The best-fitting person's activity counts double;
- 0.05 lets fit order the people with no recent activity (a declared expert who has not answered yet).

``sim(t)`` is the similarity of thread ``t`` to the question (lexical relevance, fused with the nearest threads
in the latent space, ``latent.py``, and with semantic similarity when the extra is installed), normalised to 0..1. The asker is never suggested. Measured against "most active
answerers" in docs/quality.md (until 2026-11-29 three rankings — fit, answers on the question's topics and
activity in the last week/month/quarter — were fused by reciprocal rank; over five monthly windows of the
Quantum Computing dump that was no better than "most active", this is +6% recall@10 and +18% MRR).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.timesince import timesince

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState, Visibility
from practica.communities.selectors import AnyUser, community_access
from practica.discovery import knowledge_items as knowledge_base
from practica.discussions.models import Comment, Post, Thread
from practica.search import latent, semantic
from practica.search.backends import get_backend, tokens
from practica.search.models import SearchDocument
from practica.search.selectors import (
    as_documents,
    more_like_this_terms,
    readable_thread_documents,
    sql_datetime,
    thread_filters,
)
from practica.topics.services import topic_normalise

SIMILAR_THREADS = 60
SEMANTIC_NEIGHBOURS = 30  # nearest threads by sentence embedding fused with the others (at least)
HALF_LIFE_DAYS = 365  # of an answer as evidence of knowing a topic
FIT_WEIGHT = 1.0  # the best-fitting person's activity counts double
ACTIVITY_FLOOR = 0.05  # so that fit still orders people with no recent activity (declared expertise, old answers)


KNOWLEDGE_COVERAGE = 0.25  # an item counts when it has this share of the question's distinctive words (by idf)
KNOWLEDGE_WEIGHT = 3.0  # a published, reviewed item weighs as an accepted answer


@dataclass
class Expert:
    user: User
    score: float
    reasons: list[str] = field(default_factory=list)
    answers: int = 0
    accepted: int = 0
    last_answer: dt.datetime | None = None
    matching_expertise: list[str] = field(default_factory=list)
    knowledge_items: list[str] = field(default_factory=list)  # titles of their items that cover the question
    endorsements: int = 0  # endorsements and "helpful" marks of those items
    on_subject: bool = False  # some evidence on this question (else only active in the community)


def similar_threads(
    *, text: str, community: Community, viewer: AnyUser, before: dt.datetime | None = None, limit: int | None = None
) -> dict[int, float]:
    """{thread id: similarity 0..1} of the community's threads most similar to the text (``SIMILAR_THREADS``
    of them unless ``limit`` says otherwise; read at call time, so a changed setting takes effect)."""
    limit = limit or SIMILAR_THREADS
    terms = more_like_this_terms("", "", text, get_backend())
    if not terms:
        return {}
    filters = thread_filters(viewer, [community.id])
    if before is not None:
        filters.where.append("d.created_at < %s")
        filters.params.append(sql_datetime(before))
    candidates = get_backend().candidates(terms, filters, any_term=True, limit=limit, whole_words=True)
    if not candidates:
        return {}
    # Threads near the question in the latent space join those sharing its words (reciprocal rank fusion, as the
    # semantic extra's below): over the monthly windows, MRR +18% -> +20% over "most active" (docs/quality.md).
    # Both lists of neighbours pass the same filters as the words' candidates (dates included), in one query.
    placed = latent.place_text(text)
    near = latent.neighbour_threads(placed, community_ids=[community.id], limit=limit) if placed else []
    with_semantic = semantic.available()
    by_meaning = (
        semantic.neighbour_threads_for_text(
            text=text, community_ids=[community.id], limit=max(limit, SEMANTIC_NEIGHBOURS), min_similarity=-1.0
        )
        if with_semantic
        else []
    )
    readable = readable_thread_documents([*near, *by_meaning], filters)
    if placed:
        candidates = semantic.rrf([i for i, _ in candidates], as_documents(near, readable))[:limit]
    if with_semantic:
        candidates = semantic.rrf([i for i, _ in candidates], as_documents(by_meaning, readable))[:limit]
    best = max(score for _, score in candidates) or 1.0
    doc_to_thread = dict(
        SearchDocument.objects.filter(id__in=[i for i, _ in candidates]).values_list("id", "object_id")
    )
    return {doc_to_thread[i]: score / best for i, score in candidates if i in doc_to_thread}


def _knowledge_evidence(
    text: str, community: Community, now: dt.datetime, *, before: dt.datetime | None, cached: bool
) -> dict[int, list[tuple[float, knowledge_base.Item]]]:
    """{author: [(evidence, item)]} for the published knowledge items that cover the question (at least
    ``KNOWLEDGE_COVERAGE`` of its distinctive words, ``knowledge_base.covering``). Evidence = coverage ×
    ``KNOWLEDGE_WEIGHT`` × (1 + 0.5·log(1 + endorsements)) × recency."""
    items = knowledge_base.published(community, before=before, cached=cached)
    found: dict[int, list[tuple[float, knowledge_base.Item]]] = defaultdict(list)
    for coverage, item in knowledge_base.covering(text, items, at_least=KNOWLEDGE_COVERAGE):
        age_days = max((now - item.published_at).total_seconds() / 86400, 0)
        evidence = (
            coverage * KNOWLEDGE_WEIGHT * (1 + 0.5 * math.log1p(item.endorsements)) * 0.5 ** (age_days / HALF_LIFE_DAYS)
        )
        for author in item.authors:
            found[author].append((evidence, item))
    return found


def _eligible(community: Community) -> Any:
    """People who may read the community: active members, or anyone active for a public community."""
    if community.visibility == Visibility.PUBLIC:
        return Q(is_active=True)
    members = Membership.objects.filter(community=community, state=MembershipState.ACTIVE).values("user_id")
    return Q(is_active=True, id__in=members)


def _question_topics(text: str, community: Community) -> dict[int, str]:
    """Topics of the community that the question names (words, hyphenated pairs, or the whole text)."""
    words = tokens(text, limit=400)
    wanted = {topic_normalise(w) for w in words}
    wanted |= {f"{a}-{b}" for a, b in itertools.pairwise(words)}
    wanted.add(topic_normalise(text[:64]))
    return dict(community.topics.filter(slug__in=wanted).values_list("id", "name"))


# Per-community statistics that do not depend on the question (who answered lately, who answered what on each
# topic) are kept in the cache for STATS_TTL seconds: they are the costly part of a request on a big community
# (100,000 threads: 100–300 ms each) and a few minutes' lag does not change who is worth asking.
STATS_TTL = 600


COMMENT_WEIGHT = 0.1  # a comment counts this much of an answer in someone's activity
HALF_LIFE_ACTIVITY_DAYS = 30  # an answer a month old counts half as much as one today
# Ages (days) over which answers and comments are counted, each bucket at the decay of its midpoint: one
# aggregate query instead of one row per post (on the dump, recall@10 and MRR as with the exact decay ±0.001).
ACTIVITY_BUCKETS = ((0, 7), (7, 14), (14, 30), (30, 60), (60, 90), (90, 180))


def _recent_activity(
    community: Community, answers: Any, comments: Any, now: dt.datetime, *, cached: bool
) -> dict[int, tuple[float, int, int]]:
    """{author: (activity, answers in the last 30 days, comments in the last 30 days)} of everyone who answered
    or commented in the community in the last 180 days. Activity is a count that fades: each answer weighs
    0.5 ** (age / ``HALF_LIFE_ACTIVITY_DAYS``), each comment ``COMMENT_WEIGHT`` of that."""

    def since(days: int) -> dt.datetime:
        return now - dt.timedelta(days=days)

    def counts(rows: Any) -> list[dict[str, Any]]:
        buckets = {
            f"b{lo}": Count("id", filter=Q(created_at__gte=since(hi), created_at__lt=since(lo)))
            for lo, hi in ACTIVITY_BUCKETS
        }
        month = Count("id", filter=Q(created_at__gte=since(30)))
        oldest = ACTIVITY_BUCKETS[-1][1]
        return list(
            rows.filter(created_at__gte=since(oldest), created_at__lt=now)
            .values("author_id")
            .annotate(month=month, **buckets)
        )

    def compute() -> dict[int, tuple[float, int, int]]:
        found: dict[int, tuple[float, int, int]] = {}
        for rows, weight, is_answer in ((counts(answers), 1.0, True), (counts(comments), COMMENT_WEIGHT, False)):
            for row in rows:
                faded = sum(
                    row[f"b{lo}"] * 0.5 ** ((lo + hi) / 2 / HALF_LIFE_ACTIVITY_DAYS) for lo, hi in ACTIVITY_BUCKETS
                )
                activity, month_answers, month_comments = found.get(row["author_id"], (0.0, 0, 0))
                found[row["author_id"]] = (
                    activity + weight * faded,
                    month_answers + row["month"] * is_answer,
                    month_comments + row["month"] * (not is_answer),
                )
        return found

    if not cached:
        return compute()
    found: dict[int, tuple[float, int, int]] = cache.get_or_set(f"experts:active:{community.id}", compute, STATS_TTL) or {}
    return found


def _topic_history(community: Community, answers: Any, topic_ids: set[int], *, cached: bool) -> dict[int, int]:
    """{author: answers on threads tagged with any of these topics}, each answer counted once."""

    def compute() -> dict[int, int]:
        rows = (
            answers.filter(thread__tags__in=topic_ids)
            .values("author_id")
            .annotate(n=Count("id", distinct=True))
            .values_list("author_id", "n")
        )
        return dict(rows)

    if not cached:
        return compute()
    topics = hashlib.sha1(",".join(map(str, sorted(topic_ids))).encode(), usedforsecurity=False).hexdigest()
    found: dict[int, int] = cache.get_or_set(f"experts:topic-answers:{community.id}:{topics}", compute, STATS_TTL) or {}
    return found


def _answer_counts(community: Community, answers: Any, user_ids: list[int], *, cached: bool) -> dict[int, int]:
    """{person: answers in the community}, for the reasons shown with each suggestion."""

    def compute(ids: list[int]) -> dict[int, int]:
        rows = answers.filter(author_id__in=ids).values("author_id").annotate(n=Count("id")).values_list("author_id", "n")
        counts = dict.fromkeys(ids, 0)
        counts.update(dict(rows))
        return counts

    if not cached:
        return compute(user_ids)
    keys = {f"experts:answers:{community.id}:{u}": u for u in user_ids}
    found = {keys[k]: v for k, v in cache.get_many(list(keys)).items()}
    missing = [u for u in user_ids if u not in found]
    if missing:
        computed = compute(missing)
        cache.set_many({f"experts:answers:{community.id}:{u}": n for u, n in computed.items()}, STATS_TTL)
        found.update(computed)
    return found


def find_experts(
    *,
    text: str,
    community: Community,
    viewer: AnyUser,
    limit: int = 10,
    exclude_user_ids: set[int] | None = None,
    now: dt.datetime | None = None,
    before: dt.datetime | None = None,
) -> list[Expert]:
    """People ranked by fit to the question (see the module docstring), each with readable reasons."""
    if not community_access(community=community, user=viewer).can_read:
        return []
    now_given = now
    now = now or timezone.now()
    exclude = set(exclude_user_ids or ())
    eligible = _eligible(community)
    answers = Post.objects.filter(thread__community=community, is_opening=False, deleted_at=None, author__isnull=False)
    comments = Comment.objects.filter(
        post__thread__community=community, deleted_at=None, post__deleted_at=None, author__isnull=False
    )
    if before is not None:
        answers = answers.filter(created_at__lt=before)
        comments = comments.filter(created_at__lt=before)

    # 1. Evidence on similar threads.
    similar = similar_threads(text=text, community=community, viewer=viewer, before=before)
    evidence_scores: dict[int, float] = defaultdict(float)
    evidence: dict[int, dict[str, Any]] = defaultdict(lambda: {"answers": 0, "accepted": 0, "last": None})
    if similar:
        accepted_ids = set(
            Thread.objects.filter(id__in=similar.keys()).exclude(accepted_post=None).values_list("accepted_post_id", flat=True)
        )
        for post_id, thread_id, author_id, created, up, down in answers.filter(thread_id__in=similar.keys()).values_list(
            "id", "thread_id", "author_id", "created_at", "upvotes", "downvotes"
        ):
            is_accepted = post_id in accepted_ids
            recency = 0.5 ** (max((now - created).total_seconds() / 86400, 0) / HALF_LIFE_DAYS)
            evidence_scores[author_id] += (
                similar[thread_id] * (1 + 2 * is_accepted + 0.5 * math.log1p(max(up - down, 0))) * recency
            )
            record = evidence[author_id]
            record["answers"] += 1
            record["accepted"] += is_accepted
            if record["last"] is None or created > record["last"]:
                record["last"] = created
    # Knowledge items they wrote that cover the question (published, so reviewed), endorsed or not.
    knowledge = _knowledge_evidence(text, community, now, before=before, cached=before is None)
    for author, pieces in knowledge.items():
        evidence_scores[author] += sum(evidence for evidence, _ in pieces)
    topics = _question_topics(text, community)
    declared: dict[int, list[str]] = defaultdict(list)
    if topics:
        for user_id, name in User.objects.filter(eligible, profile__expertise__in=topics).values_list(
            "id", "profile__expertise__name"
        ):
            declared[user_id].append(name)
            evidence_scores[user_id] += 0.6

    # Answers on the question's topics: a reason shown, not part of the score (it added nothing measurable to
    # the evidence on similar threads, docs/quality.md).
    topic_answers = _topic_history(community, answers, set(topics), cached=before is None) if topics else {}

    # 2. How active each person is: their answers (and comments) in the community, fading with age.
    recent = _recent_activity(community, answers, comments, now, cached=before is None and now_given is None)

    candidates = set(evidence_scores) | set(topic_answers) | set(recent)
    if not candidates:
        return []
    # Who may be suggested: ids only (thousands in a big public community); the accounts of the chosen few below.
    allowed = set(User.objects.filter(eligible, id__in=candidates).exclude(id__in=exclude).values_list("id", flat=True))
    best_evidence = max((evidence_scores.get(u, 0.0) for u in allowed), default=0.0) or 1.0
    scores = {}
    for user_id in allowed:
        evidence_of = evidence_scores.get(user_id, 0.0)
        combined = (recent.get(user_id, (0.0, 0, 0))[0] + ACTIVITY_FLOOR) * (1 + FIT_WEIGHT * evidence_of / best_evidence)
        # People with evidence on the question come first, then those only active in the community; the score
        # says which (1..2 and 0..1), and orders each group by activity × (1 + fit).
        scores[user_id] = (1.0 if evidence_of > 0 else 0.0) + combined / (1 + combined)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    users = {u.id: u for u in User.objects.filter(id__in=[u for u, _ in ranked]).select_related("profile")}
    total_answers = _answer_counts(community, answers, [u for u, _ in ranked], cached=before is None)
    experts = []
    for user_id, score in ranked:
        if user_id not in users:  # gone between the two queries
            continue
        record = evidence.get(user_id, {"answers": 0, "accepted": 0, "last": None})
        expert = Expert(
            user=users[user_id],
            score=round(score, 4),
            answers=record["answers"],
            accepted=record["accepted"],
            last_answer=record["last"],
            matching_expertise=sorted(declared.get(user_id, [])),
            knowledge_items=[item.title for _, item in sorted(knowledge.get(user_id, []), key=lambda p: -p[0])],
            endorsements=sum(item.endorsements for _, item in knowledge.get(user_id, [])),
            on_subject=evidence_scores.get(user_id, 0.0) > 0,
        )
        expert.reasons = _reasons(
            expert,
            community_answers=total_answers.get(user_id, 0),
            topic_answers=topic_answers.get(user_id, 0),
            topic_names=sorted(topics.values())[:3],
            recent=recent.get(user_id, (0.0, 0, 0))[1:],
            now=now,
        )
        experts.append(expert)
    return experts


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _reasons(
    expert: Expert,
    *,
    community_answers: int,
    topic_answers: int,
    topic_names: list[str],
    recent: tuple[int, int],
    now: dt.datetime,
) -> list[str]:
    reasons = []
    if expert.accepted:
        when = f", most recent {timesince(expert.last_answer, now).split(',')[0]} ago" if expert.last_answer else ""
        reasons.append(f"{_plural(expert.accepted, 'accepted answer')} on similar questions{when}")
    other = expert.answers - expert.accepted
    if other > 0:
        reasons.append(f"{_plural(other, 'other answer')} on similar questions")
    if expert.knowledge_items:
        titles = expert.knowledge_items
        wrote = (
            f"wrote the knowledge item “{titles[0]}”"
            if len(titles) == 1
            else f"wrote {len(titles)} knowledge items on the subject, such as “{titles[0]}”"
        )
        times = expert.endorsements
        endorsed = f" (endorsed or marked helpful {_plural(times, 'time')})" if times else ""
        reasons.append(wrote + endorsed)
    if topic_answers and topic_names:
        reasons.append(f"{_plural(topic_answers, 'answer')} on questions about {', '.join(topic_names)}")
    if expert.matching_expertise:
        reasons.append("declares expertise in " + ", ".join(expert.matching_expertise))
    lately = [_plural(n, word) for n, word in zip(recent, ("answer", "comment"), strict=True) if n]
    if lately:
        reasons.append(f"active lately: {' and '.join(lately)} in the last 30 days")
    if community_answers:
        reasons.append(f"{_plural(community_answers, 'answer')} in this community overall")
    return reasons or ["active in this community"]
