"""Practice distilled: knowledge items (best practices, lessons learned, experience stories, how-tos,
resources), their published versions, reviews, endorsements, reuse signals, attachments and collections."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import Community
from practica.discussions.models import Thread
from practica.topics.models import Topic

MAX_TITLE_LENGTH = 200
MAX_SUMMARY_LENGTH = 500
MAX_BODY_BYTES = 128 * 1024
MAX_FIELD_LENGTH = 5000
MAX_NOTE_LENGTH = 300


class KnowledgeKind(models.TextChoices):
    BEST_PRACTICE = "best-practice", "Best practice"
    LESSON_LEARNED = "lesson-learned", "Lesson learned"
    EXPERIENCE = "experience", "Experience story"
    HOW_TO = "how-to", "How-to / lesson plan"
    RESOURCE = "resource", "Resource"


class KnowledgeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in-review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


# Extra fields that help a kind, in the order they are shown: (field name, label).
KIND_FIELDS: dict[str, list[tuple[str, str]]] = {
    KnowledgeKind.LESSON_LEARNED: [
        ("context", "Context"),
        ("what_happened", "What happened"),
        ("what_we_learned", "What we learned"),
        ("recommendation", "Recommendation"),
    ],
    KnowledgeKind.BEST_PRACTICE: [("applies_when", "When it applies"), ("evidence", "Evidence")],
}
ALL_KIND_FIELDS = ["context", "what_happened", "what_we_learned", "recommendation", "applies_when", "evidence"]


class KnowledgeItem(models.Model):
    """A piece of a community's lasting knowledge. The working copy lives here; every published change is also
    kept as a ``KnowledgeVersion``. Counters (views, helpful marks, endorsements) are kept by the services."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="knowledge_items")
    kind = models.CharField(max_length=20, choices=KnowledgeKind.choices, default=KnowledgeKind.LESSON_LEARNED)
    title = models.CharField(max_length=MAX_TITLE_LENGTH)
    summary = models.CharField(max_length=MAX_SUMMARY_LENGTH, blank=True, default="")
    body_source = models.TextField(blank=True, default="")
    body_html = models.TextField(blank=True, default="")
    body_text = models.TextField(blank=True, default="")
    context = models.TextField(blank=True, default="", max_length=MAX_FIELD_LENGTH)
    what_happened = models.TextField(blank=True, default="", max_length=MAX_FIELD_LENGTH)
    what_we_learned = models.TextField(blank=True, default="", max_length=MAX_FIELD_LENGTH)
    recommendation = models.TextField(blank=True, default="", max_length=MAX_FIELD_LENGTH)
    applies_when = models.TextField(blank=True, default="", max_length=MAX_FIELD_LENGTH)
    evidence = models.TextField(blank=True, default="", max_length=MAX_FIELD_LENGTH)
    tags = models.ManyToManyField(Topic, blank=True, related_name="knowledge_items")
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="KnowledgeAuthor", related_name="knowledge_items", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=KnowledgeStatus.choices, default=KnowledgeStatus.DRAFT)
    source_thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.SET_NULL, related_name="knowledge_captures"
    )
    source_title = models.CharField(max_length=300, blank=True, default="")
    source_url = models.CharField(max_length=500, blank=True, default="")
    version = models.PositiveIntegerField(default=0, help_text="Number of the latest published version (0: none).")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    review_due = models.DateField(null=True, blank=True, help_text="When a coordinator should re-verify it.")
    verified_at = models.DateTimeField(null=True, blank=True)
    view_count = models.PositiveIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    endorsement_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "-updated_at", "-id"], name="knowledge_list"),
            models.Index(fields=["community", "review_due"], condition=Q(status="published"), name="knowledge_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:item", kwargs={"slug": self.community.slug, "item_id": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == KnowledgeStatus.PUBLISHED

    @property
    def is_review_overdue(self) -> bool:
        return self.is_published and self.review_due is not None and self.review_due <= timezone.localdate()

    def kind_fields(self) -> list[tuple[str, str, str]]:
        """(name, label, value) of this kind's extra fields."""
        return [(name, label, getattr(self, name)) for name, label in KIND_FIELDS.get(self.kind, [])]


class KnowledgeAuthor(models.Model):
    """A person credited on an item. Editors (the writer, the capturer) may change it; contributors are credited
    (for example the authors of a captured thread's answers)."""

    class Role(models.TextChoices):
        EDITOR = "editor", "Author"
        CONTRIBUTOR = "contributor", "Contributor"

    item = models.ForeignKey(KnowledgeItem, on_delete=models.CASCADE, related_name="credits")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.EDITOR)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="knowledge_author_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.item_id} ({self.role})"


class KnowledgeVersion(models.Model):
    """An item as it was published: a snapshot with its author, date and change note."""

    item = models.ForeignKey(KnowledgeItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=MAX_NOTE_LENGTH, blank=True, default="")
    kind = models.CharField(max_length=20, choices=KnowledgeKind.choices)
    title = models.CharField(max_length=MAX_TITLE_LENGTH)
    summary = models.CharField(max_length=MAX_SUMMARY_LENGTH, blank=True, default="")
    body_source = models.TextField(blank=True, default="")
    fields = models.JSONField(default=dict, blank=True, help_text="The kind-specific fields.")
    tags = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="knowledge_version_unique")]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.item_id}"

    def as_text(self) -> str:
        """Everything a reader sees, as lines, for a readable diff between versions."""
        parts = [f"# {self.title}", "", self.summary, "", self.body_source]
        for name in ALL_KIND_FIELDS:
            if self.fields.get(name):
                parts += ["", f"## {name.replace('_', ' ').capitalize()}", self.fields[name]]
        if self.tags:
            parts += ["", "Tags: " + ", ".join(self.tags)]
        return "\n".join(parts)


class ReviewEvent(models.Model):
    """One step of an item's review: submitted, approved, returned (with comments), archived, re-verified."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        APPROVED = "approved", "Approved and published"
        RETURNED = "returned", "Returned with comments"
        ARCHIVED = "archived", "Archived"
        VERIFIED = "verified", "Re-verified"
        RESTORED = "restored", "Restored a version"
        UNARCHIVED = "unarchived", "Brought back from the archive"

    item = models.ForeignKey(KnowledgeItem, on_delete=models.CASCADE, related_name="review_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    comment = models.TextField(blank=True, default="", max_length=MAX_FIELD_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} on {self.item_id}"


class Endorsement(models.Model):
    """A member with matching expertise vouches for a published item."""

    item = models.ForeignKey(KnowledgeItem, on_delete=models.CASCADE, related_name="endorsements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    comment = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="knowledge_endorsement_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} endorses {self.item_id}"


class HelpfulMark(models.Model):
    """“This helped me”, with an optional note on how it was applied: evidence of value."""

    item = models.ForeignKey(KnowledgeItem, on_delete=models.CASCADE, related_name="helpful_marks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=1000, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="knowledge_helpful_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} was helped by {self.item_id}"


class ItemView(models.Model):
    """One person read one item on one day (views are counted once per person per day)."""

    item = models.ForeignKey(KnowledgeItem, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "user", "day"], name="knowledge_view_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.item_id} on {self.day}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random folder per file: names never clash and cannot be guessed.
    return f"knowledge/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    """A file attached to an item (template, checklist...), stored through Django's storage API and served only
    to people who may read the item."""

    item = models.ForeignKey(KnowledgeItem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(max_length=200, help_text="The file name shown and offered on download.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class Collection(models.Model):
    """An ordered set of items assembled by coordinators (for example “Start here” for newcomers)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="knowledge_collections")
    title = models.CharField(max_length=MAX_TITLE_LENGTH)
    description = models.TextField(blank=True, default="", max_length=2000)
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:collection", kwargs={"slug": self.community.slug, "collection_id": self.pk})


class CollectionEntry(models.Model):
    """An item's place in a collection."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(KnowledgeItem, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["collection", "item"], name="knowledge_collection_entry_unique")]

    def __str__(self) -> str:
        return f"{self.item_id} in {self.collection_id}"


class KnowledgeSettings(models.Model):
    """A community's knowledge-base settings (kept here so the communities app needs no new field)."""

    community = models.OneToOneField(Community, on_delete=models.CASCADE, related_name="knowledge_settings")
    review_months = models.PositiveIntegerField(
        default=12, help_text="Months after publishing (or re-verifying) until an item is due for review."
    )

    def __str__(self) -> str:
        return f"Knowledge settings of {self.community_id}"
