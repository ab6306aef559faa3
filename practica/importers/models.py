"""Imports of content from other tools, run from the command line or uploaded by coordinators."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from practica.communities.models import Community


class ImportJob(models.Model):
    """One import run: what was imported into which community, by whom, its progress and its summary."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    community = models.ForeignKey(Community, null=True, blank=True, on_delete=models.SET_NULL, related_name="imports")
    source = models.CharField(max_length=30, default="stackexchange")
    site = models.CharField(max_length=100, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    upload = models.FileField(upload_to="imports/%Y/%m/", blank=True, default="")
    until = models.DateField(null=True, blank=True)
    progress = models.JSONField(default=dict, blank=True, help_text="{file, done, total}")
    stats = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")
    worker = models.CharField(
        max_length=300, blank=True, default="", help_text="host:pid of the process running it (when known)."
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} import {self.pk} ({self.status})"
