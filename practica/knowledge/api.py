"""REST API for the knowledge base (see ../shared/API.md): items per community, an item with its versions,
endorsements and provenance, review, reuse signals, versions, attachments and capture from a thread.

Views are thin: reads go through the permission-scoped selectors (404 for what the caller may not see) and
writes through the services, whose ``ValidationError``/``PermissionDenied`` the project's handler turns into
400/403.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practica.accounts.authentication import authenticated_user
from practica.communities import selectors as community_selectors
from practica.discussions import selectors as discussion_selectors
from practica.discussions.api import TagsField
from practica.knowledge import permissions, selectors, services
from practica.knowledge.forms import STATUS_FILTERS
from practica.knowledge.models import (
    ALL_KIND_FIELDS,
    MAX_NOTE_LENGTH,
    KnowledgeItem,
    KnowledgeKind,
    KnowledgeStatus,
)
from practica.lib.api.parsers import BoundedJSONParser
from practica.lib.api.requests import validated_data
from practica.lib.uploads import upload_refusal
from practica.topics.services import MAX_TOPIC_LENGTH, topic_normalise

MAX_ID = 2**63 - 1


def _text(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(allow_blank=True, trim_whitespace=False, **kwargs)


class KnowledgeItemWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KnowledgeKind.choices)
    title = _text()
    summary = _text(required=False, default="")
    body = _text(required=False, default="")
    tags = TagsField(required=False)
    status = serializers.ChoiceField(
        choices=[KnowledgeStatus.DRAFT, KnowledgeStatus.IN_REVIEW], required=False, default=KnowledgeStatus.DRAFT,
        help_text="draft, or in-review to submit at once",
    )
    details = serializers.DictField(
        child=_text(), required=False, help_text=f"Kind-specific fields, any of: {', '.join(ALL_KIND_FIELDS)}"
    )


class KnowledgeItemPatchSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KnowledgeKind.choices, required=False)
    title = _text(required=False)
    summary = _text(required=False)
    body = _text(required=False)
    tags = TagsField(required=False)
    details = serializers.DictField(child=_text(), required=False)
    note = serializers.CharField(max_length=MAX_NOTE_LENGTH, required=False, allow_blank=True, default="")


class KnowledgeFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KnowledgeKind.choices, required=False, allow_blank=True, default="")
    tag = serializers.CharField(max_length=MAX_TOPIC_LENGTH, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(
        choices=[value for value, _ in STATUS_FILTERS if value] + ["published"], required=False, allow_blank=True,
        default="",
    )
    q = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    sort = serializers.ChoiceField(choices=list(selectors.SORTS), required=False, default="updated")


class KnowledgeCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class KnowledgeReviewSerializer(KnowledgeCommentSerializer):
    decision = serializers.ChoiceField(choices=["approve", "return"])


class KnowledgeHelpfulSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class KnowledgeRestoreSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class KnowledgeCaptureSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KnowledgeKind.choices, required=False, default=KnowledgeKind.LESSON_LEARNED)


class KnowledgeUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)


# --- Output -----------------------------------------------------------------------------------------


def _absolute(request: Request | None, url: str) -> str:
    return request.build_absolute_uri(url) if request else url


class KnowledgeItemSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    community = serializers.CharField(source="community.slug")
    kind = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    status = serializers.CharField()
    tags = serializers.SerializerMethodField()
    authors = serializers.SerializerMethodField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    review_due = serializers.DateField(allow_null=True)
    view_count = serializers.IntegerField()
    helpful_count = serializers.IntegerField()
    endorsement_count = serializers.IntegerField()
    source_thread = serializers.IntegerField(source="source_thread_id", allow_null=True)
    url = serializers.SerializerMethodField()

    def get_tags(self, obj: KnowledgeItem) -> list[str]:
        tags = self.context.get("tags")
        return [t.slug for t in (tags if tags is not None else obj.tags.all())]

    def get_authors(self, obj: KnowledgeItem) -> list[dict[str, str]]:
        credits = self.context.get("credits")
        return [
            {"username": c.user.username, "role": c.role}
            for c in (credits if credits is not None else obj.credits.all())
        ]

    def get_url(self, obj: KnowledgeItem) -> str:
        return _absolute(self.context.get("request"), obj.get_absolute_url())


def item_detail_data(request: Request, item: KnowledgeItem, access: Any) -> dict[str, Any]:
    """The item with its body, kind fields, versions, endorsements, reuse marks, files and provenance."""
    page = selectors.item_page(item=item, access=access)
    data = dict(KnowledgeItemSummarySerializer(item, context={"request": request, "tags": page.tags, "credits": page.credits}).data)
    thread = page.source_thread
    data.update(
        body=item.body_source,
        body_html=item.body_html,
        details={name: getattr(item, name) for name in ALL_KIND_FIELDS},
        source_thread=(
            {"id": thread.id, "title": thread.title, "url": _absolute(request, thread.get_absolute_url())}
            if thread is not None
            else None
        ),
        # A thread that no longer shows to this caller is not named through its copied title either.
        source_title=item.source_title if thread is not None or not item.source_thread_id else "",
        source_url=item.source_url if thread is not None or not item.source_thread_id else "",
        versions=[
            {"number": v.number, "author": v.author.username if v.author else None, "created_at": v.created_at,
             "note": v.note, "title": v.title, "summary": v.summary, "body": v.body_source, "details": v.fields,
             "tags": v.tags}
            for v in page.versions
        ],
        endorsements=[
            {"username": e.user.username, "comment": e.comment, "created_at": e.created_at} for e in page.endorsements
        ],
        helpful=[{"username": h.user.username, "note": h.note, "created_at": h.created_at} for h in page.helpful],
        attachments=[
            {"id": a.id, "name": a.name, "content_type": a.content_type, "size": a.size,
             "url": _absolute(request, reverse("knowledge:download", args=[a.id, a.name]))}
            for a in page.attachments
        ],
        reviews=[
            {"action": r.action, "actor": r.actor.username if r.actor else None, "comment": r.comment,
             "created_at": r.created_at}
            for r in page.reviews
        ],
    )
    return data




def _item(request: Request, item_id: int) -> tuple[KnowledgeItem, Any]:
    return selectors.item_get_for_user(item_id=item_id, user=request.user)


def _detail(request: Request, item_id: int, code: int = status.HTTP_200_OK) -> Response:
    item, access = _item(request, item_id)
    return Response(item_detail_data(request, item, access), status=code)


# --- Views ------------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=KnowledgeKind.values),
            OpenApiParameter("tag", str, description="a topic slug or name"),
            OpenApiParameter("status", str, enum=["published", "archived", "in-review", "draft", "mine"]),
            OpenApiParameter("q", str, description="words in the title, summary or body"),
            OpenApiParameter("sort", str, enum=list(selectors.SORTS)),
        ]
    )
)
class KnowledgeListView(generics.ListAPIView):
    """Knowledge items of a community (published by default); POST writes one (members)."""

    serializer_class = KnowledgeItemSummarySerializer
    queryset = KnowledgeItem.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        community, access = community_selectors.community_get_readable(slug=self.kwargs["slug"], user=self.request.user)
        filters = KnowledgeFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return selectors.items_list(
            community=community,
            access=access,
            kind=data["kind"],
            tag=topic_normalise(data["tag"]) if data["tag"] else "",
            status="" if data["status"] == "published" else data["status"],
            q=data["q"].strip(),
            sort=data["sort"],
        )

    @extend_schema(request=KnowledgeItemWriteSerializer, responses={201: KnowledgeItemSummarySerializer})
    def post(self, request: Request, slug: str) -> Response:
        user = authenticated_user(request)
        community, _ = community_selectors.community_get_readable(slug=slug, user=user)
        data = validated_data(KnowledgeItemWriteSerializer, request)
        item = services.item_create(
            community=community, author=user, kind=data["kind"], title=data["title"], summary=data["summary"],
            body=data["body"], tags=data.get("tags", []), fields=data.get("details") or {},
            submit=data["status"] == KnowledgeStatus.IN_REVIEW,
        )
        return _detail(request, item.pk, status.HTTP_201_CREATED)


class KnowledgeDetailView(APIView):
    """An item with ``versions``, ``endorsements``, ``source_thread`` (provenance); PATCH changes it."""

    @extend_schema(responses=KnowledgeItemSummarySerializer)
    def get(self, request: Request, item_id: int) -> Response:
        item, access = _item(request, item_id)
        if item.status in permissions.READABLE:
            services.view_record(item=item, user=request.user)
            item.refresh_from_db(fields=["view_count"])
        return Response(item_detail_data(request, item, access))

    @extend_schema(request=KnowledgeItemPatchSerializer, responses=KnowledgeItemSummarySerializer)
    def patch(self, request: Request, item_id: int) -> Response:
        user = authenticated_user(request)
        item, _ = _item(request, item_id)
        data = validated_data(KnowledgeItemPatchSerializer, request)
        services.item_update(
            item=item, editor=user, kind=data.get("kind"), title=data.get("title"), summary=data.get("summary"),
            body=data.get("body"), tags=data.get("tags"), fields=data.get("details"), note=data.get("note", ""),
        )
        return _detail(request, item_id)


class SubmitView(APIView):
    """An author submits a draft for review."""

    @extend_schema(request=KnowledgeCommentSerializer, responses=KnowledgeItemSummarySerializer)
    def post(self, request: Request, item_id: int) -> Response:
        user = authenticated_user(request)
        item, _ = _item(request, item_id)
        data = validated_data(KnowledgeCommentSerializer, request)
        services.item_submit(item=item, actor=user, comment=data["comment"])
        return _detail(request, item_id)


class ReviewView(APIView):
    """Coordinators and core members approve (publish) or return an item in review."""

    @extend_schema(request=KnowledgeReviewSerializer, responses=KnowledgeItemSummarySerializer)
    def post(self, request: Request, item_id: int) -> Response:
        user = authenticated_user(request)
        item, _ = _item(request, item_id)
        data = validated_data(KnowledgeReviewSerializer, request)
        services.item_review(item=item, reviewer=user, approve=data["decision"] == "approve", comment=data["comment"])
        return _detail(request, item_id)


class EndorseView(APIView):
    """POST endorses a published item (matching expertise); DELETE withdraws."""

    @extend_schema(request=KnowledgeCommentSerializer, responses=KnowledgeItemSummarySerializer)
    def post(self, request: Request, item_id: int) -> Response:
        user = authenticated_user(request)
        item, _ = _item(request, item_id)
        data = validated_data(KnowledgeCommentSerializer, request)
        services.endorse(item=item, user=user, comment=data["comment"])
        return _detail(request, item_id, status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, item_id: int) -> Response:
        user = authenticated_user(request)
        item, _ = _item(request, item_id)
        services.endorsement_withdraw(item=item, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class HelpfulView(APIView):
    """“This helped me”, with an optional note on how it was applied."""

    @extend_schema(request=KnowledgeHelpfulSerializer, responses=KnowledgeItemSummarySerializer)
    def post(self, request: Request, item_id: int) -> Response:
        user = authenticated_user(request)
        item, _ = _item(request, item_id)
        data = validated_data(KnowledgeHelpfulSerializer, request)
        services.helpful_mark(item=item, user=user, note=data["note"])
        return _detail(request, item_id)


class RestoreView(APIView):
    """Restore an older version as a new version."""

    @extend_schema(request=KnowledgeRestoreSerializer, responses=KnowledgeItemSummarySerializer)
    def post(self, request: Request, item_id: int) -> Response:
        user = authenticated_user(request)
        item, _ = _item(request, item_id)
        data = validated_data(KnowledgeRestoreSerializer, request)
        services.version_restore(item=item, actor=user, number=data["version"])
        return _detail(request, item_id)


class StewardView(APIView):
    """Re-verify (``/verify/``), archive (``/archive/``) or bring back from the archive (``/unarchive/``)."""

    @extend_schema(request=None, responses=KnowledgeItemSummarySerializer)
    def post(self, request: Request, item_id: int, action: str) -> Response:
        user = authenticated_user(request)
        item, _ = _item(request, item_id)
        if action == "verify":
            services.item_verify(item=item, actor=user)
        elif action == "unarchive":
            services.item_unarchive(item=item, actor=user)
        else:
            services.item_archive(item=item, actor=user)
        return _detail(request, item_id)


class AttachmentsView(APIView):
    """Upload a file (multipart ``file``): size limit, allow-listed types checked by content."""

    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]
    upload_limit_setting = "KNOWLEDGE_MAX_UPLOAD_MB"  # files stop being received past it (practica/lib/uploads.py)

    @extend_schema(request={"multipart/form-data": KnowledgeUploadSerializer}, responses=KnowledgeItemSummarySerializer)
    def post(self, request: Request, item_id: int) -> Response:
        user = authenticated_user(request)
        item, _ = _item(request, item_id)
        request.data  # noqa: B018  (reads the body: a file over the limit is dropped while it arrives)
        refusal = upload_refusal(request)
        if refusal:
            raise serializers.ValidationError({"file": [refusal]})
        data = validated_data(KnowledgeUploadSerializer, request)
        upload = data["file"]
        services.attachment_add(item=item, actor=user, stream=upload, name=upload.name or "")
        return _detail(request, item_id, status.HTTP_201_CREATED)


class CaptureView(APIView):
    """Turn a thread into a knowledge item draft (provenance kept); returns the item."""

    @extend_schema(request=KnowledgeCaptureSerializer, responses={201: KnowledgeItemSummarySerializer})
    def post(self, request: Request, thread_id: int) -> Response:
        user = authenticated_user(request)
        thread, _ = discussion_selectors.thread_get_for_user(thread_id=thread_id, user=user)
        data = validated_data(KnowledgeCaptureSerializer, request)
        item = services.capture_from_thread(user=user, thread=thread, kind=data["kind"])
        return _detail(request, item.pk, status.HTTP_201_CREATED)
