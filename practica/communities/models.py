"""The Domain (a community, its charter and goals) and the Community (its members and roles)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from practica.communities import goal_metrics
from practica.people.models import Organization
from practica.topics.models import Topic


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public — anyone reads and joins"
    MEMBERS_ONLY = "members-only", "Members only — visible, joining needs approval"
    PRIVATE = "private", "Private — invisible to non-members, invitation only"


class Stage(models.TextChoices):
    POTENTIAL = "potential", "Potential"
    COALESCING = "coalescing", "Coalescing"
    MATURING = "maturing", "Maturing"
    STEWARDSHIP = "stewardship", "Stewardship"
    TRANSFORMATION = "transformation", "Transformation"


class Community(models.Model):
    """A Community of Practice: its domain, topics, visibility and lifecycle stage."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    domain = models.TextField("domain statement", max_length=5000, help_text="What the community is about.")
    out_of_scope = models.TextField(blank=True, default="", max_length=3000, help_text="What it is not about.")
    topics = models.ManyToManyField(Topic, blank=True, related_name="communities")
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.POTENTIAL)
    organizations = models.ManyToManyField(
        Organization, blank=True, related_name="communities", help_text="Organisations taking part."
    )
    language = models.CharField(max_length=20, default="english", help_text="Language of its content (search).")
    members_can_add_tags = models.BooleanField(
        default=False, help_text="Members may tag threads with new topics (coordinators always can)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    external_id = models.CharField(max_length=100, blank=True, default="", db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "communities"
        constraints = [models.UniqueConstraint(Lower("slug"), name="communities_community_slug_ci_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("communities:detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

    @property
    def is_private(self) -> bool:
        return self.visibility == Visibility.PRIVATE


class Cadence(models.TextChoices):
    """How often the community plans to meet (the rhythm its health is measured against)."""

    NONE = "none", "No planned rhythm"
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class Charter(models.Model):
    """Why the community exists: its purpose, measurable goals and the rhythm of meetings it plans."""

    community = models.OneToOneField(Community, on_delete=models.CASCADE, related_name="charter")
    purpose = models.TextField(blank=True, default="", max_length=5000)
    cadence = models.CharField(
        max_length=20, choices=Cadence.choices, default=Cadence.NONE, help_text="How often the community plans to meet."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Charter of {self.community}"


class Goal(models.Model):
    """A goal of the charter, optionally with a measurable objective (metric, target value, due date)."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(max_length=500)
    metric = models.CharField(
        max_length=100, blank=True, default="",
        help_text="A metric of the catalogue (goal_metrics.choices()), e.g. reply_coverage_7d; empty: not measured.",
    )
    target_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def is_measurable(self) -> bool:
        return bool(self.metric) and self.target_value is not None

    @property
    def metric_label(self) -> str:
        """The metric as people read it (its catalogue label), or "Not measured"."""
        if not self.metric:
            return goal_metrics.NOT_MEASURED
        return goal_metrics.label(self.metric) or self.metric


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinator"
    CORE = "core", "Core member"
    MEMBER = "member", "Member"
    SPONSOR = "sponsor", "Sponsor"


class MembershipState(models.TextChoices):
    INVITED = "invited", "Invited"
    REQUESTED = "requested", "Requested to join"
    ACTIVE = "active", "Active"
    DECLINED = "declined", "Declined"
    LEFT = "left", "Left"
    REMOVED = "removed", "Removed"


class Membership(models.Model):
    """A person's relation to a community: role and state (invited, requested, active, left...)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(max_length=20, choices=MembershipState.choices, default=MembershipState.ACTIVE)
    message = models.CharField(max_length=1000, blank=True, default="", help_text="Why they want to join.")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    joined_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "user"], name="communities_membership_unique")]
        indexes = [models.Index(fields=["community", "state", "role"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.community} ({self.role}, {self.state})"

    @property
    def is_active(self) -> bool:
        return self.state == MembershipState.ACTIVE


class Invitation(models.Model):
    """An invitation by email or a shareable link; the link carries a signed token that expires."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(blank=True, default="", help_text="Empty for a shareable link.")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    max_uses = models.PositiveIntegerField(default=1)
    use_count = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation to {self.community} ({self.email or 'link'})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.use_count < self.max_uses and self.expires_at > timezone.now()


class CommunityChange(models.Model):
    """One entry of a community's history: who changed what, when (old and new values)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    summary = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [old, new]}")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.summary
