"""Thread pages: lists, asking, the thread with replies and comments, votes, edits and moderation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.accounts.ratelimit import rate_limited
from practica.communities import selectors as community_selectors
from practica.communities.models import Community
from practica.discussions import hooks, permissions, selectors, services
from practica.discussions.filters import ThreadFilterSet
from practica.discussions.forms import (
    CommentForm,
    EditForm,
    FlagForm,
    IdeaStatusForm,
    ReplyForm,
    ThreadForm,
)
from practica.discussions.models import Post, Thread
from practica.lib.diff import line_diff
from practica.lib.forms import add_service_errors
from practica.lib.http import flash_errors, render_page, signed_in_user
from practica.lib.ids import id_from


@require_GET
def thread_list(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = community_selectors.community_get_readable(slug=slug, user=request.user)
    # The API's filters (a query that does not parse lists every thread here, and answers 400 there).
    filterset = ThreadFilterSet(
        request.GET or None, queryset=selectors.threads_visible(community=community, access=access), request=request
    )
    page = Paginator(filterset.qs, 20).get_page(request.GET.get("page"))
    context = {
        "community": community,
        "access": access,
        "form": filterset.form,
        "page": page,
        "topics": community.topics.order_by("name"),
        "unheard_count": selectors.unheard_count(community=community) if permissions.may_see_unheard(access) else None,
    }
    return render_page(request, "discussions/thread_list.html", context, partial="discussions/_thread_results.html")


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("post")
def thread_create(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = community_selectors.community_get_readable(slug=slug, user=request.user)
    if not permissions.may_participate(access):
        messages.info(request, "Join this community to ask a question or start a discussion.")
        return redirect(community)
    initial = {"kind": request.GET.get("kind", "question"), "title": request.GET.get("title", "")}
    form = ThreadForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            thread = services.thread_create(
                community=community,
                author=signed_in_user(request),
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                tags=data["tags"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your thread is posted.")
            return redirect(thread.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "discussions/thread_form.html",
        {"community": community, "access": access, "form": form, "topics": community.topics.order_by("name")},
        status=status,
    )


def _thread_context(request: HttpRequest, thread: Thread, access: Any, **extra: Any) -> dict[str, Any]:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    page = selectors.thread_page(thread=thread, access=access, page=number)
    flags = selectors.thread_flags(thread=thread, access=access)
    _prepare_posts(request, thread, access, page, flags)
    context = {
        "community": thread.community,
        "access": access,
        "thread": thread,
        "page": page,
        "reply_form": ReplyForm(),
        "comment_form": CommentForm(),
        "can_accept": flags.can_accept,
        "can_participate": flags.can_participate,
        "can_reply": flags.can_reply,
        "can_moderate": flags.can_moderate,
        "can_set_idea_status": flags.can_set_idea_status,
        "can_mark_duplicate": flags.can_mark_duplicate,
        "status_form": IdeaStatusForm(initial={"status": thread.idea_status}),
        "coordinated": _coordinated_communities(request, thread.community) if flags.can_move else [],
        "routing": hooks.routing(request, thread, access),
        "linked": selectors.linked_threads(thread=thread, user=request.user),
        "original_visible": thread.duplicate_of_id in selectors.visible_originals([thread], request.user),
    }
    context.update(extra)
    return context


class PostView:
    """What ``_post.html`` shows of one post for this viewer, computed once in Python: the thread page renders
    up to 31 posts, and per-post template logic (conditions on the user, ``{% url %}``, nested includes) was most
    of its time (see docs/benchmarks.md)."""

    __slots__ = (
        "accept_url", "author_url", "by_asker", "can_accept", "can_comment", "can_edit", "can_flag", "can_vote",
        "comment_url", "comments", "created_ago", "created_iso", "created_title", "delete_url", "deleted_ago",
        "edit_url", "edited_ago", "flag_url", "is_accepted", "revisions_url", "vote_url", "voted",
    )

    def __init__(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self, name, value)


def _prepare_posts(
    request: HttpRequest, thread: Thread, access: Any, page: Any, flags: selectors.ThreadFlags
) -> None:
    """Set ``post.ui`` (a :class:`PostView`) on the page's opening post and replies, and ``comment.author_url``."""
    from django.utils.formats import date_format
    from django.utils.timesince import timesince
    from django.utils.timezone import localtime

    from practica.lib.templatetags.practica import url_for

    # Dates as the template filters would write them (``|date:'c'``, ``{{ value }}``, ``|timesince``), in the
    # viewer's time zone (activated by UserTimezoneMiddleware for this request).
    def ago(moment: Any) -> str:
        return timesince(moment) if moment else ""

    profile_urls: dict[str, str] = {}

    def profile_url(author: Any) -> str:
        if author is None:
            return ""
        if author.username not in profile_urls:
            profile_urls[author.username] = url_for("people:profile", author.username)
        return profile_urls[author.username]

    posts = ([page.opening] if page.opening else []) + list(page.replies)
    for post in posts:
        comments = list(post.comments.all())
        for comment in comments:
            comment.author_url = profile_url(comment.author)
            comment.created_iso = localtime(comment.created_at).isoformat()
            comment.created_ago = ago(comment.created_at)
        created = localtime(post.created_at)
        allowed = selectors.post_flags(thread=thread, post=post, access=access, thread_flags=flags)
        post.ui = PostView(
            created_iso=created.isoformat(),
            created_title=date_format(created, "DATETIME_FORMAT"),
            created_ago=ago(post.created_at),
            edited_ago=ago(post.edited_at) if post.version > 1 else "",
            deleted_ago=ago(post.deleted_at),
            voted=post.id in page.my_votes,
            can_vote=allowed.can_vote,
            is_accepted=post.id == thread.accepted_post_id,
            can_accept=allowed.can_accept,
            can_edit=allowed.can_edit,
            can_flag=allowed.can_flag,
            can_comment=allowed.can_comment,
            by_asker=post.author_id == thread.author_id and not post.is_opening,
            comments=comments,
            author_url=profile_url(post.author),
            vote_url=url_for("discussions:vote", post.id),
            accept_url=url_for("discussions:accept", post.id),
            # A deleted post can only be restored (its edit and history pages answer 404, as in the API).
            edit_url="" if post.deleted_at else url_for("discussions:edit", post.id),
            delete_url=url_for("discussions:delete", post.id),
            revisions_url="" if post.deleted_at else url_for("discussions:revisions", post.id),
            flag_url=url_for("discussions:flag", post.id),
            comment_url=url_for("discussions:comment", post.id),
        )


def _coordinated_communities(request: HttpRequest, current: Community) -> list[Community]:
    """Where the thread may move: the other communities whose coordinators' rules let the viewer act."""
    return list(community_selectors.communities_coordinated_by(request.user).exclude(id=current.id).order_by("name"))


@require_GET
def thread_detail(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    # A deleted thread answers 404, as in the API; its author and the coordinators see it marked, to restore it.
    thread, access = selectors.thread_get_for_user(thread_id=thread_id, user=request.user, slug=slug, deleted=True)
    status = 404 if thread.deleted_at else 200
    return render(request, "discussions/thread.html", _thread_context(request, thread, access), status=status)


@login_required
@require_POST
@rate_limited("post")
def reply(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    thread, access = selectors.thread_get_for_user(thread_id=thread_id, user=request.user, slug=slug)
    form = ReplyForm(request.POST)
    form.is_valid()
    try:
        post = services.post_create(thread=thread, author=signed_in_user(request), body=form.cleaned_data.get("body", ""))
    except ValidationError as exc:
        add_service_errors(form, exc)
        return render(
            request, "discussions/thread.html", _thread_context(request, thread, access, reply_form=form), status=400
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(thread.get_absolute_url())
    return redirect(f"{thread.get_absolute_url()}#post-{post.pk}")


@login_required
@require_POST
@rate_limited("post")
def comment(request: HttpRequest, post_id: int) -> HttpResponse:
    post, _access = selectors.post_get_for_user(post_id=post_id, user=request.user)
    form = CommentForm(request.POST)
    form.is_valid()
    try:
        created = services.comment_create(post=post, author=signed_in_user(request), body=form.cleaned_data.get("body", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect(f"{post.thread.get_absolute_url()}#post-{post.pk}")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(post.thread.get_absolute_url())
    return redirect(f"{post.thread.get_absolute_url()}#comment-{created.pk}")


@login_required
@require_POST
def vote(request: HttpRequest, post_id: int) -> HttpResponse:
    post, access = selectors.post_get_for_user(post_id=post_id, user=request.user)
    up = request.POST.get("up", "1") == "1"
    error = ""
    try:
        post = services.vote_set(post=post, user=signed_in_user(request), up=up)
    except PermissionDenied as exc:
        error = str(exc)
    voted = post.votes.filter(user=signed_in_user(request)).exists()
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "discussions/_vote.html",
            {"post": post, "voted": voted, "vote_error": error, "can_vote": permissions.may_vote(access, post)},
            status=403 if error else 200,
        )
    if error:
        messages.error(request, error)
    return redirect(f"{post.thread.get_absolute_url()}#post-{post.pk}")


@login_required
@require_POST
def accept(request: HttpRequest, post_id: int) -> HttpResponse:
    post, _access = selectors.post_get_for_user(post_id=post_id, user=request.user)
    undo = request.POST.get("undo") == "1"
    try:
        services.answer_accept(post=post, actor=signed_in_user(request), accept=not undo)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "Answer unmarked." if undo else "Marked as the accepted answer.")
    return redirect(f"{post.thread.get_absolute_url()}#post-{post.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, post_id: int) -> HttpResponse:
    post, access = selectors.post_get_for_user(post_id=post_id, user=request.user)
    thread = post.thread
    permissions.may_edit.require(access, post)
    initial = {
        "title": thread.title,
        "tags": ", ".join(t.name for t in thread.tags.order_by("name")),
        "body": post.body_source,
        "version": post.version,
    }
    form = EditForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.post_edit(
                post=post,
                editor=signed_in_user(request),
                body=data["body"],
                expected_version=data["version"],
                title=data["title"] if post.is_opening else None,
                tags=data["tags"] if post.is_opening else None,
                note=data["note"],
            )
        except services.PostEditConflict as exc:
            conflict = exc.conflict
            form = EditForm(
                initial={**request.POST.dict(), "version": conflict.current_version},
            )
            form.is_bound = False
            messages.error(request, exc.messages[0])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect(f"{thread.get_absolute_url()}#post-{post.pk}")
    status = 409 if conflict else (400 if request.method == "POST" else 200)
    context = {
        "community": thread.community,
        "access": access,
        "thread": thread,
        "post": post,
        "form": form,
        "conflict": conflict,
        "conflict_diff": line_diff(conflict.current_body, conflict.your_body) if conflict else None,
    }
    return render(request, "discussions/edit.html", context, status=status)


@require_GET
def revisions(request: HttpRequest, post_id: int) -> HttpResponse:
    post, access = selectors.post_get_for_user(post_id=post_id, user=request.user)
    permissions.may_see_history.require(access, post)
    history = selectors.revisions_of(post=post)
    entries = []
    previous = None
    for revision in history:
        entries.append(
            {
                "revision": revision,
                "diff": line_diff(previous.body_source, revision.body_source) if previous else None,
                "title_changed": previous is not None and previous.title != revision.title,
                "previous_title": previous.title if previous else "",
                "tags_changed": previous is not None and previous.tags != revision.tags,
            }
        )
        previous = revision
    entries.reverse()
    return render(
        request,
        "discussions/revisions.html",
        {"community": post.thread.community, "access": access, "thread": post.thread, "post": post, "entries": entries},
    )


@login_required
@require_POST
def delete(request: HttpRequest, post_id: int) -> HttpResponse:
    post, access = selectors.post_get_for_user(post_id=post_id, user=request.user, deleted=True)
    restore = request.POST.get("restore") == "1"
    if restore:
        services.post_restore(post=post, actor=signed_in_user(request))
        messages.success(request, "Restored.")
    else:
        services.post_delete(post=post, actor=signed_in_user(request))
        messages.success(request, "Deleted. You or a coordinator can still restore it.")
    if post.is_opening and not restore and not access.can_coordinate:
        return redirect("discussions:list", slug=post.thread.community.slug)
    return redirect(f"{post.thread.get_absolute_url()}#post-{post.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def flag(request: HttpRequest, post_id: int) -> HttpResponse:
    post, access = selectors.post_get_for_user(post_id=post_id, user=request.user)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_create(
                post=post, reporter=signed_in_user(request), reason=form.cleaned_data["reason"], details=form.cleaned_data["details"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Thank you: the coordinators will look at it.")
            return redirect(f"{post.thread.get_absolute_url()}#post-{post.pk}")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "discussions/flag.html",
        {"community": post.thread.community, "access": access, "post": post, "thread": post.thread, "form": form},
        status=status,
    )


@login_required
@require_POST
def moderate(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    thread, _access = selectors.thread_get_for_user(thread_id=thread_id, user=request.user, slug=slug)
    action = request.POST.get("action", "")
    try:
        if action == "move":
            try:
                target = community_selectors.community_get_for_user(slug=request.POST.get("community", ""), user=request.user)
            except Http404:
                raise ValidationError({"community": ["Choose a community you coordinate."]}) from None
            services.thread_move(thread=thread, actor=signed_in_user(request), target=target)
            messages.success(request, f"Moved to {target.name}.")
        elif action == "duplicate":
            original = _thread_from_reference(request.POST.get("original", ""), request)
            services.thread_mark_duplicate(thread=thread, actor=signed_in_user(request), original=original)
            messages.success(request, "Marked as a duplicate." if original else "No longer marked as a duplicate.")
        elif action == "status":
            form = IdeaStatusForm(request.POST)
            if not form.is_valid():
                raise ValidationError({"status": ["Choose a status."]})
            services.idea_status_set(
                thread=thread, actor=signed_in_user(request), status=form.cleaned_data["status"], reason=form.cleaned_data["reason"]
            )
            messages.success(request, "Status updated.")
        else:
            services.thread_moderate(thread=thread, actor=signed_in_user(request), action=action)
            messages.success(request, f"Done: {action}.")
    except ValidationError as exc:
        flash_errors(request, exc)
    thread.refresh_from_db()
    return redirect(thread.get_absolute_url())


def _thread_from_reference(reference: str, request: HttpRequest) -> Thread | None:
    """A thread from its number or URL (``/communities/x/threads/12/`` or ``12``); empty clears."""
    reference = reference.strip().rstrip("/")
    if not reference:
        return None
    tail = reference.split("/")[-1]
    if not (tail.isascii() and tail.isdigit()):  # "²" is a digit to str.isdigit, not to int()
        raise ValidationError({"original": ["Give the number or the address of the original thread."]})
    thread_id = id_from(tail)
    if thread_id is None:
        raise ValidationError({"original": ["No such thread."]})
    try:
        thread, _ = selectors.thread_get_for_user(thread_id=thread_id, user=request.user)
    except Http404:
        raise ValidationError({"original": ["No such thread."]}) from None
    return thread


@login_required
@require_GET
def unheard(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = community_selectors.community_get_readable(slug=slug, user=request.user)
    permissions.may_see_unheard.require(access)
    page = Paginator(selectors.unheard_queue(community=community), 30).get_page(request.GET.get("page"))
    return render(request, "discussions/unheard.html", {"community": community, "access": access, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def flags(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = community_selectors.community_get_readable(slug=slug, user=request.user)
    permissions.may_see_flags.require(access)
    if request.method == "POST":
        flag_id = id_from(request.POST.get("flag"))
        if flag_id is None:
            raise Http404("No such flag.")
        item, _ = selectors.flag_get_for_user(flag_id=flag_id, user=request.user)
        if item.post.thread.community_id != community.pk:  # a flag of another community is not on this queue
            raise Http404("No such flag.")
        services.flag_resolve(flag=item, actor=signed_in_user(request), hide=request.POST.get("hide") == "1")
        messages.success(request, "Post hidden." if request.POST.get("hide") == "1" else "Flag dismissed.")
        return redirect("discussions:flags", slug=community.slug)
    return render(
        request,
        "discussions/flags.html",
        {"community": community, "access": access, "flags": selectors.open_flags(community=community)},
    )


def post_url(post: Post) -> str:
    return reverse("discussions:thread", kwargs={"slug": post.thread.community.slug, "thread_id": post.thread_id})
