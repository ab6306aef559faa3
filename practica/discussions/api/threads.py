"""Threads in the API: a community's list (filtered by ``filters.ThreadFilterSet``, as on the page) and new
threads, a thread with its posts, replies, linked threads, and the coordinators' moderation of a thread."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from practica.communities import selectors as community_selectors
from practica.communities.models import Community
from practica.discussions import selectors, services
from practica.discussions.api.common import (
    DiscussionsAPIView,
    post_data,
    read_thread,
    signed_in,
    summary_data,
    thread_detail_data,
)
from practica.discussions.api.permissions import MayMarkDuplicates, MayMoveThreads
from practica.discussions.api.serializers import (
    BodySerializer,
    DuplicateSerializer,
    EditConflictSerializer,
    IdeaStatusSerializer,
    LinkedPageSerializer,
    ModerateSerializer,
    MoveSerializer,
    PostSerializer,
    ThreadCreateSerializer,
    ThreadDetailSerializer,
    ThreadEditSerializer,
    ThreadSummarySerializer,
)
from practica.discussions.filters import ThreadFilterSet
from practica.discussions.models import Post, Thread
from practica.lib.api.requests import validated_data
from practica.lib.errors import ValidationError


class CommunityThreadViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Threads of a community, filtered and sorted; POST starts one (members)."""

    rate_limit_scope, rate_limit_methods = "post", ("POST",)
    serializer_class = ThreadSummarySerializer
    filterset_class = ThreadFilterSet
    queryset = Thread.objects.none()

    def get_queryset(self) -> QuerySet[Thread]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        community, access = community_selectors.community_get_readable(slug=self.kwargs["slug"], user=self.request.user)
        return selectors.threads_visible(community=community, access=access)

    @extend_schema(request=ThreadCreateSerializer, responses={201: ThreadDetailSerializer})
    def create(self, request: Request, slug: str) -> Response:
        user = signed_in(request)
        community, _ = community_selectors.community_get_readable(slug=slug, user=user)
        data = validated_data(ThreadCreateSerializer, request)
        thread = services.thread_create(
            community=community,
            author=user,
            kind=data["kind"],
            title=data["title"],
            body=data["body"],
            tags=data.get("tags", []),
        )
        return Response(thread_detail_data(request, thread.pk), status=status.HTTP_201_CREATED)


class ThreadLinkedView(DiscussionsAPIView):
    """Threads linked with this one (by links in posts, or as its duplicates) that the caller may read; most
    voted first."""

    @extend_schema(parameters=[OpenApiParameter("limit", int, description="1–50, default 10")], responses=LinkedPageSerializer)
    def get(self, request: Request, thread_id: int) -> Response:
        thread, _ = read_thread(request, thread_id)
        raw = request.query_params.get("limit", "")
        try:
            limit = int(raw) if raw else selectors.LINKED_LIMIT
        except ValueError:
            raise ValidationError({"limit": ["Give a whole number from 1 to 50."]}) from None
        if not 1 <= limit <= 50:
            raise ValidationError({"limit": ["Give a whole number from 1 to 50."]})
        linked = selectors.linked_threads(thread=thread, user=request.user, limit=limit)
        context = {"request": request, "duplicates": linked.duplicates}
        return Response(LinkedPageSerializer({"count": linked.total, "results": linked.threads}, context=context).data)


class ThreadDetailView(DiscussionsAPIView):
    """A thread with its posts; PATCH edits the opening post (title, body, tags); DELETE soft-deletes it: from then
    on the thread answers 404 (its author and coordinators are told it was deleted) until
    ``POST /posts/{opening_post}/restore/`` brings it back."""

    @extend_schema(responses=ThreadDetailSerializer)
    def get(self, request: Request, thread_id: int) -> Response:
        return Response(thread_detail_data(request, thread_id))

    @extend_schema(
        request=ThreadEditSerializer,
        responses={200: ThreadDetailSerializer, 409: OpenApiResponse(EditConflictSerializer, "edit conflict")},
    )
    def patch(self, request: Request, thread_id: int) -> Response:
        user = signed_in(request)
        thread, _ = read_thread(request, thread_id)
        data = validated_data(ThreadEditSerializer, request)
        opening = _opening_post(thread)
        services.post_edit(
            post=opening,
            editor=user,
            body=data.get("body", opening.body_source),
            expected_version=data["version"],
            title=data.get("title"),
            tags=data.get("tags"),
            note=data["note"],
        )
        return Response(thread_detail_data(request, thread.pk))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, thread_id: int) -> Response:
        user = signed_in(request)
        thread, _ = read_thread(request, thread_id)
        services.post_delete(post=_opening_post(thread), actor=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _opening_post(thread: Thread) -> Post:
    opening = thread.posts.filter(is_opening=True).first()
    if opening is None:
        raise Http404("No such thread.")
    opening.thread = thread
    return opening


class ThreadPostsView(DiscussionsAPIView):
    """Reply to a thread (members; a locked thread takes replies from coordinators only)."""

    rate_limit_scope, rate_limit_methods = "post", ("POST",)

    @extend_schema(request=BodySerializer, responses={201: PostSerializer})
    def post(self, request: Request, thread_id: int) -> Response:
        user = signed_in(request)
        thread, _ = read_thread(request, thread_id)
        data = validated_data(BodySerializer, request)
        post = services.post_create(thread=thread, author=user, body=data["body"])
        post.thread = thread
        return Response(post_data(post, user, thread), status=status.HTTP_201_CREATED)


# --- Moderation of a thread (coordinators) ----------------------------------------------------------


class ThreadModerateView(DiscussionsAPIView):
    """Lock, unlock, pin, unpin, hide or unhide a thread (coordinators)."""

    @extend_schema(request=ModerateSerializer, responses=ThreadSummarySerializer)
    def post(self, request: Request, thread_id: int) -> Response:
        user = signed_in(request)
        thread, _ = read_thread(request, thread_id)
        data = validated_data(ModerateSerializer, request)
        services.thread_moderate(thread=thread, actor=user, action=data["action"])
        return Response(summary_data(request, thread))


class ThreadMoveView(DiscussionsAPIView):
    """Move a thread to another community the coordinator also coordinates."""

    permission_classes = [*DiscussionsAPIView.permission_classes, MayMoveThreads]

    @extend_schema(request=MoveSerializer, responses=ThreadSummarySerializer)
    def post(self, request: Request, thread_id: int) -> Response:
        user = signed_in(request)
        thread, access = read_thread(request, thread_id)
        self.check_object_permissions(request, access)
        data = validated_data(MoveSerializer, request)
        try:
            target: Community = community_selectors.community_get_for_user(slug=data["community"], user=user)
        except Http404:
            raise ValidationError({"community": ["No such community."]}) from None
        services.thread_move(thread=thread, actor=user, target=target)
        return Response(summary_data(request, thread))


class ThreadDuplicateView(DiscussionsAPIView):
    """Mark a thread as a duplicate of another (``original``), or clear it with ``null`` (coordinators)."""

    permission_classes = [*DiscussionsAPIView.permission_classes, MayMarkDuplicates]

    @extend_schema(request=DuplicateSerializer, responses=ThreadSummarySerializer)
    def post(self, request: Request, thread_id: int) -> Response:
        user = signed_in(request)
        thread, access = read_thread(request, thread_id)
        self.check_object_permissions(request, access)
        data = validated_data(DuplicateSerializer, request)
        original = None
        if data["original"] is not None:
            try:
                original, _ = selectors.thread_get_for_user(thread_id=data["original"], user=user)
            except Http404:
                raise ValidationError({"original": ["No such thread."]}) from None
        services.thread_mark_duplicate(thread=thread, actor=user, original=original)
        return Response(summary_data(request, thread))


class ThreadStatusView(DiscussionsAPIView):
    """Set an idea's status with a short reason (coordinators)."""

    @extend_schema(request=IdeaStatusSerializer, responses=ThreadSummarySerializer)
    def post(self, request: Request, thread_id: int) -> Response:
        user = signed_in(request)
        thread, _ = read_thread(request, thread_id)
        data = validated_data(IdeaStatusSerializer, request)
        services.idea_status_set(thread=thread, actor=user, status=data["status"], reason=data["reason"])
        return Response(summary_data(request, thread))


