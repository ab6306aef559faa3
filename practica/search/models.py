"""The search index: one row per searchable thing, kept in step with the content as it is saved.

The full-text part lives beside it, per database: an FTS5 table kept in sync by triggers on SQLite, and a
weighted ``tsvector`` column filled by a trigger (with a GIN index) on PostgreSQL. See ``backends/``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone

from practica.communities.models import Community


class DocType(models.TextChoices):
    THREAD = "thread", "Thread"
    PERSON = "person", "Person"
    KNOWLEDGE = "knowledge", "Knowledge"
    EVENT = "event", "Event"


class SearchDocument(models.Model):
    """A searchable thing: its text, the community that decides who may see it, and ranking signals."""

    doc_type = models.CharField(max_length=20, choices=DocType.choices)
    object_id = models.BigIntegerField()
    community = models.ForeignKey(Community, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True, default="")
    tags = models.TextField(blank=True, default="", help_text="Space-separated topic slugs and names.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=30, blank=True, default="")
    is_solved = models.BooleanField(default=False)
    votes = models.IntegerField(default=0)
    replies = models.IntegerField(default=0)
    author_trust = models.FloatField(default=0.0, help_text="0..1: how much the community vouches for the author.")
    created_at = models.DateTimeField(default=timezone.now)
    url = models.CharField(max_length=300)
    external_id = models.CharField(max_length=100, blank=True, default="")
    language = models.CharField(max_length=20, default="english")
    # Nullable without a default: on SQLite, adding a column with a default remakes the table, which drops the
    # full-text triggers (migration 0002); a nullable one is a plain ALTER TABLE ... ADD COLUMN.
    terms = models.TextField(
        null=True, blank=True, help_text="Threads: their most frequent words and counts, as JSON (see similarity.py)."
    )
    vector = SearchVectorField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["doc_type", "object_id"], name="search_document_unique")]
        indexes = [
            models.Index(fields=["community", "doc_type"], name="search_doc_community_type"),
            # Search sorted by date or votes walks these (backends.base.ORDER_INDEXES).
            models.Index(fields=["created_at", "id"], name="search_doc_created"),
            models.Index(fields=["votes", "created_at", "id"], name="search_doc_votes"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_type} {self.object_id}: {self.title}"


class ExpertRequest(models.Model):
    """Someone asked a suggested expert to look at an unanswered question (routing)."""

    thread = models.ForeignKey("discussions.Thread", on_delete=models.CASCADE, related_name="expert_requests")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    reasons = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "expert"], name="search_expert_request_unique")]

    def __str__(self) -> str:
        return f"Ask {self.expert_id} about thread {self.thread_id}"


class ThreadEmbedding(models.Model):
    """A thread's sentence embedding (optional semantic extra): float32 vector, L2-normalised."""

    thread = models.OneToOneField("discussions.Thread", primary_key=True, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    model_name = models.CharField(max_length=100)
    vector = models.BinaryField()  # empty: the thread left the index (deleted, hidden), see semantic.embed_threads
    source_hash = models.CharField(max_length=40, blank=True, default="")  # what it was computed from
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"Embedding of thread {self.thread_id}"


class SearchWord(models.Model):
    """A word met in indexed content, as written (lower case): what "did you mean" may propose (spelling.py).

    Only spellings: which documents have a word, and who may read them, is always asked of the index itself."""

    word = models.CharField(max_length=30, primary_key=True)
    # The word spelled backwards: words ending like a misspelling are found along an index, as those starting
    # like it are along the primary key (spelling.spellings).
    backwards = models.CharField(max_length=30, db_index=True)

    def __str__(self) -> str:
        return self.word


class LatentSpace(models.Model):
    """The word vectors of latent semantic search (``latent.py``): the newest row is the one in use.

    A build replaces it; ``ThreadLatent`` rows hang off it and go with it."""

    built_at = models.DateTimeField(default=timezone.now)
    documents = models.IntegerField(help_text="Thread documents the space was computed from.")
    dimensions = models.IntegerField()
    words = models.TextField(help_text="The vocabulary, as a JSON list (the rows of ``projection``).")
    idf = models.BinaryField(help_text="float32 per word: log((N + 1) / documents with the word).")
    projection = models.BinaryField(help_text="float32, words × dimensions: a word's place in the space.")
    # The order of a whole question's results learnt from this site's own linked questions (``learn_search_order``;
    # kept across builds). Empty: the shipped ``rerank.WEIGHTS``.
    order_weights = models.TextField(blank=True, default="", help_text="JSON list of rerank.FEATURES weights, or empty.")
    order_learnt_at = models.DateTimeField(null=True, blank=True)
    order_report = models.TextField(blank=True, default="", help_text="JSON: what was learnt from, and how it measured.")

    def __str__(self) -> str:
        return f"Latent space {self.pk} ({self.documents} documents, {self.dimensions} dimensions)"


class ThreadLatent(models.Model):
    """A thread's place in the latent space (float32, L2-normalised), written by a build or when it is indexed."""

    thread = models.OneToOneField("discussions.Thread", primary_key=True, on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey(LatentSpace, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    vector = models.BinaryField()
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"Latent vector of thread {self.thread_id}"
