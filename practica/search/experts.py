"""Who knows about this? People ranked by evidence of fit to a question, with reasons a person can check.

For a question text in a community:

    fit(person) = Σ over similar threads t: sim(t) × (1 + 2·accepted + 0.5·log(1 + votes)) × recency(answer)
                  + 0.6 × (declared expertise topics matching the question)
                  + 0.3 × log(1 + answers in the community) / log(50)      (activity prior, capped at 1)

``sim(t)`` is the similarity of thread ``t`` to the question (lexical relevance, fused with semantic
similarity when the extra is installed), normalised to 0..1; ``recency`` halves every 12 months. Only people
who may read the community are ever suggested, and never the asker.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.timesince import timesince

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState, Visibility
from practica.communities.selectors import AnyUser, community_access
from practica.discussions.models import Post, Thread
from practica.search.backends import get_backend, tokens
from practica.search.models import DocType, SearchDocument
from practica.search.selectors import _filters
from practica.topics.services import topic_normalise

SIMILAR_THREADS = 60
HALF_LIFE_DAYS = 365


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
    *, text: str, community: Community, viewer: AnyUser, before: dt.datetime | None = None, limit: int = SIMILAR_THREADS
) -> dict[int, float]:
    """{thread id: similarity 0..1} of the community's threads most similar to the text."""
    terms = tokens(text)
    if not terms:
        return {}
    filters = _filters(
        user=viewer, types=[DocType.THREAD], community_ids=[community.id], kind="", tag="", author_id=None,
        solved=None, date_from=None, date_to=None,
    )
    if before is not None:
        filters.where.append("d.created_at < %s")
        filters.params.append(before)
    candidates = get_backend().candidates(terms, filters, any_term=True, limit=limit)
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
    now = now or timezone.now()
    exclude = set(exclude_user_ids or ())
    similar = similar_threads(text=text, community=community, viewer=viewer, before=before)
    scores: dict[int, float] = defaultdict(float)
    evidence: dict[int, dict[str, Any]] = defaultdict(lambda: {"answers": 0, "accepted": 0, "last": None})
    if similar:
        accepted_ids = set(
            Thread.objects.filter(id__in=similar.keys()).exclude(accepted_post=None).values_list("accepted_post_id", flat=True)
        )
        replies = Post.objects.filter(
            thread_id__in=similar.keys(), is_opening=False, deleted_at=None, author__isnull=False
        )
        if before is not None:
            replies = replies.filter(created_at__lt=before)
        for post_id, thread_id, author_id, created, up, down in replies.values_list(
            "id", "thread_id", "author_id", "created_at", "upvotes", "downvotes"
        ):
            is_accepted = post_id in accepted_ids
            age_days = max((now - created).total_seconds() / 86400, 0)
            recency = 0.5 ** (age_days / HALF_LIFE_DAYS)
            weight = similar[thread_id] * (1 + 2 * is_accepted + 0.5 * math.log1p(max(up - down, 0))) * recency
            scores[author_id] += weight
            record = evidence[author_id]
            record["answers"] += 1
            record["accepted"] += is_accepted
            if record["last"] is None or created > record["last"]:
                record["last"] = created
    # Declared expertise matching the question's words or topics.
    wanted = {topic_normalise(t) for t in tokens(text)} | {topic_normalise(text)}
    wanted |= {"-".join(pair) for pair in zip(tokens(text), tokens(text)[1:], strict=False)}
    eligible = _eligible(community)
    declared: dict[int, list[str]] = defaultdict(list)
    for user_id, name in (
        User.objects.filter(eligible, profile__expertise__slug__in=wanted).values_list("id", "profile__expertise__name")
    ):
        declared[user_id].append(name)
    for user_id, names in declared.items():
        scores[user_id] += 0.6 * len(names)
    if not scores:
        return []
    # Activity prior: answers in this community (before the cut, if any).
    activity_qs = Post.objects.filter(
        thread__community=community, is_opening=False, deleted_at=None, author_id__in=list(scores)
    )
    if before is not None:
        activity_qs = activity_qs.filter(created_at__lt=before)
    activity = dict(activity_qs.values("author_id").annotate(n=Count("id")).values_list("author_id", "n"))
    for user_id in scores:
        scores[user_id] += 0.3 * min(1.0, math.log1p(activity.get(user_id, 0)) / math.log(50))
    users = {
        u.id: u
        for u in User.objects.filter(eligible, id__in=list(scores)).exclude(id__in=exclude).select_related("profile")
    }
    ranked = sorted((uid for uid in scores if uid in users), key=lambda uid: -scores[uid])[:limit]
    experts = []
    for user_id in ranked:
        record = evidence.get(user_id, {"answers": 0, "accepted": 0, "last": None})
        expert = Expert(
            user=users[user_id],
            score=round(scores[user_id], 4),
            answers=record["answers"],
            accepted=record["accepted"],
            last_answer=record["last"],
            matching_expertise=sorted(declared.get(user_id, [])),
        )
        expert.reasons = _reasons(expert, activity.get(user_id, 0), now)
        experts.append(expert)
    return experts


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _reasons(expert: Expert, community_answers: int, now: dt.datetime) -> list[str]:
    reasons = []
    if expert.accepted:
        when = f", most recent {timesince(expert.last_answer, now).split(',')[0]} ago" if expert.last_answer else ""
        reasons.append(f"{_plural(expert.accepted, 'accepted answer')} on similar questions{when}")
    other = expert.answers - expert.accepted
    if other > 0:
        reasons.append(f"{_plural(other, 'other answer')} on similar questions")
    if expert.matching_expertise:
        reasons.append("declares expertise in " + ", ".join(expert.matching_expertise))
    if community_answers:
        reasons.append(f"{_plural(community_answers, 'answer')} in this community overall")
    return reasons or ["active in this community"]
