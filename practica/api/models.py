"""What the API keeps of its own: the answers to create requests sent with an ``Idempotency-Key``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """A POST sent with an ``Idempotency-Key`` header and the answer it got, stored in the same transaction as
    the write itself: a retry with the same key (and the same request) gets this answer again instead of
    creating anything (``practica/api/idempotency.py``). Keys are per person and expire after 24 hours."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.TextField(help_text="Path and query string of the request.")
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the request body (JSON canonicalised).")
    response_status = models.PositiveSmallIntegerField()
    response_headers = models.JSONField(default=dict, blank=True, help_text="Content-Type, Location...")
    response_body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_key_unique")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} by {self.user_id} ({self.key})"
