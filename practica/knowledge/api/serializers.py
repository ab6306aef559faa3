"""Every payload of the knowledge API, in and out: the OpenAPI schema is generated from these, and the views
answer through them, so the schema says what the answers hold."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from practica.discussions.api import TagsField
from practica.knowledge import selectors
from practica.knowledge.models import (
    ALL_KIND_FIELDS,
    MAX_NOTE_LENGTH,
    MAX_TITLE_LENGTH,
    Attachment,
    Collection,
    KnowledgeAuthor,
    KnowledgeItem,
    KnowledgeKind,
    KnowledgeStatus,
    ReviewEvent,
)
from practica.knowledge.services.collections import MAX_DESCRIPTION_LENGTH

MAX_ID = 2**63 - 1


def _text(**kwargs: Any) -> serializers.CharField:
    """Free text whose emptiness and length the service checks (with clearer messages than DRF's)."""
    return serializers.CharField(allow_blank=True, trim_whitespace=False, **kwargs)


def _absolute(request: Request | None, url: str) -> str:
    return request.build_absolute_uri(url) if request else url


# --- Input ------------------------------------------------------------------------------------------


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


class CollectionWriteSerializer(serializers.Serializer):
    title = _text(help_text=f"At most {MAX_TITLE_LENGTH} characters.")
    description = _text(required=False, default="", help_text=f"At most {MAX_DESCRIPTION_LENGTH:,} characters.")


class CollectionItemAddSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A published item of the community.")


class CollectionItemMoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["up", "down"], help_text="Swap with the item above or below.")


# --- Output -----------------------------------------------------------------------------------------


class CreditSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    role = serializers.ChoiceField(
        choices=KnowledgeAuthor.Role.choices, help_text="editor (may change the item) or contributor (credited)"
    )


class KnowledgeItemSummarySerializer(serializers.Serializer):
    """An item as lists show it. ``context["tags"]``/``["credits"]`` may carry what a selector already read."""

    id = serializers.IntegerField()
    community = serializers.CharField(source="community.slug")
    kind = serializers.ChoiceField(choices=KnowledgeKind.choices)
    title = serializers.CharField()
    summary = serializers.CharField()
    status = serializers.ChoiceField(choices=KnowledgeStatus.choices)
    tags = serializers.SerializerMethodField(help_text="Topic slugs.")
    authors = serializers.SerializerMethodField()
    version = serializers.IntegerField(help_text="Number of the latest published version (0: none).")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    review_due = serializers.DateField(allow_null=True)
    view_count = serializers.IntegerField()
    helpful_count = serializers.IntegerField()
    endorsement_count = serializers.IntegerField()
    source_thread = serializers.IntegerField(source="source_thread_id", allow_null=True)
    url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, obj: KnowledgeItem) -> list[str]:
        tags = self.context.get("tags")
        return [t.slug for t in (tags if tags is not None else obj.tags.all())]

    @extend_schema_field(CreditSerializer(many=True))
    def get_authors(self, obj: KnowledgeItem) -> list[dict[str, Any]]:
        credits = self.context.get("credits")
        return CreditSerializer(credits if credits is not None else obj.credits.all(), many=True).data  # type: ignore[return-value]

    def get_url(self, obj: KnowledgeItem) -> str:
        return _absolute(self.context.get("request"), obj.get_absolute_url())


class KindDetailsSerializer(serializers.Serializer):
    """The kind-specific fields (empty strings where the kind does not use them)."""

    context = serializers.CharField()  # type: ignore[assignment]  # a field: DRF moves it off the class attributes
    what_happened = serializers.CharField()
    what_we_learned = serializers.CharField()
    recommendation = serializers.CharField()
    applies_when = serializers.CharField()
    evidence = serializers.CharField()


class SourceThreadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj: Any) -> str:
        return _absolute(self.context.get("request"), obj.get_absolute_url())


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    author = serializers.CharField(source="author.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    note = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    body = serializers.CharField(source="body_source")
    details = serializers.DictField(source="fields", child=serializers.CharField(), help_text="The non-empty kind fields.")
    tags = serializers.ListField(child=serializers.CharField(), help_text="Topic names.")


class EndorsementSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class HelpfulMarkSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="Where to download it (for those who may read the item).")

    def get_url(self, obj: Attachment) -> str:
        return _absolute(self.context.get("request"), reverse("knowledge:download", args=[obj.id, obj.name]))


class ReviewEventSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ReviewEvent.Action.choices)
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class KnowledgeItemDetailSerializer(KnowledgeItemSummarySerializer):
    """An item with its body, kind fields, versions, endorsements, reuse marks, files, review history (for its
    people and the reviewers) and provenance. Serialises an ``ItemPage`` (``selectors.item_page``)."""

    body = serializers.CharField(source="body_source")
    body_html = serializers.CharField()
    details = serializers.SerializerMethodField()
    source_thread = serializers.SerializerMethodField(help_text="The thread it was captured from, when the caller may read it.")  # type: ignore[assignment]
    source_title = serializers.SerializerMethodField()
    source_url = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()
    endorsements = serializers.SerializerMethodField()
    helpful = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    reviews = serializers.SerializerMethodField()

    def __init__(self, page: selectors.ItemPage | None = None, **kwargs: Any) -> None:
        if page is None:  # the schema generator's instance
            super().__init__(**kwargs)
            return
        context = {**kwargs.pop("context", {}), "page": page, "tags": page.tags, "credits": page.credits}
        super().__init__(page.item, context=context, **kwargs)

    @property
    def page(self) -> selectors.ItemPage:
        return self.context["page"]  # type: ignore[no-any-return]

    def _many(self, serializer: type[serializers.Serializer], rows: list[Any]) -> list[dict[str, Any]]:
        return serializer(rows, many=True, context=self.context).data  # type: ignore[return-value]

    @extend_schema_field(KindDetailsSerializer)
    def get_details(self, obj: KnowledgeItem) -> dict[str, str]:
        return {name: getattr(obj, name) for name in ALL_KIND_FIELDS}

    @extend_schema_field(SourceThreadSerializer(allow_null=True))
    def get_source_thread(self, obj: KnowledgeItem) -> dict[str, Any] | None:
        thread = self.page.source_thread
        return SourceThreadSerializer(thread, context=self.context).data if thread is not None else None

    def _source_shown(self, obj: KnowledgeItem) -> bool:
        # A thread that no longer shows to this caller is not named through its copied title either.
        return self.page.source_thread is not None or not obj.source_thread_id

    def get_source_title(self, obj: KnowledgeItem) -> str:
        return obj.source_title if self._source_shown(obj) else ""

    def get_source_url(self, obj: KnowledgeItem) -> str:
        return obj.source_url if self._source_shown(obj) else ""

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, obj: KnowledgeItem) -> list[dict[str, Any]]:
        return self._many(VersionSerializer, self.page.versions)

    @extend_schema_field(EndorsementSerializer(many=True))
    def get_endorsements(self, obj: KnowledgeItem) -> list[dict[str, Any]]:
        return self._many(EndorsementSerializer, self.page.endorsements)

    @extend_schema_field(HelpfulMarkSerializer(many=True))
    def get_helpful(self, obj: KnowledgeItem) -> list[dict[str, Any]]:
        return self._many(HelpfulMarkSerializer, self.page.helpful)

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, obj: KnowledgeItem) -> list[dict[str, Any]]:
        return self._many(AttachmentSerializer, self.page.attachments)

    @extend_schema_field(ReviewEventSerializer(many=True))
    def get_reviews(self, obj: KnowledgeItem) -> list[dict[str, Any]]:
        return self._many(ReviewEventSerializer, self.page.reviews)


class CollectionSerializer(serializers.Serializer):
    """A collection as lists show it."""

    id = serializers.IntegerField()
    community = serializers.CharField(source="community.slug")
    title = serializers.CharField()
    description = serializers.CharField()
    position = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj: Collection) -> str:
        return _absolute(self.context.get("request"), obj.get_absolute_url())


class CollectionEntrySerializer(serializers.Serializer):
    """An item's place in a collection (1 is first)."""

    position = serializers.IntegerField()
    item = KnowledgeItemSummarySerializer()


class CollectionDetailSerializer(CollectionSerializer):
    """A collection with its items in order: readers get the published and archived ones, reviewers all.
    ``context["items"]`` holds them (``selectors.collection_items``)."""

    items = serializers.SerializerMethodField()

    @extend_schema_field(KnowledgeItemSummarySerializer(many=True))
    def get_items(self, obj: Collection) -> list[dict[str, Any]]:
        return KnowledgeItemSummarySerializer(self.context["items"], many=True, context=self.context).data  # type: ignore[return-value]


__all__ = [
    "AttachmentSerializer",
    "CollectionDetailSerializer",
    "CollectionEntrySerializer",
    "CollectionItemAddSerializer",
    "CollectionItemMoveSerializer",
    "CollectionSerializer",
    "CollectionWriteSerializer",
    "EndorsementSerializer",
    "HelpfulMarkSerializer",
    "KnowledgeCaptureSerializer",
    "KnowledgeCommentSerializer",
    "KnowledgeHelpfulSerializer",
    "KnowledgeItemDetailSerializer",
    "KnowledgeItemPatchSerializer",
    "KnowledgeItemSummarySerializer",
    "KnowledgeItemWriteSerializer",
    "KnowledgeRestoreSerializer",
    "KnowledgeReviewSerializer",
    "KnowledgeUploadSerializer",
    "ReviewEventSerializer",
    "StewardshipSerializer",
    "StewardshipSettingsSerializer",
    "VersionSerializer",
]


class StewardshipSerializer(serializers.Serializer):
    """The stewardship queue, as its page shows it: items waiting for a reviewer (oldest first), published items
    whose review date has come (most overdue first), and the community's review period."""

    review_months = serializers.IntegerField(help_text="Months after publishing or re-verifying until a review is due.")
    in_review = KnowledgeItemSummarySerializer(many=True)
    due = KnowledgeItemSummarySerializer(many=True)


class StewardshipSettingsSerializer(serializers.Serializer):
    review_months = serializers.IntegerField(min_value=1, max_value=120)
