"""Reads of discovery: who is suggested to answer a question, and who was asked (routing).

The thread comes from ``discussions.selectors.thread_get_for_user`` (404 for what the viewer may not see); who may
see these lists is ``discussions.permissions.may_ask_experts`` (the asker and the coordinators).
"""

from __future__ import annotations

from django.db.models import QuerySet

from practica.communities.selectors import AnyUser
from practica.discovery.experts import Expert, find_experts
from practica.discussions.models import Thread
from practica.search.models import ExpertRequest

SUGGESTED_EXPERTS = 5  # on the thread page; the API may ask for up to MAX_SUGGESTED_EXPERTS
MAX_SUGGESTED_EXPERTS = 25


def suggested_experts(*, thread: Thread, viewer: AnyUser, limit: int = SUGGESTED_EXPERTS) -> list[Expert]:
    """The people most likely to answer the question, best first (never its asker)."""
    return find_experts(
        text=thread.title, community=thread.community, viewer=viewer, limit=limit,
        exclude_user_ids={thread.author_id or 0},
    )


def asked_expert_ids(*, thread: Thread) -> set[int]:
    return set(ExpertRequest.objects.filter(thread=thread).values_list("expert_id", flat=True))


def expert_requests_of(*, thread: Thread) -> QuerySet[ExpertRequest]:
    """Who was asked to look at the question, oldest first, with the people (and profiles) joined."""
    return (
        ExpertRequest.objects.filter(thread=thread)
        .select_related("expert", "expert__profile", "requested_by")
        .order_by("created_at", "id")
    )
