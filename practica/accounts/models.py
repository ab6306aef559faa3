"""People who can sign in (or who were imported and may be linked to an account later)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class User(AbstractUser):
    """An account. Username and email are unique regardless of letter case.

    Imported people (for example from a Stack Exchange dump) have no usable password and no email until a
    network admin links them to a real person.
    """

    external_id = models.CharField(max_length=100, blank=True, default="", db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="accounts_user_email_ci_unique"
            ),
            models.UniqueConstraint(
                fields=["external_id"], condition=~models.Q(external_id=""), name="accounts_user_external_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def display_name(self) -> str:
        profile = getattr(self, "profile", None)
        return (profile.display_name if profile else "") or self.get_full_name() or self.username


class RateCounter(models.Model):
    """A rate-limit counter shared by every web process (``practica.accounts.ratelimit``), used when there is no
    Redis: hits in a window that ends at ``resets_at`` (Unix seconds). The key is a hash of scope and subject."""

    key = models.CharField(max_length=100, primary_key=True)
    hits = models.PositiveIntegerField(default=0)
    resets_at = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and write"


class ApiToken(models.Model):
    """A personal API token: named, scoped (read or read and write), expiring, revocable, and stored only as a
    hash. Made on the tokens page or by ``POST /api/v1/auth/token/``; shown once, when made.

    A token stops working when it expires, is revoked, its owner is deactivated, or its owner's password changes
    (``password_marker`` is a keyed hash of the password hash the token was made under)."""

    class Revoked(models.TextChoices):
        OWNER = "owner", "Revoked by its owner"
        ADMIN = "admin", "Revoked by a network admin"
        PASSWORD = "password", "The password changed"
        DEACTIVATED = "deactivated", "The account was deactivated"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The token's first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token.")
    scope = models.CharField(max_length=5, choices=TokenScope.choices, default=TokenScope.WRITE)
    password_marker = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_from = models.CharField(max_length=64, blank=True, default="")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=12, choices=Revoked.choices, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="accounts_token_user_live")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def state(self) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= timezone.now() else "active"
