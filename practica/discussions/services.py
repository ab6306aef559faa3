"""Writes for threads, posts, comments, votes, acceptance, edits, deletion and moderation.

Every function takes keyword-only arguments, checks the actor's rights through ``Access``, runs in one
transaction and keeps the thread's counters (replies, score, first response, last activity) true.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Min
from django.http.request import validate_host
from django.utils import timezone

from practica.accounts.models import User
from practica.communities import services as community_services
from practica.communities.models import Community, Membership, MembershipState, Visibility
from practica.communities.selectors import Access, communities_readable_by
from practica.communities.services import community_tags_resolve
from practica.discussions import notifications, permissions
from practica.discussions.models import (
    MAX_BODY_BYTES,
    MAX_COMMENT_LENGTH,
    MAX_TITLE_LENGTH,
    Comment,
    Flag,
    IdeaStatus,
    Mention,
    ModerationAction,
    Post,
    Revision,
    Thread,
    ThreadKind,
    Vote,
)
from practica.discussions.search import thread_changed, votes_changed
from practica.lib import activity, audit
from practica.lib.errors import ConflictError
from practica.lib.ids import id_from
from practica.lib.markdown import Rendered, render_markdown
from practica.topics.models import Topic

MAX_TAGS = community_services.MAX_TAGS  # the same limit as every tagged thing in a community


# --- Validation and rendering ---------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": ["Give your thread a title."]})
    if len(title) > MAX_TITLE_LENGTH:
        raise ValidationError({"title": [f"A title may have at most {MAX_TITLE_LENGTH} characters (it has {len(title)})."]})
    return title


def _clean_body(body: str, field: str = "body") -> str:
    body = body or ""
    if not body.strip():
        raise ValidationError({field: ["Write something: the text is empty."]})
    size = len(body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise ValidationError(
            {field: [f"The text is too long: {size:,} bytes; the limit is {MAX_BODY_BYTES:,} bytes (64 KB)."]}
        )
    return body


def _clean_kind(kind: str) -> str:
    if kind not in ThreadKind.values:
        raise ValidationError({"kind": [f"“{kind}” is not one of: {', '.join(ThreadKind.values)}."]})
    return kind


def _all_clean(*checks: Callable[[], str]) -> list[str]:
    """Run every check and raise their errors together, so a form shows each one next to its field at once."""
    cleaned: list[str] = []
    errors: dict[str, list[str]] = {}
    for check in checks:
        try:
            cleaned.append(check())
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _mention_resolver(community: Community) -> Any:
    """Only people who can read the community's content can be mentioned."""

    def resolve(candidates: set[str]) -> dict[str, str]:
        users = User.objects.filter(is_active=True, username__in=_case_variants(candidates))
        if community.visibility != Visibility.PUBLIC:
            members = Membership.objects.filter(community=community, state=MembershipState.ACTIVE).values("user_id")
            users = users.filter(id__in=members)
        return {u.username.lower(): u.username for u in users.only("username") if u.username.lower() in candidates}

    return resolve


def _case_variants(names: Iterable[str]) -> list[str]:
    # Usernames are stored lower-cased by allauth; imported ones may keep their case: match both cheaply.
    variants: set[str] = set()
    for name in names:
        variants.update({name, name.lower(), name.capitalize(), name.title()})
    return list(variants)


def _render(community: Community, source: str) -> Rendered:
    return render_markdown(source, resolve_mentions=_mention_resolver(community))


def _record_mentions(post: Post, author: User | None, usernames: Sequence[str], comment: Comment | None = None) -> None:
    if not usernames:
        return
    # NULL comments never clash in the unique constraint, so an edit would record the same mention again.
    already = Mention.objects.filter(post=post, comment=comment).values("user_id")
    users = User.objects.filter(username__in=usernames).exclude(id__in=already)
    if author is not None:
        users = users.exclude(id=author.id)
    Mention.objects.bulk_create(
        [Mention(post=post, comment=comment, user=u, author=author) for u in users], ignore_conflicts=True
    )


MAX_LINKS_PER_POST = 20
# A link to a thread's page (or a post on it), absolute or relative: in a Markdown link, an HTML anchor or bare.
_THREAD_LINK_RE = re.compile(
    r"(?:https?://(?P<host>[^/\s<>\"'()\[\]]+)|(?<![\w/.:%-]))/communities/[^/\s<>\"'()\[\]]+/threads/(?P<id>\d+)(?![\d\w])"
)


def _linked_thread_ids(text: str) -> list[int]:
    """Ids of the threads a text links to, in order met: relative links, or absolute ones to this site
    (``SITE_URL``'s host or an allowed host)."""
    site_host = urlsplit(settings.SITE_URL).netloc.lower()
    found: list[int] = []
    for match in _THREAD_LINK_RE.finditer(text):
        host = (match.group("host") or "").lower()
        if host and host != site_host and not validate_host(host.split(":")[0], settings.ALLOWED_HOSTS):
            continue
        thread_id = id_from(match.group("id"))  # None: no thread has that number, nor could one
        if thread_id is not None and thread_id not in found:
            found.append(thread_id)
    return found[:MAX_LINKS_PER_POST]


def _link_threads(thread: Thread, author: User | None, text: str) -> None:
    """Link the thread with the threads its new or edited text links to (``Thread.related``, shown as "Linked" on
    both pages) — only those the author may read, never itself. Links are kept when a later edit removes them,
    as answers quoting them may still refer to them."""
    ids = [i for i in _linked_thread_ids(text) if i != thread.pk]
    if not ids or author is None:
        return
    readable = Thread.objects.filter(
        pk__in=ids, community__in=communities_readable_by(author), deleted_at=None
    ).values_list("pk", flat=True)
    targets = list(readable)
    if targets:
        thread.related.add(*targets)


_MODERATION_WORDS = {
    "delete": "deleted", "restore": "restored", "idea-status": "set the idea status of", "hide": "hid",
    "unhide": "showed again", "lock": "locked", "unlock": "unlocked", "pin": "pinned", "unpin": "unpinned",
    "move": "moved", "duplicate": "marked as a duplicate",
}


def _log(thread: Thread, actor: User | None, action: str, post: Post | None = None, **details: Any) -> None:
    """The thread's moderation log, and the audit log (coordinators of the community and network admins read it)."""
    ModerationAction.objects.create(thread=thread, post=post, actor=actor, action=action, details=details)
    what = f"a reply in “{thread.title}”" if post is not None and not post.is_opening else f"“{thread.title}”"
    who = actor.username if actor is not None else "Someone"
    audit.record(
        actor=actor, action=f"moderation.{action}", community=thread.community,
        summary=f"{who} {_MODERATION_WORDS.get(action, action)} {what}",
        target_type="post" if post is not None else "thread", target_id=post.pk if post is not None else thread.pk,
        details={"thread": thread.pk, **details},
    )


def _refresh_first_response(thread: Thread) -> None:
    """First reply by someone other than the author, among replies that still stand."""
    first = (
        Post.objects.filter(thread=thread, is_opening=False, deleted_at=None)
        .exclude(author_id=thread.author_id)
        .aggregate(first=Min("created_at"))["first"]
    )
    replies = Post.objects.filter(thread=thread, is_opening=False, deleted_at=None).count()
    Thread.objects.filter(pk=thread.pk).update(first_response_at=first, reply_count=replies)
    thread.first_response_at, thread.reply_count = first, replies


# --- Threads and posts ----------------------------------------------------------------------------


@transaction.atomic
def thread_create(
    *,
    community: Community,
    author: User,
    kind: str,
    title: str,
    body: str,
    tags: str | Iterable[str] = (),
) -> Thread:
    """Start a question, discussion or idea. Members only; tags come from the community's topics."""
    access = Access(community, author)
    permissions.may_start_thread.require(access)
    kind, title, body = _all_clean(lambda: _clean_kind(kind), lambda: _clean_title(title), lambda: _clean_body(body))
    topics = community_tags_resolve(
        community=community, tags=tags, can_coordinate=lambda: Access(community, author).can_coordinate
    )
    rendered = _render(community, body)
    now = timezone.now()
    thread = Thread.objects.create(
        community=community,
        kind=kind,
        title=title,
        author=author,
        created_at=now,
        last_activity_at=now,
        idea_status=IdeaStatus.OPEN if kind == ThreadKind.IDEA else "",
    )
    thread.tags.set(topics)
    post = Post.objects.create(
        thread=thread,
        author=author,
        is_opening=True,
        body_source=body,
        body_html=rendered.html,
        body_text=rendered.text,
        created_at=now,
    )
    Revision.objects.create(
        post=post, number=1, editor=author, created_at=now, title=title, tags=[t.slug for t in topics], body_source=body
    )
    _record_mentions(post, author, rendered.mentions)
    _link_threads(thread, author, body)
    thread_changed(thread.pk)
    notifications.on_commit(notifications.thread_created, thread.pk, post.pk)
    activity.contributed(community=community, user=author)
    return thread


@transaction.atomic
def post_create(*, thread: Thread, author: User, body: str) -> Post:
    """Reply to a thread (members; not in a locked thread unless coordinating)."""
    access = Access(thread.community, author)
    permissions.may_read.require(access)
    permissions.may_participate.require(access, "reply")
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    permissions.may_reply.require(access, thread)
    body = _clean_body(body)
    rendered = _render(thread.community, body)
    now = timezone.now()
    post = Post.objects.create(
        thread=thread, author=author, body_source=body, body_html=rendered.html, body_text=rendered.text, created_at=now
    )
    Revision.objects.create(post=post, number=1, editor=author, created_at=now, body_source=body)
    updates: dict[str, Any] = {"reply_count": F("reply_count") + 1, "last_activity_at": now}
    if thread.first_response_at is None and author.id != thread.author_id:
        updates["first_response_at"] = now
    Thread.objects.filter(pk=thread.pk).update(**updates)
    _record_mentions(post, author, rendered.mentions)
    _link_threads(thread, author, body)
    thread_changed(thread.pk)
    notifications.on_commit(notifications.post_created, post.pk)
    activity.contributed(community=thread.community, user=author)
    return post


@transaction.atomic
def comment_create(*, post: Post, author: User, body: str) -> Comment:
    """A short clarifying comment under a post."""
    thread = post.thread
    access = Access(thread.community, author)
    permissions.may_read.require(access)
    permissions.may_comment.require(access, thread, post)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write something: the comment is empty."]})
    if len(body) > MAX_COMMENT_LENGTH:
        raise ValidationError({"body": [f"A comment may have at most {MAX_COMMENT_LENGTH} characters; write a reply instead."]})
    rendered = _render(thread.community, body)
    comment = Comment.objects.create(post=post, author=author, body_source=body, body_html=rendered.html)
    Thread.objects.filter(pk=thread.pk).update(last_activity_at=comment.created_at)
    _record_mentions(post, author, rendered.mentions, comment=comment)
    _link_threads(thread, author, body)
    thread_changed(thread.pk)
    notifications.on_commit(notifications.comment_created, comment.pk)
    activity.contributed(community=thread.community, user=author)
    return comment


@dataclass
class EditConflict:
    """What the second editor is shown: the text saved meanwhile and their own."""

    current_version: int
    current_body: str
    current_title: str
    your_body: str
    your_title: str


class PostEditConflict(ConflictError):
    def __init__(self, conflict: EditConflict) -> None:
        super().__init__(
            {"body": ["Someone else changed this post while you were editing. Compare both versions and save again."]}
        )
        self.conflict = conflict


@transaction.atomic
def post_edit(
    *,
    post: Post,
    editor: User,
    body: str,
    expected_version: int,
    title: str | None = None,
    tags: str | Iterable[str] | None = None,
    note: str = "",
) -> Post:
    """Edit a post (its author or a coordinator). Keeps a revision; refuses to overwrite a newer version."""
    thread = post.thread
    access = Access(thread.community, editor)
    permissions.may_read_post.require(access)
    permissions.may_edit.require(access, post)
    post = Post.objects.select_for_update().get(pk=post.pk)
    body = _clean_body(body)
    if title is not None:
        title = _clean_title(title)
    if len(note) > 300:
        raise ValidationError({"note": ["A change note may have at most 300 characters."]})
    if post.version != expected_version:
        raise PostEditConflict(
            EditConflict(
                current_version=post.version,
                current_body=post.body_source,
                current_title=thread.title if post.is_opening else "",
                your_body=body,
                your_title=title or "",
            )
        )
    topics: list[Topic] | None = None
    if post.is_opening:
        if title is not None and title != thread.title:
            thread.title = title
        if tags is not None:
            topics = community_tags_resolve(
                community=thread.community,
                tags=tags,
                can_coordinate=lambda: Access(thread.community, editor).can_coordinate,
            )
            thread.tags.set(topics)
        thread.save(update_fields=["title"])
    elif title is not None or tags is not None:
        raise ValidationError({"title": ["Only the opening post has a title and tags."]})
    rendered = _render(thread.community, body)
    now = timezone.now()
    post.body_source = body
    post.body_html = rendered.html
    post.body_text = rendered.text
    post.body_format = "markdown"
    post.edited_at = now
    post.version += 1
    post.save()
    Revision.objects.create(
        post=post,
        number=post.version,
        editor=editor,
        created_at=now,
        title=thread.title if post.is_opening else "",
        tags=[t.slug for t in (topics if topics is not None else thread.tags.all())] if post.is_opening else [],
        body_source=body,
        note=note.strip(),
    )
    _record_mentions(post, editor, rendered.mentions)
    _link_threads(thread, editor, body)
    thread_changed(thread.pk)
    return post


@transaction.atomic
def post_delete(*, post: Post, actor: User) -> Post:
    """Soft-delete a post (author or coordinator). Deleting the opening post deletes the thread."""
    thread = post.thread
    access = Access(thread.community, actor)
    permissions.may_read_post.require(access)
    permissions.may_delete.require(access, post)
    if post.deleted_at is not None:
        return post
    now = timezone.now()
    post.deleted_at, post.deleted_by = now, actor
    post.save(update_fields=["deleted_at", "deleted_by"])
    if post.is_opening:
        Thread.objects.filter(pk=thread.pk).update(deleted_at=now, deleted_by=actor)
    else:
        # Filter on the row, not on ``post.thread``: that instance may predate the acceptance.
        Thread.objects.filter(pk=thread.pk, accepted_post=post).update(accepted_post=None)
        _refresh_first_response(thread)
    _log(thread, actor, "delete", post)
    thread_changed(thread.pk)
    return post


@transaction.atomic
def post_restore(*, post: Post, actor: User) -> Post:
    """Undo a soft delete (the author or a coordinator)."""
    thread = post.thread
    access = Access(thread.community, actor)
    permissions.may_read_post.require(access)
    permissions.may_restore.require(access, post)
    if post.deleted_at is None:
        return post
    post.deleted_at, post.deleted_by = None, None
    post.save(update_fields=["deleted_at", "deleted_by"])
    if post.is_opening:
        Thread.objects.filter(pk=thread.pk).update(deleted_at=None, deleted_by=None)
    else:
        _refresh_first_response(thread)
    _log(thread, actor, "restore", post)
    thread_changed(thread.pk)
    return post


# --- Votes and answers ----------------------------------------------------------------------------


@transaction.atomic
def vote_set(*, post: Post, user: User, up: bool = True) -> Post:
    """Up-vote a post, or take the vote back (``up=False``). Voting twice changes nothing."""
    thread = post.thread
    access = Access(thread.community, user)
    permissions.may_read.require(access)
    permissions.may_vote.require(access, post)
    if up:
        try:
            with transaction.atomic():
                Vote.objects.create(post=post, user=user)
        except IntegrityError:
            return Post.objects.get(pk=post.pk)
        delta = 1
    else:
        deleted, _ = Vote.objects.filter(post=post, user=user).delete()
        if not deleted:
            return Post.objects.get(pk=post.pk)
        delta = -1
    Post.objects.filter(pk=post.pk).update(upvotes=F("upvotes") + delta)
    if post.is_opening:
        Thread.objects.filter(pk=thread.pk).update(score=F("score") + delta)
        votes_changed(thread.pk, delta)
    return Post.objects.get(pk=post.pk)


@transaction.atomic
def answer_accept(*, post: Post, actor: User, accept: bool = True) -> Thread:
    """Mark a reply as the accepted answer of a question (the asker or a coordinator); ``accept=False`` undoes."""
    thread = Thread.objects.select_for_update().select_related("community").get(pk=post.thread_id)
    access = Access(thread.community, actor)
    permissions.may_read_post.require(access)
    if thread.kind != ThreadKind.QUESTION:
        raise ValidationError({"detail": ["Only questions have an accepted answer."]})
    permissions.may_accept.require(access, thread)
    if post.is_opening:
        raise ValidationError({"detail": ["The question itself cannot be its answer."]})
    if post.deleted_at is not None:
        raise ValidationError({"detail": ["A deleted reply cannot be accepted."]})
    new = post if accept else None
    if accept or thread.accepted_post_id == post.id:
        thread.accepted_post = new
        thread.save(update_fields=["accepted_post"])
        thread_changed(thread.pk)
        if accept:
            notifications.on_commit(notifications.answer_accepted, thread.pk, post.pk, actor.pk)
    return thread


@transaction.atomic
def idea_status_set(*, thread: Thread, actor: User, status: str, reason: str = "") -> Thread:
    """Set an idea's status (coordinators) with a short reason."""
    access = Access(thread.community, actor)
    permissions.may_read.require(access)
    permissions.may_set_idea_status.require(access)
    if thread.kind != ThreadKind.IDEA:
        raise ValidationError({"status": ["Only ideas have a status."]})
    if status not in IdeaStatus.values:
        raise ValidationError({"status": [f"“{status}” is not one of: {', '.join(IdeaStatus.values)}."]})
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise ValidationError({"reason": ["At most 500 characters."]})
    old = thread.idea_status
    thread.idea_status, thread.idea_status_reason = status, reason
    thread.save(update_fields=["idea_status", "idea_status_reason"])
    _log(thread, actor, "idea-status", old=old, new=status, reason=reason)
    return thread


# --- Flags and moderation -------------------------------------------------------------------------


@transaction.atomic
def flag_create(*, post: Post, reporter: User, reason: str, details: str = "") -> Flag:
    """Any member flags a post for coordinators; one open flag per person and post."""
    access = Access(post.thread.community, reporter)
    permissions.may_read.require(access)
    permissions.may_flag.require(access)
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": [f"Choose a reason: {', '.join(Flag.Reason.values)}."]})
    details = (details or "").strip()
    if len(details) > 500:
        raise ValidationError({"details": ["At most 500 characters."]})
    if reason == Flag.Reason.OTHER and not details:
        raise ValidationError({"details": ["Say what is wrong."]})
    existing = Flag.objects.filter(post=post, reporter=reporter, resolved_at=None).first()
    if existing:
        return existing
    return Flag.objects.create(post=post, reporter=reporter, reason=reason, details=details)


@transaction.atomic
def flag_resolve(*, flag: Flag, actor: User, hide: bool) -> Flag:
    """A coordinator hides the flagged post or dismisses the flag; other open flags on it close too."""
    thread = flag.post.thread
    permissions.may_handle_flags.require(Access(thread.community, actor))
    now = timezone.now()
    resolution = "hidden" if hide else "dismissed"
    Flag.objects.filter(post=flag.post, resolved_at=None).update(resolved_at=now, resolved_by=actor, resolution=resolution)
    if hide:
        post_set_hidden(post=flag.post, actor=actor, hidden=True)
    flag.refresh_from_db()
    return flag


@transaction.atomic
def post_set_hidden(*, post: Post, actor: User, hidden: bool) -> Post:
    thread = post.thread
    permissions.may_hide_posts.require(Access(thread.community, actor))
    post.is_hidden = hidden
    post.save(update_fields=["is_hidden"])
    if post.is_opening:
        Thread.objects.filter(pk=thread.pk).update(is_hidden=hidden)
    _log(thread, actor, "hide" if hidden else "unhide", post)
    thread_changed(thread.pk)
    return post


THREAD_FLAGS = {
    "lock": ("is_locked", True),
    "unlock": ("is_locked", False),
    "pin": ("is_pinned", True),
    "unpin": ("is_pinned", False),
    "hide": ("is_hidden", True),
    "unhide": ("is_hidden", False),
}


@transaction.atomic
def thread_moderate(*, thread: Thread, actor: User, action: str) -> Thread:
    """Lock, unlock, pin, unpin, hide or unhide a thread (coordinators)."""
    if action not in THREAD_FLAGS:
        raise ValidationError({"action": [f"Unknown action “{action}”; use one of: {', '.join(THREAD_FLAGS)}."]})
    access = Access(thread.community, actor)
    permissions.may_read.require(access)
    permissions.may_moderate.require(access)
    field, value = THREAD_FLAGS[action]
    setattr(thread, field, value)
    thread.save(update_fields=[field])
    _log(thread, actor, action)
    thread_changed(thread.pk)
    return thread


@transaction.atomic
def thread_move(*, thread: Thread, actor: User, target: Community) -> Thread:
    """Move a thread to another community; the coordinator must coordinate both."""
    permissions.may_move.require(Access(thread.community, actor))
    if not permissions.may_move(Access(target, actor)):
        raise ValidationError({"community": ["You can move threads only to communities you coordinate."]})
    if target.pk == thread.community_id:
        raise ValidationError({"community": ["The thread is already in this community."]})
    source = thread.community
    thread.community = target
    thread.save(update_fields=["community"])
    target.topics.add(*thread.tags.all())
    _log(thread, actor, "move", source=source.slug, target=target.slug)
    thread_changed(thread.pk)
    return thread


@transaction.atomic
def thread_mark_duplicate(*, thread: Thread, actor: User, original: Thread | None) -> Thread:
    """Mark a question as a duplicate of another (or clear it with ``original=None``); both stay searchable."""
    access = Access(thread.community, actor)
    permissions.may_read.require(access)
    permissions.may_mark_duplicate.require(access)
    if original is not None:
        if original.pk == thread.pk:
            raise ValidationError({"original": ["A thread cannot duplicate itself."]})
        if not permissions.may_read(Access(original.community, actor)):
            raise ValidationError({"original": ["No such thread."]})
        if original.duplicate_of_id == thread.pk:
            raise ValidationError({"original": ["That thread is marked as a duplicate of this one."]})
    thread.duplicate_of = original
    thread.save(update_fields=["duplicate_of"])
    _log(thread, actor, "duplicate", original=original.pk if original else None)
    return thread
