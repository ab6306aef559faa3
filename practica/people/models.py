"""Organisations and the people in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from practica.topics.models import Topic


class Organization(models.Model):
    """A company, agency, school, hospital or other body that practitioners belong to."""

    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        AGENCY = "agency", "Government agency"
        SCHOOL = "school", "School"
        UNIVERSITY = "university", "University"
        HOSPITAL = "hospital", "Hospital"
        NONPROFIT = "nonprofit", "Non-profit"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    website = models.URLField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """Who a person is as a practitioner: organisation, discipline, expertise and background."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=100, blank=True, default="")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="profiles"
    )
    discipline = models.CharField(max_length=100, blank=True, default="", db_index=True)
    job_title = models.CharField(max_length=100, blank=True, default="")
    location = models.CharField(max_length=100, blank=True, default="")
    timezone = models.CharField(max_length=64, blank=True, default="UTC")
    bio = models.TextField(blank=True, default="", max_length=5000)
    expertise = models.ManyToManyField(Topic, blank=True, related_name="experts")
    languages = models.JSONField(default=list, blank=True)
    imported_reputation = models.IntegerField(null=True, blank=True)
    external_id = models.CharField(max_length=100, blank=True, default="", db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name or self.user.username

    @property
    def name(self) -> str:
        return self.display_name or self.user.username
