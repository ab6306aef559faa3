"""Topics: the shared vocabulary of tags, community topics and people's expertise."""

from __future__ import annotations

from django.db import models


class Topic(models.Model):
    """A normalised tag such as ``well-integrity`` or ``formative-assessment``.

    One table serves community topics, thread tags and declared expertise, so "who knows about X" and
    "people who may belong here" are plain joins.
    """

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=64)
    description = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name
