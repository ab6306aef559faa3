"""What the discussions API views share: reading through the selectors, and the payloads of a thread and a post."""

from __future__ import annotations

from typing import Any, cast

from rest_framework.request import Request
from rest_framework.views import APIView

from practica.accounts.models import User
from practica.communities.selectors import Access
from practica.discussions import selectors
from practica.discussions.api.serializers import (
    PostSerializer,
    ThreadDetailSerializer,
    ThreadSummarySerializer,
)
from practica.discussions.models import Post, Thread


class DiscussionsAPIView(APIView):
    """Base of this app's API views. Writes need a signed-in caller (the project's default permission,
    ``IsAuthenticatedOrReadOnly``); a service's ``ConflictError`` becomes 409 in the project's handler."""


def signed_in(request: Request) -> User:
    """The caller, once a permission class has required a signed-in one."""
    return cast(User, request.user)


def read_thread(request: Request, thread_id: int) -> tuple[Thread, Access]:
    return selectors.thread_get_for_user(thread_id=thread_id, user=request.user)


def read_post(request: Request, post_id: int) -> tuple[Post, Access]:
    return selectors.post_get_for_user(post_id=post_id, user=request.user)


def thread_detail_data(request: Request, thread_id: int) -> dict[str, Any]:
    """The thread as the caller may see it, in a fixed number of queries whatever its size."""
    thread, access = read_thread(request, thread_id)
    page = selectors.thread_page(thread=thread, access=access)
    context = {"request": request, "accepted_post_id": thread.accepted_post_id, "my_votes": page.my_votes,
               "tags": page.tags, "page": page}
    return dict(ThreadDetailSerializer(thread, context=context).data)


def post_data(post: Post, user: Any, thread: Thread | None = None) -> dict[str, Any]:
    thread = thread or post.thread
    voted = bool(user.is_authenticated and post.votes.filter(user=user).exists())
    context = {"accepted_post_id": thread.accepted_post_id, "my_votes": {post.id} if voted else set()}
    return dict(PostSerializer(post, context=context).data)


def summary_data(request: Request, thread: Thread) -> dict[str, Any]:
    return dict(ThreadSummarySerializer(thread, context={"request": request}).data)
