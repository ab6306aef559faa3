"""People who can sign in (or who were imported and may be linked to an account later)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


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
