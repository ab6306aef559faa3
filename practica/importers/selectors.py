from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from practica.communities.models import Community
from practica.importers.models import ImportJob


def import_jobs(*, community: Community) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(community=community).select_related("created_by").order_by("-created_at")


def import_job_get(*, community: Community, job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(community=community, pk=job_id).select_related("created_by").first()
    if job is None:
        raise Http404("No such import.")
    return job
