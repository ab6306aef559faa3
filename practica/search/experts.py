"""Who knows about this? People ranked by evidence of fit to a question, with reasons a person can check.

Three rankings of the people who may read the community, fused by reciprocal rank (k = 10):

1. evidence on similar threads: Σ over similar threads t of sim(t) × (1 + 2·accepted + 0.5·log(1 + votes)) ×
   recency (halving every 12 months), plus 0.6 for each declared expertise topic the question names;
2. answer history on the question's topics: Σ over topics of idf(topic) × (answers + accepted answers);
3. who is around: 3 × answers in the last 7 days + 1.5 × in the last 30 + 0.5 × in the last 90, a comment
   counting half an answer.

``sim(t)`` is the similarity of thread ``t`` to the question (lexical relevance, fused with semantic similarity
when the extra is installed), normalised to 0..1. The asker is never suggested. Measured against "most active
answerers" in docs/quality.md.
"""

from __future__ import annotations

import datetime as dt
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
from practica.discussions.models import Comment, Post, Thread
from practica.search.backends import get_backend, tokens
from practica.search.models import DocType, SearchDocument
from practica.search.selectors import _filters, more_like_this_terms, sql_datetime
from practica.search.semantic import rrf
from practica.topics.services import topic_normalise

SIMILAR_THREADS = 60
HALF_LIFE_DAYS = 365
RRF_K = 10


@dataclass
class Expert:
    user: User
    score: float
    reasons: list[str] = field(default_factory=list)
    answers: int = 0
    accepted: int = 0
    last_answer: dt.datetime | None = None
    matching_expertise: list[str] = field(default_factory=list)


def similar_threads(
    *, text: str, community: Community, viewer: AnyUser, before: dt.datetime | None = None, limit: int | None = None
) -> dict[int, float]:
    """{thread id: similarity 0..1} of the community's threads most similar to the text (``SIMILAR_THREADS``
    of them unless ``limit`` says otherwise; read at call time, so a changed setting takes effect)."""
    limit = limit or SIMILAR_THREADS
    terms = more_like_this_terms("", "", text, get_backend())
    if not terms:
        return {}
    filters = _filters(
        user=viewer, types=[DocType.THREAD], community_ids=[community.id], kind="", tag="", author_id=None,
        solved=None, date_from=None, date_to=None,
    )
    if before is not None:
        filters.where.append("d.created_at < %s")
        filters.params.append(sql_datetime(before))
    candidates = get_backend().candidates(terms, filters, any_term=True, limit=limit, whole_words=True)
    if not candidates:
        return {}
    from practica.search import semantic

    if semantic.available():
        fused = semantic.fuse_candidates(text=text, community_ids=[community.id], lexical=candidates, limit=limit)
        if fused is not None:
            candidates = fused
    best = max(score for _, score in candidates) or 1.0
    doc_to_thread = dict(
        SearchDocument.objects.filter(id__in=[i for i, _ in candidates]).values_list("id", "object_id")
    )
    return {doc_to_thread[i]: score / best for i, score in candidates if i in doc_to_thread}


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


COMMENT_WEIGHT = 0.5  # a comment counts half an answer in "who is around"


def _recent_activity(
    community: Community, answers: Any, comments: Any, now: dt.datetime, *, cached: bool
) -> dict[int, tuple[float, int, int]]:
    """{author: (activity score, answers and comments in the last 30 days)} of everyone who answered or commented
    in the community in the last 90 days; the score is 3 × the last 7 days + 1.5 × the last 30 + 0.5 × the last 90,
    a comment counting ``COMMENT_WEIGHT`` of an answer."""

    def counts(rows: Any) -> list[tuple[int, int, int, int]]:
        rows = (
            rows.filter(created_at__gte=now - dt.timedelta(days=90), created_at__lt=now)
            .values("author_id")
            .annotate(
                week=Count("id", filter=Q(created_at__gte=now - dt.timedelta(days=7))),
                month=Count("id", filter=Q(created_at__gte=now - dt.timedelta(days=30))),
                quarter=Count("id"),
            )
        )
        return [(r["author_id"], r["week"], r["month"], r["quarter"]) for r in rows]

    def compute() -> dict[int, tuple[float, int, int]]:
        found: dict[int, tuple[float, int, int]] = {}
        for (rows, weight, is_answer) in ((counts(answers), 1.0, True), (counts(comments), COMMENT_WEIGHT, False)):
            for author, week, month, quarter in rows:
                score, month_answers, month_comments = found.get(author, (0.0, 0, 0))
                found[author] = (
                    score + weight * (3 * week + 1.5 * month + 0.5 * quarter),
                    month_answers + month * is_answer,
                    month_comments + month * (not is_answer),
                )
        return found

    if not cached:
        return compute()
    found: dict[int, tuple[float, int, int]] = cache.get_or_set(f"experts:recent:{community.id}", compute, STATS_TTL) or {}
    return found


def _topic_history(
    community: Community, answers: Any, topic_ids: set[int], *, cached: bool
) -> tuple[int, dict[int, int], list[tuple[int, int, int, int]]]:
    """(threads in the community, {topic: its threads}, [(author, topic, answers, accepted answers)])."""

    def threads_total() -> int:
        return max(1, Thread.objects.filter(community=community).count())

    def topic(topic_id: int) -> tuple[int, list[tuple[int, int, int]]]:
        through = Thread.tags.through
        count = through.objects.filter(topic_id=topic_id, thread__community=community).count()
        rows = (
            answers.filter(thread__tags=topic_id)
            .values("author_id")
            .annotate(n=Count("id"), accepted=Count("accepted_in"))
            .values_list("author_id", "n", "accepted")
        )
        return count, list(rows)

    if not cached:
        total = threads_total()
        per_topic = {t: topic(t) for t in topic_ids}
    else:
        total = int(cache.get_or_set(f"experts:threads:{community.id}", threads_total, STATS_TTL) or 1)
        keys = {t: f"experts:topic:{community.id}:{t}" for t in topic_ids}
        found = cache.get_many(list(keys.values()))
        per_topic = {}
        for t, key in keys.items():
            if key not in found:
                found[key] = topic(t)
                cache.set(key, found[key], STATS_TTL)
            per_topic[t] = found[key]
    frequency = {t: count for t, (count, _) in per_topic.items()}
    rows = [(author, t, n, accepted) for t, (_, authors) in per_topic.items() for author, n, accepted in authors]
    return total, frequency, rows


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


def _rank(scores: dict[int, float]) -> list[int]:
    return [uid for uid, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]


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
    topics = _question_topics(text, community)
    declared: dict[int, list[str]] = defaultdict(list)
    if topics:
        for user_id, name in User.objects.filter(eligible, profile__expertise__in=topics).values_list(
            "id", "profile__expertise__name"
        ):
            declared[user_id].append(name)
            evidence_scores[user_id] += 0.6

    # 2. Answer history on the question's topics (rarer topics weigh more).
    topic_scores: dict[int, float] = defaultdict(float)
    topic_answers: dict[int, int] = defaultdict(int)
    if topics:
        threads_total, frequency, rows = _topic_history(community, answers, set(topics), cached=before is None)
        for author_id, topic_id, n, accepted in rows:
            idf = math.log(threads_total / (1 + frequency.get(topic_id, 0))) + 0.1
            topic_scores[author_id] += idf * (n + accepted)
            topic_answers[author_id] += n

    # 3. Who is around: answers and comments in the community lately (last week, month, quarter).
    recent = _recent_activity(community, answers, comments, now, cached=before is None and now_given is None)
    recent_scores = {author: score for author, (score, _, _) in recent.items()}

    candidates = set(evidence_scores) | set(topic_scores) | set(recent_scores)
    if not candidates:
        return []
    # Who may be suggested: ids only (thousands in a big public community); the accounts of the chosen few below.
    allowed = set(User.objects.filter(eligible, id__in=candidates).exclude(id__in=exclude).values_list("id", flat=True))
    fused = rrf(
        [u for u in _rank(evidence_scores) if u in allowed],
        [u for u in _rank(topic_scores) if u in allowed],
        [u for u in _rank(recent_scores) if u in allowed],
        k=RRF_K,
    )[:limit]
    users = {u.id: u for u in User.objects.filter(id__in=[u for u, _ in fused]).select_related("profile")}
    total_answers = _answer_counts(community, answers, [u for u, _ in fused], cached=before is None)
    experts = []
    for user_id, score in fused:
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
