"""Permission-scoped reads of threads and posts: 404 for anything in a community the viewer may not read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.http import Http404

from practica.communities.models import Community, Membership, MembershipState
from practica.communities.selectors import Access, AnyUser, communities_readable_by
from practica.discussions import permissions
from practica.discussions.models import Comment, Flag, Post, Thread, ThreadKind, Vote
from practica.lib import activity
from practica.topics.models import Topic

SORTS = {
    "activity": ("-is_pinned", "-last_activity_at", "-id"),
    "newest": ("-is_pinned", "-created_at", "-id"),
    "votes": ("-is_pinned", "-score", "-last_activity_at", "-id"),
}


def _thread_card_related(qs: QuerySet[Thread], *, join_community: bool = False) -> QuerySet[Thread]:
    """Authors joined; tags (and, for one community's lists, the community) prefetched. Joining the community
    in a one-community list makes SQLite sort every thread before paging (see docs/benchmarks.md)."""
    related = ["author", "author__profile", "community"] if join_community else ["author", "author__profile"]
    prefetch: list[Any] = [Prefetch("tags", queryset=Topic.objects.order_by("name"))]
    if not join_community:
        prefetch.append("community")
    return qs.select_related(*related).prefetch_related(*prefetch)


def threads_visible(*, community: Community, access: Access) -> QuerySet[Thread]:
    """The threads of a community its list shows this viewer, unfiltered and unsorted. Callers have checked
    ``access.can_read``. Hidden threads show to coordinators (and their authors) only; deleted ones to nobody."""
    qs = Thread.objects.filter(community=community, deleted_at=None)
    if not access.can_coordinate:
        qs = qs.filter(Q(is_hidden=False) | Q(author_id=getattr(access.user, "id", None)))
    return qs


def threads_filter(
    threads: QuerySet[Thread],
    *,
    user: AnyUser,
    kind: str = "",
    tag: str = "",
    status: str = "",
    mine: bool = False,
    sort: str = "activity",
    q: str = "",
) -> QuerySet[Thread]:
    """The list's filters and order, ready for cards (``filters.ThreadFilterSet`` parses them from a query).

    ``tag`` is a topic slug. ``status`` is one of ``solved``, ``unsolved`` (questions without an accepted answer)
    or ``unanswered`` (no reply yet)."""
    qs = threads
    if kind:
        qs = qs.filter(kind=kind)
    if tag:
        qs = qs.filter(tags__slug=tag)
    if status == "solved":
        qs = qs.filter(accepted_post__isnull=False)
    elif status == "unsolved":
        qs = qs.filter(kind=ThreadKind.QUESTION, accepted_post__isnull=True)
    elif status == "unanswered":
        qs = qs.filter(reply_count=0)
    if mine and user.is_authenticated:
        qs = qs.filter(author=user)
    if q:
        qs = qs.filter(title__icontains=q)
    return _thread_card_related(qs.order_by(*SORTS.get(sort, SORTS["activity"])))


def threads_list(
    *,
    community: Community,
    access: Access,
    kind: str = "",
    tag: str = "",
    status: str = "",
    mine: bool = False,
    sort: str = "activity",
    q: str = "",
) -> QuerySet[Thread]:
    """Threads of a community, filtered and sorted (``threads_visible`` then ``threads_filter``)."""
    return threads_filter(
        threads_visible(community=community, access=access),
        user=access.user, kind=kind, tag=tag, status=status, mine=mine, sort=sort, q=q,
    )


def feed_for_user(*, user: AnyUser, limit: int = 20) -> QuerySet[Thread]:
    """Latest activity across the communities the person is an active member of (home page)."""
    if not user.is_authenticated:
        return Thread.objects.none()
    mine = Membership.objects.filter(user=user, state=MembershipState.ACTIVE).values("community_id")
    qs = Thread.objects.filter(community_id__in=mine, deleted_at=None, is_hidden=False).order_by("-last_activity_at")
    return _thread_card_related(qs, join_community=True)[:limit]


def _deleted(what: str) -> Http404:
    """The 404 that the people who may restore a deleted thread or post (its author and the coordinators) get
    for it; everyone else gets the same "No such ..." as for one that never existed."""
    return Http404(f"This {what} was deleted; its author or a coordinator can restore it.")


def thread_get_for_user(
    *, thread_id: int, user: AnyUser, slug: str | None = None, deleted: bool = False
) -> tuple[Thread, Access]:
    """A thread the user may read, with their access; 404 otherwise (also for hidden threads that only their
    author and coordinators may see).

    A deleted thread is 404 to everyone, as after any DELETE; ``deleted=True`` lets its author and the
    coordinators still reach it, for the two places that need it: its page, which shows them the thread marked
    as deleted with a Restore button (answering 404 all the same), and restoring it."""
    thread = (
        Thread.objects.select_related("community", "author", "author__profile", "duplicate_of", "accepted_post")
        .filter(pk=thread_id)
        .first()
    )
    if thread is None or (slug is not None and thread.community.slug.lower() != slug.lower()):
        raise Http404("No such thread.")
    access = Access(thread.community, user)
    if not access.can_read:
        raise Http404("No such thread.")
    # Its author still sees a hidden thread (marked as such), to fix it.
    is_author = user.is_authenticated and thread.author_id == user.id
    if (thread.deleted_at or thread.is_hidden) and not access.can_coordinate and not is_author:
        raise Http404("No such thread.")
    if thread.deleted_at and not deleted:
        raise _deleted("thread")
    activity.read(community=thread.community, user=user)  # recorded after a successful GET (lib/activity.py)
    return thread, access


def post_get_for_user(*, post_id: int, user: AnyUser, deleted: bool = False) -> tuple[Post, Access]:
    """A post the user may read, with their access; 404 otherwise. A deleted post, or any post of a deleted
    thread, is 404 to everyone; ``deleted=True`` (restoring it) lets its author and the coordinators reach it."""
    post = Post.objects.select_related("thread", "thread__community", "author").filter(pk=post_id).first()
    if post is None:
        raise Http404("No such post.")
    thread, access = thread_get_for_user(thread_id=post.thread_id, user=user, deleted=deleted)
    post.thread = thread
    may_restore = access.can_coordinate or (user.is_authenticated and post.author_id == user.id)
    if post.deleted_at and not may_restore:
        raise Http404("No such post.")
    if post.deleted_at and not deleted:
        raise _deleted("post")
    # A reply hidden by a coordinator is left out of the thread page for everyone else; so it is here.
    if post.is_hidden and not post.is_opening and not access.can_coordinate:
        raise Http404("No such post.")
    return post, access


@dataclass(frozen=True)
class ThreadFlags:
    """What the thread page offers this viewer, from the rules in ``permissions``."""

    can_participate: bool
    can_accept: bool
    can_moderate: bool
    can_reply: bool = False
    can_set_idea_status: bool = False
    can_mark_duplicate: bool = False
    can_move: bool = False


def thread_flags(*, thread: Thread, access: Access) -> ThreadFlags:
    return ThreadFlags(
        can_participate=permissions.may_participate(access),
        can_accept=thread.kind == ThreadKind.QUESTION and permissions.may_accept(access, thread),
        can_moderate=permissions.may_moderate(access),
        can_reply=permissions.may_reply(access, thread),
        can_set_idea_status=thread.kind == ThreadKind.IDEA and permissions.may_set_idea_status(access),
        can_mark_duplicate=thread.kind == ThreadKind.QUESTION and permissions.may_mark_duplicate(access),
        can_move=permissions.may_move(access),
    )


@dataclass(frozen=True)
class PostFlags:
    """What one post offers this viewer (its buttons and links on the thread page)."""

    can_vote: bool
    can_accept: bool
    can_edit: bool
    can_flag: bool
    can_comment: bool


def post_flags(*, thread: Thread, post: Post, access: Access, thread_flags: ThreadFlags) -> PostFlags:
    """``post`` belongs to ``thread`` (given so that no post reads its thread again)."""
    viewer_id = access.user.id if access.user.is_authenticated else None
    stands = post.deleted_at is None
    return PostFlags(
        can_vote=permissions.may_vote(access, post),
        can_accept=thread_flags.can_accept and not post.is_opening and stands,
        can_edit=permissions.may_edit(access, post),
        # Flagging one's own post is allowed, but not offered.
        can_flag=permissions.may_flag(access) and post.author_id != viewer_id and stands,
        can_comment=permissions.may_comment(access, thread, post),
    )


@dataclass
class ThreadPage:
    thread: Thread
    opening: Post | None
    replies: list[Post]
    my_votes: set[int]
    tags: list[Topic]
    reply_total: int = 0
    page_number: int = 1
    num_pages: int = 1

    @property
    def has_previous(self) -> bool:
        return self.page_number > 1

    @property
    def has_next(self) -> bool:
        return self.page_number < self.num_pages


REPLIES_PER_PAGE = 30


def thread_page(*, thread: Thread, access: Access, page: int | None = None, per_page: int = REPLIES_PER_PAGE) -> ThreadPage:
    """Everything the thread page shows, in a fixed number of queries whatever the number of replies.

    Replies come accepted answer first, then oldest first; ``page`` (1-based) pages them ``per_page`` at a time,
    ``None`` gives them all (the API).
    """
    show_deleted = access.can_coordinate
    comments = Comment.objects.select_related("author", "author__profile").order_by("created_at", "id")
    if not show_deleted:
        comments = comments.filter(deleted_at=None)
    base = Post.objects.filter(thread=thread)
    viewer_id = access.user.id if access.user.is_authenticated else None
    if not show_deleted:
        base = base.filter(Q(deleted_at=None) | Q(author_id=viewer_id) if viewer_id else Q(deleted_at=None))
        base = base.filter(Q(is_hidden=False) | Q(is_opening=True))
    with_people = base.select_related("author", "author__profile")
    accepted_first = Case(When(id=thread.accepted_post_id or 0, then=Value(0)), default=Value(1))
    replies_qs = with_people.filter(is_opening=False).order_by(accepted_first, "created_at", "id")
    if page is None:
        replies = list(replies_qs)
        total, number, pages = len(replies), 1, 1
    else:
        total = base.filter(is_opening=False).count()
        pages = max(1, -(-total // per_page))
        number = min(max(1, page), pages)
        replies = list(replies_qs[(number - 1) * per_page : number * per_page])
    opening = with_people.filter(is_opening=True).first()
    # The comments of the opening post and of the replies shown, in one query.
    prefetch_related_objects(([opening] if opening else []) + replies, Prefetch("comments", queryset=comments))
    my_votes: set[int] = set()
    if viewer_id:
        shown = [p.id for p in replies] + ([opening.id] if opening else [])
        my_votes = set(Vote.objects.filter(user_id=viewer_id, post_id__in=shown).values_list("post_id", flat=True))
    return ThreadPage(
        thread=thread,
        opening=opening,
        replies=replies,
        my_votes=my_votes,
        tags=list(thread.tags.order_by("name")),
        reply_total=total,
        page_number=number,
        num_pages=pages,
    )


LINKED_LIMIT = 10  # linked threads shown on a thread's page (the API may ask for up to 50)


@dataclass
class LinkedThreads:
    """Threads linked with one thread that the viewer may read: the first ``limit`` and how many in all."""

    threads: list[Thread]
    total: int
    duplicates: set[int]  # which of them are marked as duplicates of the thread

    @property
    def more(self) -> int:
        return self.total - len(self.threads)


def _readable_threads(user: AnyUser) -> QuerySet[Thread]:
    """Threads anyone who may read their community sees: not deleted, not hidden."""
    return Thread.objects.filter(community__in=communities_readable_by(user), deleted_at=None, is_hidden=False)


def linked_threads(*, thread: Thread, user: AnyUser, limit: int = LINKED_LIMIT) -> LinkedThreads:
    """The threads linked with this one — a post of either links to the other (or Stack Exchange said they are
    related or duplicates), or one is marked as a duplicate of this one — among those the viewer may read; most
    voted first, then most recently active. One query whatever their number (the total is a window count)."""
    # One indexed lookup each, united: "id IN (links) OR duplicate_of = thread" made both engines scan the table
    # (24 ms on SQLite, 16 ms on PostgreSQL with 100,000 threads).
    linked_ids = RawSQL(
        "SELECT to_thread_id FROM discussions_thread_related WHERE from_thread_id = %s "
        "UNION SELECT id FROM discussions_thread WHERE duplicate_of_id = %s",
        (thread.pk, thread.pk),
    )
    threads: list[Thread] = list(
        _readable_threads(user)
        .filter(pk__in=linked_ids)
        .exclude(pk=thread.pk)
        .select_related("community")
        .annotate(linked_total=Window(Count("pk")))
        .order_by("-score", "-last_activity_at", "-id")[: max(0, limit)]
    )
    return LinkedThreads(
        threads=threads,
        total=threads[0].linked_total if threads else 0,  # type: ignore[attr-defined]
        duplicates={t.pk for t in threads if t.duplicate_of_id == thread.pk},
    )


def visible_originals(threads: list[Thread], user: AnyUser) -> set[int]:
    """Of the threads these ones are marked duplicates of, those the viewer may read (one query, none when no
    thread is a duplicate): a duplicate in a public community must not show a private original's title."""
    ids = {t.duplicate_of_id for t in threads if t.duplicate_of_id is not None}
    if not ids:
        return set()
    return set(_readable_threads(user).filter(pk__in=ids).values_list("pk", flat=True))


def unheard_queue(*, community: Community) -> QuerySet[Thread]:
    """Questions with no answer, and discussions or ideas with no reply from anyone but their author —
    oldest first, each marked when its author is a newcomer (their first thread in this community)."""
    earlier = Thread.objects.filter(
        community=community, author_id=OuterRef("author_id"), created_at__lt=OuterRef("created_at")
    )
    qs = (
        Thread.objects.filter(community=community, deleted_at=None, is_hidden=False, first_response_at=None)
        .annotate(author_is_newcomer=~Exists(earlier))
        .order_by("created_at", "id")
    )
    return _thread_card_related(qs)


def unheard_count(*, community: Community) -> int:
    return Thread.objects.filter(community=community, deleted_at=None, is_hidden=False, first_response_at=None).count()


def open_flags(*, community: Community) -> QuerySet[Flag]:
    return (
        Flag.objects.filter(post__thread__community=community, resolved_at=None)
        .select_related("post", "post__thread", "post__author", "reporter")
        .order_by("created_at")
    )


def flag_get_for_user(*, flag_id: int, user: AnyUser) -> tuple[Flag, Access]:
    """A flag, as visible as its post (404 outside the communities the user may read); a flag on a post deleted
    since is still reachable, to resolve it (the post stays deleted)."""
    flag = Flag.objects.filter(pk=flag_id).first()
    if flag is None:
        raise Http404("No such flag.")
    post, access = post_get_for_user(post_id=flag.post_id, user=user, deleted=True)
    flag.post = post
    return flag, access


def revisions_of(*, post: Post) -> list[Any]:
    return list(post.revisions.select_related("editor").order_by("number"))


def user_contributions(*, user: Any, viewer: AnyUser, limit: int = 20) -> QuerySet[Post]:
    """A person's recent posts in communities the viewer may read (for their profile page)."""
    readable = communities_readable_by(viewer).values("id")
    return (
        Post.objects.filter(author=user, deleted_at=None, is_hidden=False, thread__deleted_at=None,
                            thread__is_hidden=False, thread__community_id__in=readable)
        .select_related("thread", "thread__community")
        .order_by("-created_at")[:limit]
    )
