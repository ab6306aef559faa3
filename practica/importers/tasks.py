"""Background work: run an uploaded import (Django Tasks API)."""

from __future__ import annotations

from django_tasks import task

from practica.importers import services


@task()
def run_import_job(job_id: int) -> str:
    """Unpack and import an uploaded dump; the job records progress, summary or error."""
    job = services.import_job_run(job_id=job_id)
    return job.status
