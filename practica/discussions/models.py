"""Practice: threads (questions, discussions, ideas), their posts, comments, votes, revisions and flags."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import Community
from practica.topics.models import Topic

MAX_TITLE_LENGTH = 200
MAX_BODY_BYTES = 64 * 1024
MAX_COMMENT_LENGTH = 1000


class ThreadKind(models.TextChoices):
    QUESTION = "question", "Question"
    DISCUSSION = "discussion", "Discussion"
    IDEA = "idea", "Idea"


class IdeaStatus(models.TextChoices):
    OPEN = "open", "Open"
    UNDER_REVIEW = "under-review", "Under review"
    PLANNED = "planned", "Planned"
    DONE = "done", "Done"
    DECLINED = "declined", "Declined"


class Thread(models.Model):
    """A question, discussion or idea in a community. Its opening text is the first ``Post``.

    Counters (``reply_count``, ``score``) and ``first_response_at`` are kept by the services so that lists and
    the unheard queue need no aggregation.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="threads")
    kind = models.CharField(max_length=20, choices=ThreadKind.choices, default=ThreadKind.QUESTION)
    title = models.CharField(max_length=MAX_TITLE_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="threads"
    )
    tags = models.ManyToManyField(Topic, blank=True, related_name="threads")
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    first_response_at = models.DateTimeField(
        null=True, blank=True, help_text="First reply by someone other than the author."
    )
    reply_count = models.PositiveIntegerField(default=0)
    score = models.IntegerField(default=0, help_text="Up-votes minus down-votes of the opening post.")
    view_count = models.PositiveIntegerField(default=0)
    accepted_post = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="accepted_in"
    )
    idea_status = models.CharField(max_length=20, choices=IdeaStatus.choices, blank=True, default="")
    idea_status_reason = models.CharField(max_length=500, blank=True, default="")
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    related = models.ManyToManyField("self", blank=True, symmetrical=True)
    is_locked = models.BooleanField(default=False)
    is_pinned = models.BooleanField(default=False)
    is_hidden = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_id = models.CharField(max_length=100, blank=True, default="")
    # People watching or muting the thread: deleted with it in one query per batch of threads (a community's
    # deletion takes all its threads), not one per thread (``practica/notifications/targets.py``).
    subscriptions = GenericRelation(
        "notifications.Subscription", content_type_field="target_type", object_id_field="target_id",
        related_query_name="+",
    )

    class Meta:
        ordering = ["-last_activity_at"]
        # Partial indexes matching the list's sort orders and counts (measured in docs/benchmarks.md).
        indexes = [
            models.Index(
                fields=["community", "-is_pinned", "-last_activity_at", "-id"],
                condition=Q(deleted_at__isnull=True),
                name="thread_list_activity",
            ),
            models.Index(
                fields=["community", "-is_pinned", "-created_at", "-id"],
                condition=Q(deleted_at__isnull=True),
                name="thread_list_newest",
            ),
            models.Index(
                fields=["community", "-is_pinned", "-score", "-last_activity_at", "-id"],
                condition=Q(deleted_at__isnull=True),
                name="thread_list_votes",
            ),
            models.Index(
                fields=["community", "is_hidden", "author"], condition=Q(deleted_at__isnull=True), name="thread_visible"
            ),
            models.Index(fields=["community", "author", "created_at"], name="thread_comm_author"),
            models.Index(
                fields=["community", "created_at", "id"],
                name="thread_unheard",
                condition=Q(first_response_at__isnull=True, deleted_at__isnull=True, is_hidden=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="discussions_thread_external_id_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("discussions:thread", kwargs={"slug": self.community.slug, "thread_id": self.pk})

    @property
    def is_solved(self) -> bool:
        return self.accepted_post_id is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Post(models.Model):
    """The opening text of a thread (``is_opening``) or a reply. Markdown source kept; HTML rendered on save."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    is_opening = models.BooleanField(default=False)
    body_source = models.TextField()
    body_format = models.CharField(max_length=10, default="markdown", help_text="markdown, or html when imported")
    body_html = models.TextField()
    body_text = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Raised by every edit; guards concurrent edits.")
    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    is_hidden = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_id = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["thread", "created_at"], name="post_thread_created"),
            models.Index(fields=["author", "created_at"], name="post_author_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="discussions_post_external_id_unique"
            ),
            models.UniqueConstraint(
                fields=["thread"], condition=Q(is_opening=True), name="discussions_post_one_opening"
            ),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.thread_id}"

    @property
    def score(self) -> int:
        return self.upvotes - self.downvotes

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Comment(models.Model):
    """A short clarifying comment under a post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    body_source = models.TextField(max_length=MAX_COMMENT_LENGTH)
    body_html = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    score = models.IntegerField(default=0)
    deleted_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="discussions_comment_external_id_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk}"


class Vote(models.Model):
    """One up-vote by one person on one post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="discussions_vote_unique")]

    def __str__(self) -> str:
        return f"Vote by {self.user_id} on post {self.post_id}"


class Revision(models.Model):
    """A post's text (and, for an opening post, the thread's title and tags) as it was after one save."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    title = models.CharField(max_length=MAX_TITLE_LENGTH, blank=True, default="")
    tags = models.JSONField(default=list, blank=True)
    body_source = models.TextField()
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["post", "number"], name="discussions_revision_unique")]

    def __str__(self) -> str:
        return f"Revision {self.number} of post {self.post_id}"


class Mention(models.Model):
    """A person @mentioned in a post or comment (only people who can see the thread are recorded)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "comment", "user"], name="discussions_mention_unique"),
        ]

    def __str__(self) -> str:
        return f"Mention of {self.user_id} in post {self.post_id}"


class Flag(models.Model):
    """A member's report that a post needs a coordinator's attention."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        OFFENSIVE = "offensive", "Rude or offensive"
        OFF_TOPIC = "off-topic", "Off topic"
        CONFIDENTIAL = "confidential", "Contains confidential information"
        OTHER = "other", "Something else"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    details = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=20, blank=True, default="", help_text="hidden, dismissed")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"], condition=Q(resolved_at__isnull=True), name="discussions_flag_open_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Flag ({self.reason}) on post {self.post_id}"


class ModerationAction(models.Model):
    """Log of what coordinators did to threads and posts (hide, lock, pin, move, duplicate, status...)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="moderation_actions")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=30)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} on thread {self.thread_id}"
