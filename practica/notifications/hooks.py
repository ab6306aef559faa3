"""What other apps' writes mean for notifications. Each function takes ids and runs after the write commits
(the callers schedule it with ``transaction.on_commit``), so it adds no query to the write itself."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState, Role
from practica.discussions.models import Comment, Mention, Post, Thread
from practica.notifications.models import Kind, Subscription
from practica.notifications.services import (
    _broadcast,
    notify,
    thread_watch_automatically,
)

SNIPPET = 300


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def _post_url(post: Post) -> str:
    url = reverse(
        "discussions:thread", kwargs={"slug": post.thread.community.slug, "thread_id": post.thread_id}
    )
    return f"{url}#post-{post.pk}"


def _thread_watchers(thread: Thread) -> list[User]:
    ids = Subscription.objects.filter(thread=thread, muted=False).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _mentioned(post: Post, comment: Comment | None) -> list[User]:
    qs = Mention.objects.filter(post=post, comment=comment).select_related("user")
    return [m.user for m in qs]


def on_commit(function: object, *args: int) -> None:
    """Schedule ``function(*args)`` after the current transaction commits. Robust: a failure (say the mail
    server is down) is logged and never turns the user's successful write into an error page."""
    transaction.on_commit(lambda: function(*args), robust=True)  # type: ignore[operator]


@transaction.atomic
def thread_created(thread_id: int, post_id: int) -> None:
    post = Post.objects.select_related("thread", "thread__community", "author").filter(pk=post_id).first()
    if post is None or post.thread_id != thread_id:
        return
    thread, community, author = post.thread, post.thread.community, post.author
    if author is not None:
        thread_watch_automatically(user=author, thread=thread)
    name = author.display_name if author else "Someone"
    url = _post_url(post)
    notify(
        recipients=_mentioned(post, None),
        kind=Kind.MENTION,
        subject=f"{name} mentioned you in “{thread.title}”",
        text=_snippet(post.body_text),
        url=url,
        community=community,
        actor=author,
        target=post,
    )
    _broadcast(
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
    post = Post.objects.select_related("thread", "thread__community", "author").filter(pk=post_id).first()
    if post is None:
        return
    thread, community, author = post.thread, post.thread.community, post.author
    name = author.display_name if author else "Someone"
    url = _post_url(post)
    notify(
        recipients=_mentioned(post, None),
        kind=Kind.MENTION,
        subject=f"{name} mentioned you in “{thread.title}”",
        text=_snippet(post.body_text),
        url=url,
        community=community,
        actor=author,
        target=post,
    )
    notify(
        recipients=_thread_watchers(thread),
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
    _broadcast(
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
    common = {"url": url, "community": thread.community, "actor": author, "target": comment}
    notify(
        recipients=_mentioned(post, comment),
        kind=Kind.MENTION,
        subject=f"{name} mentioned you in a comment on “{thread.title}”",
        text=_snippet(comment.body_source),
        **common,  # type: ignore[arg-type]
    )
    muted = set(Subscription.objects.filter(thread=thread, muted=True).values_list("user_id", flat=True))
    recipients = [u for u in [post.author, *_thread_watchers(thread)] if u is not None and u.pk not in muted]
    notify(
        recipients=recipients,
        kind=Kind.COMMENT,
        subject=f"{name} commented on “{thread.title}”",
        text=_snippet(comment.body_source),
        **common,  # type: ignore[arg-type]
    )


@transaction.atomic
def answer_accepted(thread_id: int, post_id: int, actor_id: int) -> None:
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


@transaction.atomic
def join_requested(community_id: int, user_id: int) -> None:
    community = Community.objects.filter(pk=community_id).first()
    user = User.objects.filter(pk=user_id).first()
    if community is None or user is None:
        return
    coordinators = [
        m.user
        for m in Membership.objects.filter(
            community=community, state=MembershipState.ACTIVE, role=Role.COORDINATOR
        ).select_related("user")
    ]
    notify(
        recipients=coordinators,
        kind=Kind.JOIN_REQUEST,
        subject=f"{user.display_name} asks to join {community.name}",
        url=reverse("communities:requests", kwargs={"slug": community.slug}),
        community=community,
        actor=user,
        target=user,
    )


@transaction.atomic
def expert_requested(request_id: int) -> None:
    from practica.search.models import ExpertRequest

    request = (
        ExpertRequest.objects.select_related("thread", "thread__community", "expert", "requested_by")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return
    thread = request.thread
    asker = request.requested_by
    notify(
        recipients=[request.expert],
        kind=Kind.EXPERT_REQUEST,
        subject=f"{asker.display_name if asker else 'Someone'} asks you to look at “{thread.title}”",
        text=", ".join(str(r) for r in request.reasons[:3]) if isinstance(request.reasons, list) else "",
        url=thread.get_absolute_url(),
        community=thread.community,
        actor=asker,
        target=thread,
    )
