"""The payloads of the discussions API, in and out: every request body and response has its serializer here, so
that the OpenAPI schema (``/api/v1/schema/``) describes what the views really send
(``practica/discussions/tests/test_api_schema.py`` checks real responses against it)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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
from practica.discussions.selectors import ThreadPage
from practica.lib.ids import MAX_ID
from practica.topics.services import MAX_TOPIC_LENGTH

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


# --- Output ---------------------------------------------------------------------------------------


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

    # context["page"]: the selectors.ThreadPage (every reply) the caller may see.

    opening_post = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()
    voted = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()
    posts = serializers.SerializerMethodField()

    def _opening(self) -> Post | None:
        page: ThreadPage = self.context["page"]
        return page.opening

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_opening_post(self, obj: Thread) -> int | None:
        opening = self._opening()
        return opening.id if opening else None

    def get_body(self, obj: Thread) -> str:
        opening = self._opening()
        return opening.body_source if opening else ""

    def get_body_html(self, obj: Thread) -> str:
        opening = self._opening()
        return opening.body_html if opening else ""

    def get_version(self, obj: Thread) -> int:
        opening = self._opening()
        return opening.version if opening else 0

    def get_voted(self, obj: Thread) -> bool:
        opening = self._opening()
        return bool(opening and opening.id in self.context["page"].my_votes)

    @extend_schema_field(CommentSerializer(many=True))
    def get_comments(self, obj: Thread) -> Any:
        opening = self._opening()
        return CommentSerializer(opening.comments.all() if opening else [], many=True).data

    @extend_schema_field(PostSerializer(many=True))
    def get_posts(self, obj: Thread) -> Any:
        return PostSerializer(self.context["page"].replies, many=True, context=self.context).data


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
    # context["voted"]: whether the caller's vote now stands.

    post = serializers.IntegerField(source="id")
    score = serializers.IntegerField()
    upvotes = serializers.IntegerField()
    voted = serializers.SerializerMethodField()

    def get_voted(self, obj: Post) -> bool:
        return bool(self.context["voted"])


class _VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    body = serializers.CharField()


class EditConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    body = serializers.ListField(child=serializers.CharField())
    current = _VersionSerializer()
    yours = _VersionSerializer()


class LinkedThreadSerializer(ThreadSummarySerializer):
    relation = serializers.SerializerMethodField(help_text="duplicate: marked as a duplicate of the thread; linked: a post of one links to the other")

    def get_relation(self, obj: Thread) -> str:
        return "duplicate" if obj.pk in self.context.get("duplicates", ()) else "linked"


class LinkedPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = LinkedThreadSerializer(many=True)
