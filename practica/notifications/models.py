"""Notifications and the channels that carry them: subscriptions, email preferences and deliveries, personal
feed keys and outgoing webhooks."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from practica.communities.models import Community
from practica.topics.models import Topic


class Kind(models.TextChoices):
    REPLY = "reply", "Reply"
    COMMENT = "comment", "Comment"
    MENTION = "mention", "Mention"
    ACCEPTED = "accepted", "Accepted answer"
    EVENT_NEW = "event_new", "New event"
    EVENT_REMINDER = "event_reminder", "Event reminder"
    JOIN_REQUEST = "join_request", "Join request"
    EXPERT_REQUEST = "expert_request", "Expert request"
    REVIEW_REQUEST = "review_request", "Review request"
    REVIEW_RESULT = "review_result", "Review result"
    ACTION_ASSIGNED = "action_assigned", "Action assigned"
    NEW_CONTENT = "new_content", "New in a watched community"
    WEBHOOK_DISABLED = "webhook_disabled", "Webhook disabled"
    WAITLIST_PROMOTED = "waitlist_promoted", "Seat from the waiting list"
    EVENT_CHANGED = "event_changed", "Event changed"


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately, one email per notification"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"
    OFF = "off", "No email"


DEFAULT_EMAIL_MODE = EmailMode.IMMEDIATE


def new_feed_key() -> str:
    return secrets.token_urlsafe(18)


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def of(self, target: models.Model) -> SubscriptionQuerySet:
        """Subscriptions to one watchable thing of a content app (a thread; ``practica/notifications/targets.py``)."""
        return self.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk)


class Subscription(models.Model):
    """A person watching (or muting) a community, a tag or a watchable thing of a content app (a thread). Exactly
    one target is set.

    The notifications app knows no content model: a thread is a generic ``target`` (the apps that have watchable
    things register them in ``practica/notifications/targets.py``). A muted subscription silences that target
    even when another subscription would notify (a muted thread in a watched community stays silent).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    muted = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(community__isnull=False, topic__isnull=True, target_type__isnull=True, target_id__isnull=True)
                    | Q(community__isnull=True, topic__isnull=False, target_type__isnull=True, target_id__isnull=True)
                    | Q(community__isnull=True, topic__isnull=True, target_type__isnull=False, target_id__isnull=False)
                ),
                name="notifications_subscription_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "community"],
                condition=Q(community__isnull=False),
                name="notif_sub_community_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "topic"], condition=Q(topic__isnull=False), name="notif_sub_topic_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "target_type", "target_id"],
                condition=Q(target_type__isnull=False),
                name="notif_sub_target_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "muted"], name="notif_sub_by_community"),
            models.Index(fields=["topic", "muted"], name="notif_sub_by_topic"),
            models.Index(fields=["target_type", "target_id", "muted"], name="notif_sub_by_target"),
        ]

    def __str__(self) -> str:
        target = self.community or self.topic or f"{self.target_type} {self.target_id}"
        return f"{self.user} {'mutes' if self.muted else 'watches'} {target}"


class EmailPreference(models.Model):
    """How a person wants email: immediately, in a daily or weekly digest, or not at all.

    ``feed_key`` is the secret behind the personal feed URLs; changing it revokes every old URL.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference"
    )
    email_mode = models.CharField(max_length=10, choices=EmailMode.choices, default=DEFAULT_EMAIL_MODE)
    feed_key = models.CharField(max_length=40, default=new_feed_key)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.email_mode}"


class CommunityEmailPreference(models.Model):
    """A per-community override of the person's email mode."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    email_mode = models.CharField(max_length=10, choices=EmailMode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "community"], name="notif_community_pref_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.community}: {self.email_mode}"


class DeliveryStatus(models.TextChoices):
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class EmailDelivery(models.Model):
    """One email to one person: an immediate notification or a digest.

    The unique ``(recipient, key)`` pair is the claim: two overlapping digest runs cannot both create the
    delivery for the same person and period, and a notification joins at most one delivery (its
    ``email_delivery`` is set once, by a conditional UPDATE).
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(
        max_length=40, help_text="immediate:<notification id>, daily:<date>, weekly:<year-week>"
    )
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.SENDING)
    claim_token = models.CharField(
        max_length=32, blank=True, default="", help_text="The run that claimed it."
    )
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notif_email_delivery_unique")
        ]
        indexes = [models.Index(fields=["status", "claimed_at"], name="notif_delivery_status")]

    def __str__(self) -> str:
        return f"{self.key} to {self.recipient_id} ({self.status})"


class Notification(models.Model):
    """Something a person should know about, shown in their notification centre and emailed per ``email_mode``.

    ``email_mode`` is the person's effective mode when the notification was made (community override or
    personal default), so a digest run needs no per-person preference lookups.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=300)
    text = models.TextField(blank=True, default="")
    url = models.CharField(max_length=500)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_mode = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.OFF)
    email_delivery = models.ForeignKey(
        EmailDelivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notif_recipient_list"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notif_recipient_unread"
            ),
            models.Index(
                fields=["email_mode", "recipient", "id"],
                condition=Q(email_delivery__isnull=True) & ~Q(email_mode="off"),
                name="notif_email_pending",
            ),
            # notify() looks up who already heard of a target, so one post is one notification per person.
            models.Index(fields=["target_type", "target_id"], name="notif_target"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.subject}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Webhook(models.Model):
    """An outgoing webhook of a community (for chat tools): JSON POSTs signed with HMAC-SHA256."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=64, default=new_feed_key)
    events = models.JSONField(default=list, blank=True, help_text="Event names; empty means all.")
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Webhook of {self.community_id} to {self.url}"

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class WebhookDelivery(models.Model):
    """One event posted (or to be posted) to one webhook, with its attempts."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notif_webhook_due")]

    def __str__(self) -> str:
        return f"{self.event} to webhook {self.webhook_id} ({self.status})"
