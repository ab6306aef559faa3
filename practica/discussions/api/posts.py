"""Posts in the API: a post, its edits and deletion, its history, comments, votes, acceptance and flags."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from practica.discussions import permissions, selectors, services
from practica.discussions.api.common import (
    DiscussionsAPIView,
    post_data,
    read_post,
    read_thread,
    signed_in,
    summary_data,
)
from practica.discussions.api.serializers import (
    BodySerializer,
    CommentSerializer,
    EditConflictSerializer,
    FlagCreateSerializer,
    FlagSerializer,
    PostEditSerializer,
    PostSerializer,
    RevisionSerializer,
    ThreadSummarySerializer,
    VoteResultSerializer,
)
from practica.discussions.models import Revision
from practica.lib.api.requests import validated_data


class PostDetailView(DiscussionsAPIView):
    """A post; PATCH edits it (author or coordinator, ``version`` guards concurrent edits); DELETE soft-deletes it:
    from then on it answers 404 (its author and coordinators are told it was deleted) until ``POST .../restore/``."""

    @extend_schema(responses=PostSerializer)
    def get(self, request: Request, post_id: int) -> Response:
        post, _ = read_post(request, post_id)
        return Response(post_data(post, request.user))

    @extend_schema(
        request=PostEditSerializer,
        responses={200: PostSerializer, 409: OpenApiResponse(EditConflictSerializer, "edit conflict")},
    )
    def patch(self, request: Request, post_id: int) -> Response:
        user = signed_in(request)
        post, _ = read_post(request, post_id)
        data = validated_data(PostEditSerializer, request)
        thread = post.thread
        edited = services.post_edit(
            post=post, editor=user, body=data["body"], expected_version=data["version"], note=data["note"]
        )
        return Response(post_data(edited, user, thread))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, post_id: int) -> Response:
        user = signed_in(request)
        post, _ = read_post(request, post_id)
        services.post_delete(post=post, actor=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostRestoreView(DiscussionsAPIView):
    """Undo a soft delete (the author or a coordinator)."""

    @extend_schema(request=None, responses=PostSerializer)
    def post(self, request: Request, post_id: int) -> Response:
        user = signed_in(request)
        post, _ = selectors.post_get_for_user(post_id=post_id, user=user, deleted=True)
        restored = services.post_restore(post=post, actor=user)
        return Response(post_data(restored, user, post.thread))


class PostRevisionsView(DiscussionsAPIView, generics.ListAPIView):
    """A post's revisions, oldest first: who, when, and the text (title and tags for an opening post)."""

    serializer_class = RevisionSerializer
    queryset = Revision.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        post, access = read_post(self.request, self.kwargs["post_id"])
        permissions.may_see_history.require(access, post)
        return selectors.revisions_of(post=post)


class PostCommentsView(DiscussionsAPIView):
    """A short clarifying comment under a post."""

    rate_limit_scope, rate_limit_methods = "post", ("POST",)

    @extend_schema(request=BodySerializer, responses={201: CommentSerializer})
    def post(self, request: Request, post_id: int) -> Response:
        user = signed_in(request)
        post, _ = read_post(request, post_id)
        data = validated_data(BodySerializer, request)
        comment = services.comment_create(post=post, author=user, body=data["body"])
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class PostVoteView(DiscussionsAPIView):
    """Up-vote a post (POST, idempotent) or take the vote back (DELETE). Not on one's own post."""

    def _vote(self, request: Request, post_id: int, up: bool) -> Response:
        user = signed_in(request)
        post, _ = read_post(request, post_id)
        post = services.vote_set(post=post, user=user, up=up)
        return Response(VoteResultSerializer(post, context={"voted": up}).data)

    @extend_schema(request=None, responses=VoteResultSerializer)
    def post(self, request: Request, post_id: int) -> Response:
        return self._vote(request, post_id, up=True)

    @extend_schema(request=None, responses={200: VoteResultSerializer})
    def delete(self, request: Request, post_id: int) -> Response:
        return self._vote(request, post_id, up=False)


class PostAcceptView(DiscussionsAPIView):
    """Mark a reply as the accepted answer (the asker or a coordinator); DELETE unmarks it."""

    def _accept(self, request: Request, post_id: int, accept: bool) -> Response:
        user = signed_in(request)
        post, _ = read_post(request, post_id)
        thread = services.answer_accept(post=post, actor=user, accept=accept)
        thread, _ = read_thread(request, thread.pk)
        return Response(summary_data(request, thread))

    @extend_schema(request=None, responses=ThreadSummarySerializer)
    def post(self, request: Request, post_id: int) -> Response:
        return self._accept(request, post_id, accept=True)

    @extend_schema(request=None, responses={200: ThreadSummarySerializer})
    def delete(self, request: Request, post_id: int) -> Response:
        return self._accept(request, post_id, accept=False)


class PostFlagView(DiscussionsAPIView):
    """Flag a post for the coordinators with a reason (members)."""

    @extend_schema(request=FlagCreateSerializer, responses={201: FlagSerializer})
    def post(self, request: Request, post_id: int) -> Response:
        user = signed_in(request)
        post, _ = read_post(request, post_id)
        data = validated_data(FlagCreateSerializer, request)
        flag = services.flag_create(post=post, reporter=user, reason=data["reason"], details=data["details"])
        flag.post = post
        return Response(FlagSerializer(flag).data, status=status.HTTP_201_CREATED)
