"""Capture: a draft prefilled from a thread, or from a meeting's notes, crediting the people it came from."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community
from practica.communities.selectors import Access
from practica.discussions.models import Post, Thread
from practica.discussions.selectors import thread_get_for_user
from practica.knowledge import permissions
from practica.knowledge.models import (
    MAX_BODY_BYTES,
    MAX_FIELD_LENGTH,
    MAX_SUMMARY_LENGTH,
    MAX_TITLE_LENGTH,
    KnowledgeAuthor,
    KnowledgeItem,
    KnowledgeKind,
)
from practica.knowledge.services.items import apply_content, credit
from practica.knowledge.services.validation import clean_body, clean_kind, clean_title, collect
from practica.lib import activity

TOP_REPLIES = 3


def _quote_post(post: Post, heading: str) -> str:
    who = f" — @{post.author.username}" if post.author else ""
    return f"## {heading}{who}\n\n{post.body_source.strip()}\n"


@transaction.atomic
def capture_from_thread(*, user: User, thread: Thread, kind: str = KnowledgeKind.LESSON_LEARNED) -> KnowledgeItem:
    """A draft prefilled from a thread: the question, the accepted answer and the most-voted replies, crediting
    their authors and linked to the thread. The capturer edits it before submitting for review."""
    # A deleted thread is 404 (its author and coordinators are told to restore it first).
    thread, access = thread_get_for_user(thread_id=thread.pk, user=user)
    permissions.may_read_community.require(access)
    permissions.may_capture.require(access)
    kind = clean_kind(kind)
    posts = Post.objects.filter(thread=thread, deleted_at=None, is_hidden=False).select_related("author")
    opening = posts.filter(is_opening=True).first()
    accepted = posts.filter(pk=thread.accepted_post_id).first() if thread.accepted_post_id else None
    others = list(
        posts.filter(is_opening=False)
        .exclude(pk=thread.accepted_post_id or 0)
        .annotate(net=F("upvotes") - F("downvotes"))
        .filter(net__gt=0)
        .order_by("-net", "created_at")[:TOP_REPLIES]
    )
    parts = []
    if opening:
        parts.append(_quote_post(opening, "The question"))
    if accepted:
        parts.append(_quote_post(accepted, "The accepted answer"))
    for post in others:
        parts.append(_quote_post(post, f"A reply with {post.score} vote{'s' if post.score != 1 else ''}"))
    body = "\n".join(parts)
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        body = body.encode("utf-8")[:MAX_BODY_BYTES].decode("utf-8", "ignore")
    lead = accepted or opening
    summary_source = lead.body_text if lead is not None else ""
    summary = " ".join(summary_source.split())
    if len(summary) > MAX_SUMMARY_LENGTH:
        summary = summary[: MAX_SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    fields: dict[str, str] = {}
    if kind == KnowledgeKind.LESSON_LEARNED:
        fields["context"] = " ".join((opening.body_text if opening else "").split())[:MAX_FIELD_LENGTH]
        if accepted:
            fields["what_we_learned"] = " ".join(accepted.body_text.split())[:MAX_FIELD_LENGTH]
    now = timezone.now()
    item = KnowledgeItem(
        community=thread.community,
        kind=kind,
        title=thread.title[:MAX_TITLE_LENGTH],
        summary=summary,
        created_by=user,
        created_at=now,
        updated_at=now,
        source_thread=thread,
        source_title=thread.title[:300],
        source_url=thread.get_absolute_url(),
    )
    apply_content(item, {"body": body, "fields": fields})
    item.save()
    item.tags.set(list(thread.tags.all()))
    credit(item, [user], KnowledgeAuthor.Role.EDITOR)
    contributors = [p.author for p in [opening, accepted, *others] if p is not None]
    credit(item, contributors, KnowledgeAuthor.Role.CONTRIBUTOR)
    activity.contributed(community=thread.community, user=user)
    return item


@transaction.atomic
def capture_from_notes(
    *,
    user: User,
    community: Community,
    title: str,
    body_markdown: str,
    source_title: str,
    source_url: str,
    credited: Iterable[User],
    kind: str = KnowledgeKind.LESSON_LEARNED,
) -> KnowledgeItem:
    """A draft from a meeting's notes (or any other source), crediting the people named and keeping where it came
    from as text (``source_title``, ``source_url``)."""
    access = Access(community, user)
    permissions.may_read_community.require(access)
    permissions.may_capture.require(access)
    data = collect(
        {
            "kind": lambda: clean_kind(kind),
            # The title is made by the caller (meeting title and date): shorten it rather than refuse it.
            "title": lambda: clean_title(" ".join((title or "").split())[:MAX_TITLE_LENGTH]),
            "body": lambda: clean_body(body_markdown),
        }
    )
    source_url = (source_url or "").strip()
    if not source_url.startswith(("/", "https://", "http://")):
        source_url = ""  # only links a reader can safely follow
    now = timezone.now()
    item = KnowledgeItem(
        community=community,
        created_by=user,
        created_at=now,
        updated_at=now,
        source_title=" ".join((source_title or "").split())[:300],
        source_url=source_url[:500],
    )
    apply_content(item, data)
    item.save()
    credit(item, [user], KnowledgeAuthor.Role.EDITOR)
    credit(item, list(credited), KnowledgeAuthor.Role.CONTRIBUTOR)
    activity.contributed(community=community, user=user)
    return item
