"""REST API for threads, posts, comments, votes, accepted answers, revisions, flags, moderation and the
unheard queue (see ../shared/API.md).

Views are thin: every read goes through a permission-scoped selector (404 for anything in a community the
caller may not read) and every write through a service, whose ``ValidationError``/``PermissionDenied`` the
project's exception handler turns into 400/403. Edit conflicts answer 409 with both versions.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practica.accounts.authentication import authenticated_user
from practica.accounts.models import User
from practica.communities import selectors as community_selectors
from practica.communities.models import Community
from practica.communities.selectors import Access
from practica.discussions import selectors, services
from practica.discussions.models import (
    Comment,
    Flag,
    IdeaStatus,
    Post,
    Revision,
    Thread,
    ThreadKind,
)
from practica.lib.api.requests import validated_data
from practica.lib.errors import ValidationError
from practica.lib.ids import MAX_ID
from practica.topics.services import MAX_TOPIC_LENGTH, topic_normalise

MAX_TAG_ITEMS = 50

# --- Input ----------------------------------------------------------------------------------------


@extend_schema_field({"type": "array", "items": {"type": "string", "maxLength": MAX_TOPIC_LENGTH}})
class TagsField(serializers.Field):
    """Tags as a list of topic names or slugs, or one comma-separated string."""

    default_error_messages = {
        "invalid": "Give tags as a list of names or a comma-separated string.",
        "too_many": f"At most {MAX_TAG_ITEMS} tags.",
    }

    def to_internal_value(self, data: Any) -> list[str]:
        if isinstance(data, str):
            data = data.split(",")
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            self.fail("invalid")
        if len(data) > MAX_TAG_ITEMS:
            self.fail("too_many")
        if any("\x00" in item for item in data):
            self.fail("invalid")
        return [str(item) for item in data]

    def to_representation(self, value: Any) -> list[str]:
        return list(value)


def _text(**kwargs: Any) -> serializers.CharField:
    """Free text whose emptiness and length the service checks (with clearer messages than DRF's)."""
    return serializers.CharField(allow_blank=True, trim_whitespace=False, **kwargs)


class ThreadCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ThreadKind.choices)
    title = _text()
    body = _text()
    tags = TagsField(required=False)


class ThreadEditSerializer(serializers.Serializer):
    title = _text(required=False)
    body = _text(required=False)
    tags = TagsField(required=False)
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class BodySerializer(serializers.Serializer):
    body = _text()


class PostEditSerializer(serializers.Serializer):
    body = _text()
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class FlagCreateSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Flag.Reason.choices)
    details = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class FlagResolveSerializer(serializers.Serializer):
    hide = serializers.BooleanField(required=False, default=False)


class ModerateSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(services.THREAD_FLAGS))


class MoveSerializer(serializers.Serializer):
    community = serializers.CharField(max_length=100)


class DuplicateSerializer(serializers.Serializer):
    original = serializers.IntegerField(min_value=1, max_value=MAX_ID, allow_null=True)


class IdeaStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=IdeaStatus.choices)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ThreadFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ThreadKind.choices, required=False, allow_blank=True, default="")
    tag = serializers.CharField(max_length=MAX_TOPIC_LENGTH, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(
        choices=["solved", "unsolved", "unanswered"], required=False, allow_blank=True, default=""
    )
    mine = serializers.BooleanField(required=False, default=False)
    sort = serializers.ChoiceField(choices=list(selectors.SORTS), required=False, default="activity")
    q = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


# --- Output ---------------------------------------------------------------------------------------


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(source="author.username", default=None, allow_null=True)
    body = serializers.CharField(source="body_source")
    body_html = serializers.CharField()
    created_at = serializers.DateTimeField()
    is_deleted = serializers.SerializerMethodField()
    external_id = serializers.CharField()

    def get_is_deleted(self, obj: Comment) -> bool:
        return obj.deleted_at is not None


class PostSerializer(serializers.Serializer):
    """A reply (or the opening post) with its comments. ``context``: ``accepted_post_id`` and ``my_votes``."""

    id = serializers.IntegerField()
    thread = serializers.IntegerField(source="thread_id")
    author = serializers.CharField(source="author.username", default=None, allow_null=True)
    body = serializers.CharField(source="body_source")
    body_html = serializers.CharField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()
    score = serializers.IntegerField()
    upvotes = serializers.IntegerField()
    downvotes = serializers.IntegerField()
    is_accepted = serializers.SerializerMethodField()
    is_deleted = serializers.BooleanField()
    is_hidden = serializers.BooleanField()
    external_id = serializers.CharField()
    comments = CommentSerializer(many=True, source="comments.all")
    voted = serializers.SerializerMethodField()

    def get_is_accepted(self, obj: Post) -> bool:
        return obj.id is not None and obj.id == self.context.get("accepted_post_id")

    def get_voted(self, obj: Post) -> bool:
        return obj.id in self.context.get("my_votes", ())


class ThreadSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    community = serializers.CharField(source="community.slug")
    kind = serializers.CharField()
    title = serializers.CharField()
    author = serializers.CharField(source="author.username", default=None, allow_null=True)
    tags = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    last_activity_at = serializers.DateTimeField()
    reply_count = serializers.IntegerField()
    score = serializers.IntegerField()
    is_solved = serializers.BooleanField()
    accepted_post = serializers.IntegerField(source="accepted_post_id", allow_null=True)
    idea_status = serializers.CharField()
    idea_status_reason = serializers.CharField()
    duplicate_of = serializers.SerializerMethodField()
    is_locked = serializers.BooleanField()
    is_pinned = serializers.BooleanField()
    is_hidden = serializers.BooleanField()
    is_deleted = serializers.BooleanField()
    external_id = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_tags(self, obj: Thread) -> list[str]:
        # ``tags`` may be handed over already loaded (the thread page) or prefetched (lists).
        tags = self.context.get("tags")
        return [t.slug for t in (tags if tags is not None else obj.tags.all())]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_duplicate_of(self, obj: Thread) -> int | None:
        """The original's id — null unless the caller may read it (see ``selectors.visible_originals``)."""
        if obj.duplicate_of_id is None:
            return None
        visible = self.context.get("visible_originals")
        if visible is None:  # computed once for all the threads being serialised (a page of a list, or one)
            request = self.context.get("request")
            if request is None:  # nobody to check the original against: say nothing of it
                return None
            root: Any = self.root.instance
            threads: list[Thread] = list(root) if isinstance(root, (list, tuple, QuerySet)) else [obj]
            visible = selectors.visible_originals(threads, request.user)
            cast(dict[str, Any], self.context)["visible_originals"] = visible
        return obj.duplicate_of_id if obj.duplicate_of_id in visible else None

    def get_url(self, obj: Thread) -> str:
        request = self.context.get("request")
        url = obj.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class ThreadDetailSerializer(ThreadSummarySerializer):
    """The thread with its opening post (``body``, ``version``, ``comments``) and its replies (``posts``)."""

    opening_post = serializers.IntegerField(allow_null=True)
    body = serializers.CharField()
    body_html = serializers.CharField()
    version = serializers.IntegerField()
    voted = serializers.BooleanField()
    comments = CommentSerializer(many=True)
    posts = PostSerializer(many=True)


class UnheardSerializer(ThreadSummarySerializer):
    age_seconds = serializers.SerializerMethodField()
    author_is_newcomer = serializers.BooleanField()

    def get_age_seconds(self, obj: Thread) -> int:
        now = self.context.get("now") or timezone.now()
        return max(0, int((now - obj.created_at).total_seconds()))


class RevisionSerializer(serializers.ModelSerializer):
    editor = serializers.CharField(source="editor.username", default=None, allow_null=True)
    body = serializers.CharField(source="body_source")
    tags = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Revision
        fields = ["number", "editor", "created_at", "title", "tags", "body", "note"]


class FlagSerializer(serializers.ModelSerializer):
    post = serializers.IntegerField(source="post_id")
    thread = serializers.IntegerField(source="post.thread_id")
    thread_title = serializers.CharField(source="post.thread.title")
    post_author = serializers.CharField(source="post.author.username", default=None, allow_null=True)
    post_excerpt = serializers.SerializerMethodField()
    reporter = serializers.CharField(source="reporter.username")
    resolved_by = serializers.CharField(source="resolved_by.username", default=None, allow_null=True)

    class Meta:
        model = Flag
        fields = [
            "id", "post", "thread", "thread_title", "post_author", "post_excerpt", "reporter", "reason", "details",
            "created_at", "resolved_at", "resolved_by", "resolution",
        ]

    def get_post_excerpt(self, obj: Flag) -> str:
        return obj.post.body_text[:300]


class VoteResultSerializer(serializers.Serializer):
    post = serializers.IntegerField()
    score = serializers.IntegerField()
    upvotes = serializers.IntegerField()
    voted = serializers.BooleanField()


class _VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    body = serializers.CharField()


class EditConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    body = serializers.ListField(child=serializers.CharField())
    current = _VersionSerializer()
    yours = _VersionSerializer()


# --- Helpers --------------------------------------------------------------------------------------




def _thread(request: Request, thread_id: int) -> tuple[Thread, Access]:
    return selectors.thread_get_for_user(thread_id=thread_id, user=request.user)


def _post(request: Request, post_id: int) -> tuple[Post, Access]:
    return selectors.post_get_for_user(post_id=post_id, user=request.user)


def _require_coordinator(access: Access, message: str) -> None:
    if not access.can_coordinate:
        raise PermissionDenied(message)


def thread_detail_data(request: Request, thread_id: int) -> dict[str, Any]:
    """The thread as the caller may see it, in a fixed number of queries whatever its size."""
    thread, access = _thread(request, thread_id)
    page = selectors.thread_page(thread=thread, access=access)
    opening = page.opening
    context = {"request": request, "accepted_post_id": thread.accepted_post_id, "my_votes": page.my_votes,
               "tags": page.tags}
    data = dict(ThreadSummarySerializer(thread, context=context).data)
    data.update(
        opening_post=opening.id if opening else None,
        body=opening.body_source if opening else "",
        body_html=opening.body_html if opening else "",
        version=opening.version if opening else 0,
        voted=bool(opening and opening.id in page.my_votes),
        comments=CommentSerializer(opening.comments.all() if opening else [], many=True).data,
        posts=PostSerializer(page.replies, many=True, context=context).data,
    )
    return data


def _post_data(post: Post, user: Any, thread: Thread | None = None) -> dict[str, Any]:
    thread = thread or post.thread
    voted = bool(user.is_authenticated and post.votes.filter(user=user).exists())
    context = {"accepted_post_id": thread.accepted_post_id, "my_votes": {post.id} if voted else set()}
    return dict(PostSerializer(post, context=context).data)


def _summary(request: Request, thread_id: int) -> dict[str, Any]:
    thread, _ = _thread(request, thread_id)
    return dict(ThreadSummarySerializer(thread, context={"request": request}).data)


class DiscussionsAPIView(APIView):
    """Base of this app's API views (a service's ``ConflictError`` becomes 409 in the project's handler)."""


# --- Threads --------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=ThreadKind.values, description="question, discussion or idea"),
            OpenApiParameter("tag", str, description="a topic slug or name"),
            OpenApiParameter("status", str, enum=["solved", "unsolved", "unanswered"]),
            OpenApiParameter("mine", bool, description="only the caller's threads"),
            OpenApiParameter("sort", str, enum=list(selectors.SORTS)),
            OpenApiParameter("q", str, description="words in the title"),
        ]
    )
)
class ThreadListView(DiscussionsAPIView, generics.ListAPIView):
    """Threads of a community, filtered and sorted; POST starts one (members)."""

    rate_limit_scope, rate_limit_methods = "post", ("POST",)

    serializer_class = ThreadSummarySerializer
    queryset = Thread.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        community, access = community_selectors.community_get_readable(slug=self.kwargs["slug"], user=self.request.user)
        filters = ThreadFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return selectors.threads_list(
            community=community,
            access=access,
            kind=data["kind"],
            tag=topic_normalise(data["tag"]) if data["tag"] else "",
            status=data["status"],
            mine=data["mine"],
            sort=data["sort"],
            q=data["q"].strip(),
        )

    @extend_schema(request=ThreadCreateSerializer, responses={201: ThreadDetailSerializer})
    def post(self, request: Request, slug: str) -> Response:
        user = authenticated_user(request)
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


class LinkedThreadSerializer(ThreadSummarySerializer):
    relation = serializers.SerializerMethodField(help_text="duplicate: marked as a duplicate of the thread; linked: a post of one links to the other")

    def get_relation(self, obj: Thread) -> str:
        return "duplicate" if obj.pk in self.context.get("duplicates", ()) else "linked"


class LinkedPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = LinkedThreadSerializer(many=True)


class ThreadLinkedView(DiscussionsAPIView):
    """Threads linked with this one (by links in posts, or as its duplicates) that the caller may read; most
    voted first."""

    @extend_schema(parameters=[OpenApiParameter("limit", int, description="1–50, default 10")], responses=LinkedPageSerializer)
    def get(self, request: Request, thread_id: int) -> Response:
        thread, _ = _thread(request, thread_id)
        raw = request.query_params.get("limit", "")
        try:
            limit = int(raw) if raw else selectors.LINKED_LIMIT
        except ValueError:
            raise ValidationError({"limit": ["Give a whole number from 1 to 50."]}) from None
        if not 1 <= limit <= 50:
            raise ValidationError({"limit": ["Give a whole number from 1 to 50."]})
        linked = selectors.linked_threads(thread=thread, user=request.user, limit=limit)
        context = {"request": request, "duplicates": linked.duplicates}
        return Response(
            {"count": linked.total, "results": LinkedThreadSerializer(linked.threads, many=True, context=context).data}
        )


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
        user = authenticated_user(request)
        thread, _ = _thread(request, thread_id)
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
        user = authenticated_user(request)
        thread, _ = _thread(request, thread_id)
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
        user = authenticated_user(request)
        thread, _ = _thread(request, thread_id)
        data = validated_data(BodySerializer, request)
        post = services.post_create(thread=thread, author=user, body=data["body"])
        post.thread = thread
        return Response(_post_data(post, user, thread), status=status.HTTP_201_CREATED)


# --- Posts ----------------------------------------------------------------------------------------


class PostDetailView(DiscussionsAPIView):
    """A post; PATCH edits it (author or coordinator, ``version`` guards concurrent edits); DELETE soft-deletes it:
    from then on it answers 404 (its author and coordinators are told it was deleted) until ``POST .../restore/``."""

    @extend_schema(responses=PostSerializer)
    def get(self, request: Request, post_id: int) -> Response:
        post, _ = _post(request, post_id)
        return Response(_post_data(post, request.user))

    @extend_schema(
        request=PostEditSerializer,
        responses={200: PostSerializer, 409: OpenApiResponse(EditConflictSerializer, "edit conflict")},
    )
    def patch(self, request: Request, post_id: int) -> Response:
        user = authenticated_user(request)
        post, _ = _post(request, post_id)
        data = validated_data(PostEditSerializer, request)
        thread = post.thread
        edited = services.post_edit(
            post=post, editor=user, body=data["body"], expected_version=data["version"], note=data["note"]
        )
        return Response(_post_data(edited, user, thread))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, post_id: int) -> Response:
        user = authenticated_user(request)
        post, _ = _post(request, post_id)
        services.post_delete(post=post, actor=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostRestoreView(DiscussionsAPIView):
    """Undo a soft delete (the author or a coordinator)."""

    @extend_schema(request=None, responses=PostSerializer)
    def post(self, request: Request, post_id: int) -> Response:
        user = authenticated_user(request)
        post, _ = selectors.post_get_for_user(post_id=post_id, user=user, deleted=True)
        restored = services.post_restore(post=post, actor=user)
        return Response(_post_data(restored, user, post.thread))


class PostRevisionsView(DiscussionsAPIView, generics.ListAPIView):
    """A post's revisions, oldest first: who, when, and the text (title and tags for an opening post)."""

    serializer_class = RevisionSerializer
    queryset = Revision.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        post, _ = _post(self.request, self.kwargs["post_id"])
        return selectors.revisions_of(post=post)


class PostCommentsView(DiscussionsAPIView):
    """A short clarifying comment under a post."""

    rate_limit_scope, rate_limit_methods = "post", ("POST",)

    @extend_schema(request=BodySerializer, responses={201: CommentSerializer})
    def post(self, request: Request, post_id: int) -> Response:
        user = authenticated_user(request)
        post, _ = _post(request, post_id)
        data = validated_data(BodySerializer, request)
        comment = services.comment_create(post=post, author=user, body=data["body"])
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class PostVoteView(DiscussionsAPIView):
    """Up-vote a post (POST, idempotent) or take the vote back (DELETE). Not on one's own post."""

    def _vote(self, request: Request, post_id: int, up: bool) -> Response:
        user = authenticated_user(request)
        post, _ = _post(request, post_id)
        post = services.vote_set(post=post, user=user, up=up)
        return Response({"post": post.id, "score": post.score, "upvotes": post.upvotes, "voted": up})

    @extend_schema(request=None, responses=VoteResultSerializer)
    def post(self, request: Request, post_id: int) -> Response:
        return self._vote(request, post_id, up=True)

    @extend_schema(request=None, responses=VoteResultSerializer)
    def delete(self, request: Request, post_id: int) -> Response:
        return self._vote(request, post_id, up=False)


class PostAcceptView(DiscussionsAPIView):
    """Mark a reply as the accepted answer (the asker or a coordinator); DELETE unmarks it."""

    def _accept(self, request: Request, post_id: int, accept: bool) -> Response:
        user = authenticated_user(request)
        post, _ = _post(request, post_id)
        thread = services.answer_accept(post=post, actor=user, accept=accept)
        return Response(_summary(request, thread.pk))

    @extend_schema(request=None, responses=ThreadSummarySerializer)
    def post(self, request: Request, post_id: int) -> Response:
        return self._accept(request, post_id, accept=True)

    @extend_schema(request=None, responses=ThreadSummarySerializer)
    def delete(self, request: Request, post_id: int) -> Response:
        return self._accept(request, post_id, accept=False)


class PostFlagView(DiscussionsAPIView):
    """Flag a post for the coordinators with a reason (members)."""

    @extend_schema(request=FlagCreateSerializer, responses={201: FlagSerializer})
    def post(self, request: Request, post_id: int) -> Response:
        user = authenticated_user(request)
        post, _ = _post(request, post_id)
        data = validated_data(FlagCreateSerializer, request)
        flag = services.flag_create(post=post, reporter=user, reason=data["reason"], details=data["details"])
        flag.post = post
        return Response(FlagSerializer(flag).data, status=status.HTTP_201_CREATED)


# --- Moderation -----------------------------------------------------------------------------------


class ThreadModerateView(DiscussionsAPIView):
    """Lock, unlock, pin, unpin, hide or unhide a thread (coordinators)."""

    @extend_schema(request=ModerateSerializer, responses=ThreadSummarySerializer)
    def post(self, request: Request, thread_id: int) -> Response:
        user = authenticated_user(request)
        thread, _ = _thread(request, thread_id)
        data = validated_data(ModerateSerializer, request)
        services.thread_moderate(thread=thread, actor=user, action=data["action"])
        return Response(ThreadSummarySerializer(thread, context={"request": request}).data)


class ThreadMoveView(DiscussionsAPIView):
    """Move a thread to another community the coordinator also coordinates."""

    @extend_schema(request=MoveSerializer, responses=ThreadSummarySerializer)
    def post(self, request: Request, thread_id: int) -> Response:
        user = authenticated_user(request)
        thread, access = _thread(request, thread_id)
        _require_coordinator(access, "Only coordinators move threads.")
        data = validated_data(MoveSerializer, request)
        try:
            target: Community = community_selectors.community_get_for_user(slug=data["community"], user=user)
        except Http404:
            raise ValidationError({"community": ["No such community."]}) from None
        services.thread_move(thread=thread, actor=user, target=target)
        return Response(ThreadSummarySerializer(thread, context={"request": request}).data)


class ThreadDuplicateView(DiscussionsAPIView):
    """Mark a thread as a duplicate of another (``original``), or clear it with ``null`` (coordinators)."""

    @extend_schema(request=DuplicateSerializer, responses=ThreadSummarySerializer)
    def post(self, request: Request, thread_id: int) -> Response:
        user = authenticated_user(request)
        thread, access = _thread(request, thread_id)
        _require_coordinator(access, "Only coordinators mark duplicates.")
        data = validated_data(DuplicateSerializer, request)
        original = None
        if data["original"] is not None:
            try:
                original, _ = selectors.thread_get_for_user(thread_id=data["original"], user=user)
            except Http404:
                raise ValidationError({"original": ["No such thread."]}) from None
        services.thread_mark_duplicate(thread=thread, actor=user, original=original)
        return Response(ThreadSummarySerializer(thread, context={"request": request}).data)


class ThreadStatusView(DiscussionsAPIView):
    """Set an idea's status with a short reason (coordinators)."""

    @extend_schema(request=IdeaStatusSerializer, responses=ThreadSummarySerializer)
    def post(self, request: Request, thread_id: int) -> Response:
        user = authenticated_user(request)
        thread, _ = _thread(request, thread_id)
        data = validated_data(IdeaStatusSerializer, request)
        services.idea_status_set(thread=thread, actor=user, status=data["status"], reason=data["reason"])
        return Response(ThreadSummarySerializer(thread, context={"request": request}).data)


class UnheardView(DiscussionsAPIView, generics.ListAPIView):
    """Threads nobody but their author has answered, oldest first (coordinators and core members)."""

    serializer_class = UnheardSerializer
    queryset = Thread.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        authenticated_user(self.request)
        community, access = community_selectors.community_get_readable(slug=self.kwargs["slug"], user=self.request.user)
        if not access.is_core:
            raise PermissionDenied("The unheard queue is for coordinators and core members.")
        return selectors.unheard_queue(community=community)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}


class FlagListView(DiscussionsAPIView, generics.ListAPIView):
    """Open flags in a community, oldest first (coordinators)."""

    serializer_class = FlagSerializer
    queryset = Flag.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        authenticated_user(self.request)
        community, access = community_selectors.community_get_readable(slug=self.kwargs["slug"], user=self.request.user)
        _require_coordinator(access, "The flag queue is for coordinators.")
        return selectors.open_flags(community=community).select_related("resolved_by")


class FlagResolveView(DiscussionsAPIView):
    """Hide the flagged post (``{"hide": true}``) or dismiss the flag (coordinators)."""

    @extend_schema(request=FlagResolveSerializer, responses=FlagSerializer)
    def post(self, request: Request, flag_id: int) -> Response:
        user = authenticated_user(request)
        flag = Flag.objects.filter(pk=flag_id).first()
        if flag is None:
            raise Http404("No such flag.")
        # The flag is as visible as its post: 404 outside the communities the caller may read. A flag on a post
        # deleted since is still resolved (the post stays deleted).
        post, access = selectors.post_get_for_user(post_id=flag.post_id, user=request.user, deleted=True)
        _require_coordinator(access, "Only coordinators handle flags.")
        data = validated_data(FlagResolveSerializer, request)
        flag.post = post
        flag = services.flag_resolve(flag=flag, actor=user, hide=data["hide"])
        return Response(FlagSerializer(flag).data)

