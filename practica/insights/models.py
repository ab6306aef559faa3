"""What the health metrics need beyond the content itself: one row per person, community and UTC day."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from practica.communities.models import Community


class DailyActivity(models.Model):
    """A person was active in a community on a UTC day: read something, or contributed (a thread, reply or
    comment). One row per person, community and day, never a row per page view; ``contributed`` only ever goes
    from False to True. Written by ``services.activity_record`` and ``services.activity_backfill``; read for
    DAU/WAU/MAU and active members (``metrics.py``)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(help_text="UTC day.")
    contributed = models.BooleanField(default=False, help_text="Contributed that day, not only read.")

    class Meta:
        verbose_name_plural = "daily activity"
        constraints = [
            models.UniqueConstraint(fields=["community", "user", "day"], name="insights_dailyactivity_unique")
        ]
        indexes = [models.Index(fields=["community", "day"], name="insights_activity_day")]

    def __str__(self) -> str:
        what = "contributed" if self.contributed else "read"
        return f"{self.user_id} {what} in {self.community_id} on {self.day}"
