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


class HealthSnapshot(models.Model):
    """A community's health metrics as of a UTC day: every metric of ``metrics.METRICS`` over the
    ``history.HISTORY_DAYS`` (30) UTC days ending with ``day``, as ``metrics.window_metrics`` computes them
    (``values``: metric name -> number, or null where undefined). One row per community and day, written by
    ``services.snapshot_take`` (daily) and ``history.snapshot_backfill`` (a whole history at once); read by
    ``history.py`` for the trend lines."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(help_text="UTC day: the last day of the window.")
    values = models.JSONField(default=dict, help_text="Metric name -> value over the window ending with the day.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "day"], name="insights_healthsnapshot_unique")
        ]

    def __str__(self) -> str:
        return f"Health of {self.community_id} on {self.day}"
