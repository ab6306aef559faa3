"""REST API for the knowledge base (see ../shared/API.md): items per community, an item with its versions,
endorsements and provenance, review, reuse signals, versions, attachments, capture from a thread, and
collections.

Views are thin: reads go through the permission-scoped selectors (404 for what the caller may not see), rights
through ``practica.knowledge.permissions`` (as DRF ``permission_classes`` where a view checks them before the
service), writes through the services, whose ``ValidationError``/``PermissionDenied`` the project's handler turns
into 400/403. Every answer is made by the serializer its schema names.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practica.accounts.authentication import authenticated_user
from practica.communities import selectors as community_selectors
from practica.communities.selectors import Access
from practica.discussions import selectors as discussion_selectors
from practica.knowledge import permissions, selectors, services
from practica.knowledge.api.permissions import MayCurate, MayEditAttachment, MayReview, MaySteward, MayWrite
from practica.knowledge.api.serializers import (
    AttachmentSerializer,
    CollectionDetailSerializer,
    CollectionEntrySerializer,
    CollectionItemAddSerializer,
    CollectionItemMoveSerializer,
    CollectionSerializer,
    CollectionWriteSerializer,
    KnowledgeCaptureSerializer,
    KnowledgeCommentSerializer,
    KnowledgeHelpfulSerializer,
    KnowledgeItemDetailSerializer,
    KnowledgeItemPatchSerializer,
    KnowledgeItemSummarySerializer,
    KnowledgeItemWriteSerializer,
    KnowledgeRestoreSerializer,
    KnowledgeReviewSerializer,
    KnowledgeUploadSerializer,
    StewardshipSerializer,
    StewardshipSettingsSerializer,
)
from practica.knowledge.filters import ItemFilterSet
from practica.knowledge.models import Collection, KnowledgeItem, KnowledgeKind, KnowledgeStatus
from practica.lib.api.parsers import BoundedJSONParser
from practica.lib.api.requests import validated_data
from practica.lib.uploads import upload_refusal


def item_detail_data(request: Request, item: KnowledgeItem, access: Access) -> dict[str, Any]:
    """The item with its body, kind fields, versions, endorsements, reuse marks, files and provenance."""
    page = selectors.item_page(item=item, access=access)
    return KnowledgeItemDetailSerializer(page, context={"request": request}).data  # type: ignore[return-value]


def _item(request: Request, item_id: int) -> tuple[KnowledgeItem, Access]:
    return selectors.item_get_for_user(item_id=item_id, user=request.user)


def _detail(request: Request, item_id: int, code: int = status.HTTP_200_OK) -> Response:
    item, access = _item(request, item_id)
    return Response(item_detail_data(request, item, access), status=code)


# --- Items ------------------------------------------------------------------------------------------


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
    permission_classes = [IsAuthenticatedOrReadOnly, MayWrite]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        community, access = community_selectors.community_get_readable(slug=self.kwargs["slug"], user=self.request.user)
        filterset = ItemFilterSet(self.request.query_params, request=self.request, community=community, access=access)
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        return filterset.qs

    @extend_schema(request=KnowledgeItemWriteSerializer, responses={201: KnowledgeItemDetailSerializer})
    def post(self, request: Request, slug: str) -> Response:
        user = authenticated_user(request)
        community, access = community_selectors.community_get_readable(slug=slug, user=user)
        self.check_object_permissions(request, access)
        data = validated_data(KnowledgeItemWriteSerializer, request)
        item = services.item_create(
            community=community, author=user, kind=data["kind"], title=data["title"], summary=data["summary"],
            body=data["body"], tags=data.get("tags", []), fields=data.get("details") or {},
            submit=data["status"] == KnowledgeStatus.IN_REVIEW,
        )
        return _detail(request, item.pk, status.HTTP_201_CREATED)


class KnowledgeDetailView(APIView):
    """An item with ``versions``, ``endorsements``, ``source_thread`` (provenance); PATCH changes it."""

    @extend_schema(responses=KnowledgeItemDetailSerializer)
    def get(self, request: Request, item_id: int) -> Response:
        item, access = _item(request, item_id)
        if item.status in permissions.READABLE:
            services.view_record(item=item, user=request.user)
            item.refresh_from_db(fields=["view_count"])
        return Response(item_detail_data(request, item, access))

    @extend_schema(request=KnowledgeItemPatchSerializer, responses=KnowledgeItemDetailSerializer)
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

    @extend_schema(request=KnowledgeCommentSerializer, responses=KnowledgeItemDetailSerializer)
    def post(self, request: Request, item_id: int) -> Response:
        user = authenticated_user(request)
        item, _ = _item(request, item_id)
        data = validated_data(KnowledgeCommentSerializer, request)
        services.item_submit(item=item, actor=user, comment=data["comment"])
        return _detail(request, item_id)


class ReviewView(APIView):
    """Coordinators and core members approve (publish) or return an item in review."""

    permission_classes = [IsAuthenticatedOrReadOnly, MayReview]

    @extend_schema(request=KnowledgeReviewSerializer, responses=KnowledgeItemDetailSerializer)
    def post(self, request: Request, item_id: int) -> Response:
        user = authenticated_user(request)
        item, access = _item(request, item_id)
        self.check_object_permissions(request, access)
        data = validated_data(KnowledgeReviewSerializer, request)
        services.item_review(item=item, reviewer=user, approve=data["decision"] == "approve", comment=data["comment"])
        return _detail(request, item_id)


class EndorseView(APIView):
    """POST endorses a published item (matching expertise); DELETE withdraws."""

    @extend_schema(request=KnowledgeCommentSerializer, responses={201: KnowledgeItemDetailSerializer})
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

    @extend_schema(request=KnowledgeHelpfulSerializer, responses=KnowledgeItemDetailSerializer)
    def post(self, request: Request, item_id: int) -> Response:
        user = authenticated_user(request)
        item, _ = _item(request, item_id)
        data = validated_data(KnowledgeHelpfulSerializer, request)
        services.helpful_mark(item=item, user=user, note=data["note"])
        return _detail(request, item_id)


class RestoreView(APIView):
    """Restore an older version as a new version."""

    @extend_schema(request=KnowledgeRestoreSerializer, responses=KnowledgeItemDetailSerializer)
    def post(self, request: Request, item_id: int) -> Response:
        user = authenticated_user(request)
        item, _ = _item(request, item_id)
        data = validated_data(KnowledgeRestoreSerializer, request)
        services.version_restore(item=item, actor=user, number=data["version"])
        return _detail(request, item_id)


class StewardView(APIView):
    """Re-verify (``/verify/``), archive (``/archive/``) or bring back from the archive (``/unarchive/``)."""

    @extend_schema(request=None, responses=KnowledgeItemDetailSerializer)
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

    @extend_schema(request={"multipart/form-data": KnowledgeUploadSerializer}, responses={201: KnowledgeItemDetailSerializer})
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


class AttachmentView(APIView):
    """A file attached to an item: GET describes it (its ``url`` downloads it), DELETE removes it (those who may
    change the item)."""

    permission_classes = [IsAuthenticatedOrReadOnly, MayEditAttachment]

    @extend_schema(responses=AttachmentSerializer)
    def get(self, request: Request, attachment_id: int) -> Response:
        attachment, _ = selectors.attachment_get_for_user(attachment_id=attachment_id, user=request.user)
        return Response(AttachmentSerializer(attachment, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, attachment_id: int) -> Response:
        user = authenticated_user(request)
        attachment, access = selectors.attachment_get_for_user(attachment_id=attachment_id, user=user)
        self.check_object_permissions(request, (attachment.item, access))
        services.attachment_delete(attachment=attachment, actor=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StewardshipView(APIView):
    """The stewardship queue (coordinators and core members), as on its page; PATCH sets the review period
    (coordinators)."""

    permission_classes = [IsAuthenticatedOrReadOnly, MaySteward]

    def _community(self, request: Request, slug: str) -> tuple[Any, Access]:
        community, access = community_selectors.community_get_readable(slug=slug, user=request.user)
        self.check_object_permissions(request, access)
        return community, access

    def _answer(self, request: Request, community: Any) -> Response:
        data = {
            "review_months": services.review_months(community),
            "in_review": selectors.review_queue(community=community),
            "due": selectors.stewardship_queue(community=community),
        }
        return Response(StewardshipSerializer(data, context={"request": request}).data)

    @extend_schema(responses=StewardshipSerializer)
    def get(self, request: Request, slug: str) -> Response:
        community, _ = self._community(request, slug)
        return self._answer(request, community)

    @extend_schema(request=StewardshipSettingsSerializer, responses=StewardshipSerializer)
    def patch(self, request: Request, slug: str) -> Response:
        user = authenticated_user(request)
        community, _ = self._community(request, slug)
        data = validated_data(StewardshipSettingsSerializer, request)
        services.settings_update(community=community, actor=user, review_months=data["review_months"])
        return self._answer(request, community)


class CaptureView(APIView):
    """Turn a thread into a knowledge item draft (provenance kept); returns the item."""

    @extend_schema(request=KnowledgeCaptureSerializer, responses={201: KnowledgeItemDetailSerializer})
    def post(self, request: Request, thread_id: int) -> Response:
        user = authenticated_user(request)
        thread, _ = discussion_selectors.thread_get_for_user(thread_id=thread_id, user=user)
        data = validated_data(KnowledgeCaptureSerializer, request)
        item = services.capture_from_thread(user=user, thread=thread, kind=data["kind"])
        return _detail(request, item.pk, status.HTTP_201_CREATED)


# --- Collections ------------------------------------------------------------------------------------


class CollectionViewSet(viewsets.GenericViewSet):
    """A community's collections: every reader lists and reads them (with the items they may see);
    coordinators and core members create, delete and arrange them, as on the collection pages."""

    serializer_class = CollectionSerializer
    queryset = Collection.objects.none()
    permission_classes = [IsAuthenticatedOrReadOnly, MayCurate]

    def get_queryset(self) -> QuerySet[Collection]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        community, _ = community_selectors.community_get_readable(slug=self.kwargs["slug"], user=self.request.user)
        return selectors.collections_list(community=community).select_related("community")

    def _collection(self) -> tuple[Collection, Access]:
        collection, access = selectors.collection_get_for_user(
            collection_id=self.kwargs["collection_id"], user=self.request.user
        )
        self.check_object_permissions(self.request, access)
        return collection, access

    def _detail(self, collection: Collection, access: Access, code: int = status.HTTP_200_OK) -> Response:
        items = selectors.collection_items(collection=collection, access=access)
        context = {**self.get_serializer_context(), "items": items}
        return Response(CollectionDetailSerializer(collection, context=context).data, status=code)

    def list(self, request: Request, slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CollectionSerializer(page, many=True, context=self.get_serializer_context()).data)

    @extend_schema(request=CollectionWriteSerializer, responses={201: CollectionDetailSerializer})
    def create(self, request: Request, slug: str) -> Response:
        user = authenticated_user(request)
        community, access = community_selectors.community_get_readable(slug=slug, user=user)
        self.check_object_permissions(request, access)
        data = validated_data(CollectionWriteSerializer, request)
        collection = services.collection_create(
            community=community, actor=user, title=data["title"], description=data["description"]
        )
        return self._detail(collection, access, status.HTTP_201_CREATED)

    @extend_schema(responses=CollectionDetailSerializer)
    def retrieve(self, request: Request, collection_id: int) -> Response:
        collection, access = self._collection()
        return self._detail(collection, access)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, collection_id: int) -> Response:
        collection, _ = self._collection()
        services.collection_delete(collection=collection, actor=authenticated_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=CollectionItemAddSerializer, responses={201: CollectionDetailSerializer})
    def add_item(self, request: Request, collection_id: int) -> Response:
        """Add a published item of the community at the collection's end."""
        collection, access = self._collection()
        data = validated_data(CollectionItemAddSerializer, request)
        item = selectors.community_item(community=collection.community, item_id=data["item"])
        if item is None:
            raise serializers.ValidationError({"item": ["Choose a published item of this community."]})
        services.collection_add(collection=collection, actor=authenticated_user(request), item=item)
        return self._detail(collection, access, status.HTTP_201_CREATED)

    @extend_schema(responses=CollectionEntrySerializer)
    def retrieve_item(self, request: Request, collection_id: int, item_id: int) -> Response:
        """An item's place in the collection (404 when it is not there, or not for this caller)."""
        collection, access = self._collection()
        entry = selectors.collection_entry_get(collection=collection, item_id=item_id, access=access)
        return Response(CollectionEntrySerializer(entry, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={204: None})
    def remove_item(self, request: Request, collection_id: int, item_id: int) -> Response:
        """Take an item out of the collection (the item stays in the knowledge base)."""
        collection, _ = self._collection()
        services.collection_remove(collection=collection, actor=authenticated_user(request), item_id=item_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=CollectionItemMoveSerializer, responses=CollectionDetailSerializer)
    def move_item(self, request: Request, collection_id: int, item_id: int) -> Response:
        """Swap an item with its neighbour above or below."""
        collection, access = self._collection()
        data = validated_data(CollectionItemMoveSerializer, request)
        services.collection_move(
            collection=collection, actor=authenticated_user(request), item_id=item_id, up=data["direction"] == "up"
        )
        return self._detail(collection, access)
