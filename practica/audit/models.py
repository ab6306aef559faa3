"""The audit log: who did what, when and from where — moderation, roles, membership, tokens, admin actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """One recorded action. Entries of a community are read by its coordinators and by network admins; entries
    without a community (tokens, the admin) by network admins only. Entries are never edited."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, default="", help_text="The username at the time.")
    action = models.CharField(max_length=50, db_index=True, help_text="e.g. membership.role, moderation.hide")
    summary = models.CharField(max_length=500)
    community = models.ForeignKey(
        "communities.Community", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    community_name = models.CharField(max_length=200, blank=True, default="")
    target_type = models.CharField(max_length=30, blank=True, default="")
    target_id = models.BigIntegerField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    address = models.CharField(max_length=64, blank=True, default="", help_text="The client's address.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "-created_at"], name="audit_community_recent")]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return self.summary
