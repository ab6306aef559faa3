"""What discussions tell people, worded here and sent once the write commits.

``services.py`` schedules each function below with ``notifications.on_commit`` and the ids of what it wrote, so
a rolled-back write tells nobody and the write itself gains no query. The notifications app only delivers (the
notification centre, email, digests, webhooks); it knows nothing of threads and posts.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions.models import Comment, Mention, Post, Thread
from practica.discussions.selectors import thread_get_for_user
from practica.notifications import selectors as notification_selectors
from practica.notifications.feeds import FeedEntry
from practica.notifications.models import Kind
from practica.notifications.services import broadcast, notify, on_commit, thread_watch_automatically

SNIPPET = 300

__all__ = ["answer_accepted", "comment_created", "on_commit", "post_created", "thread_created", "thread_feed_entries",
           "thread_to_watch"]


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def _post_url(post: Post) -> str:
    url = reverse(
        "discussions:thread", kwargs={"slug": post.thread.community.slug, "thread_id": post.thread_id}
    )
    return f"{url}#post-{post.pk}"


def _mentioned(post: Post, comment: Comment | None) -> list[User]:
    qs = Mention.objects.filter(post=post, comment=comment).select_related("user")
    return [m.user for m in qs]


def _tell_mentioned(post: Post, name: str, url: str) -> None:
    """Those a thread's opening post or a reply mentions (a comment's mentions are worded apart)."""
    thread = post.thread
    notify(
        recipients=_mentioned(post, None),
        kind=Kind.MENTION,
        subject=f"{name} mentioned you in “{thread.title}”",
        text=_snippet(post.body_text),
        url=url,
        community=thread.community,
        actor=post.author,
        target=post,
    )


@transaction.atomic
def thread_created(thread_id: int, post_id: int) -> None:
    """A new thread: its author watches it, those it mentions hear of it, and so do the community's watchers
    and webhooks."""
    post = Post.objects.select_related("thread", "thread__community", "author").filter(pk=post_id).first()
    if post is None or post.thread_id != thread_id:
        return
    thread, community, author = post.thread, post.thread.community, post.author
    if author is not None:
        thread_watch_automatically(user=author, thread=thread)
    name = author.display_name if author else "Someone"
    url = _post_url(post)
    _tell_mentioned(post, name, url)
    broadcast(
        community=community,
        event="thread.created",
        subject=f"New {thread.get_kind_display().lower()}: {thread.title}",
        url=thread.get_absolute_url(),
        actor=author,
        target=post,
        tags=list(thread.tags.values_list("slug", flat=True)),
        thread=thread,
        payload={"thread": {"id": thread.pk, "title": thread.title, "kind": thread.kind}},
    )


@transaction.atomic
def post_created(post_id: int) -> None:
    """A reply: those it mentions and the thread's watchers hear of it, its author now watches the thread, and
    the community's watchers and webhooks hear of it (except who muted the thread)."""
    post = Post.objects.select_related("thread", "thread__community", "author").filter(pk=post_id).first()
    if post is None:
        return
    thread, community, author = post.thread, post.thread.community, post.author
    name = author.display_name if author else "Someone"
    url = _post_url(post)
    _tell_mentioned(post, name, url)
    notify(
        recipients=notification_selectors.thread_watchers(thread=thread),
        kind=Kind.REPLY,
        subject=f"{name} replied to “{thread.title}”",
        text=_snippet(post.body_text),
        url=url,
        community=community,
        actor=author,
        target=post,
    )
    if author is not None:
        thread_watch_automatically(user=author, thread=thread)
    broadcast(
        community=community,
        event="post.created",
        subject=f"New reply in “{thread.title}”",
        url=url,
        actor=author,
        target=post,
        tags=list(thread.tags.values_list("slug", flat=True)),
        thread=thread,
        payload={"thread": {"id": thread.pk, "title": thread.title}, "post": {"id": post.pk}},
    )


@transaction.atomic
def comment_created(comment_id: int) -> None:
    """A comment: those it mentions, the post's author and the thread's watchers hear of it (not who muted it)."""
    comment = (
        Comment.objects.select_related(
            "post", "post__thread", "post__thread__community", "post__author", "author"
        )
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        return
    post, thread, author = comment.post, comment.post.thread, comment.author
    name = author.display_name if author else "Someone"
    url = _post_url(post)
    notify(
        recipients=_mentioned(post, comment),
        kind=Kind.MENTION,
        subject=f"{name} mentioned you in a comment on “{thread.title}”",
        text=_snippet(comment.body_source),
        url=url,
        community=thread.community,
        actor=author,
        target=comment,
    )
    muted = notification_selectors.thread_muter_ids(thread=thread)
    watching = notification_selectors.thread_watchers(thread=thread)
    recipients = [u for u in [post.author, *watching] if u is not None and u.pk not in muted]
    notify(
        recipients=recipients,
        kind=Kind.COMMENT,
        subject=f"{name} commented on “{thread.title}”",
        text=_snippet(comment.body_source),
        url=url,
        community=thread.community,
        actor=author,
        target=comment,
    )


@transaction.atomic
def answer_accepted(thread_id: int, post_id: int, actor_id: int) -> None:
    """An accepted answer: its author hears of it."""
    post = Post.objects.select_related("thread", "thread__community", "author").filter(pk=post_id).first()
    if post is None or post.thread_id != thread_id or post.thread.accepted_post_id != post.pk:
        return
    actor = User.objects.filter(pk=actor_id).first()
    notify(
        recipients=[post.author] if post.author else [],
        kind=Kind.ACCEPTED,
        subject=f"Your answer to “{post.thread.title}” was accepted",
        url=_post_url(post),
        community=post.thread.community,
        actor=actor,
        target=post,
    )


def thread_feed_entries(community: Community, limit: int) -> list[FeedEntry]:
    """The community's newest threads, for its Atom feeds (``practica/notifications/feeds.py``, registered from
    ``DiscussionsConfig.ready()``)."""
    threads = (
        Thread.objects.filter(community=community, deleted_at__isnull=True, is_hidden=False)
        .select_related("author")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        FeedEntry(
            title=t.title,
            url=reverse("discussions:thread", kwargs={"slug": community.slug, "thread_id": t.pk}),
            summary=f"New {t.get_kind_display().lower()} in {community.name}",
            author=t.author.display_name if t.author else "",
            published=t.created_at,
            kind="thread",
        )
        for t in threads
    ]


def thread_to_watch(thread_id: int, user: Any) -> Thread:
    """The thread a person may watch or mute: one they may read, else 404 (``practica/notifications/targets.py``,
    registered from ``DiscussionsConfig.ready()``)."""
    thread, _access = thread_get_for_user(thread_id=thread_id, user=user)
    return thread
