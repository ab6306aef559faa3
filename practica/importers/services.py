"""Writes for imports: queue an uploaded dump, run it, record the outcome."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from practica.accounts.models import User
from practica.communities.models import Community
from practica.communities.selectors import Access
from practica.importers.archives import unpack
from practica.importers.models import ImportJob
from practica.importers.progress import progress_clear, progress_set
from practica.importers.stackexchange import (
    ImportError_,
    Progress,
    StackExchangeImporter,
    site_taken_message,
    site_used_elsewhere,
)

log = logging.getLogger(__name__)
ARCHIVE_SUFFIXES = (".zip", ".7z")


def site_from_archive_name(name: str) -> str:
    """``physics.stackexchange.com.7z`` (the official dump's name) -> ``physics``; ``quantum.zip`` -> ``quantum``."""
    stem = Path(name).name.lower()
    for suffix in ARCHIVE_SUFFIXES:
        stem = stem.removesuffix(suffix)
    return slugify(stem.removesuffix(".stackexchange.com"))[:100] or "site"


def import_job_create(
    *, community: Community, actor: User, upload: UploadedFile, site: str = "", until: dt.date | None = None
) -> ImportJob:
    """Store an uploaded archive and queue its import (coordinators only)."""
    if not Access(community, actor).can_coordinate:
        raise PermissionDenied("Only coordinators can import content.")
    name = Path(upload.name or "").name
    if not name.lower().endswith(ARCHIVE_SUFFIXES):
        raise ValidationError({"upload": ["Upload a .zip or .7z archive of the dump folder."]})
    limit = settings.IMPORT_MAX_UPLOAD_MB * 2**20
    size = upload.size or 0
    if size > limit:
        raise ValidationError(
            {"upload": [f"The file is {size // 2**20} MB; the limit is {settings.IMPORT_MAX_UPLOAD_MB} MB."]}
        )
    # The site names the external ids; without one every upload would be "dump" (the folder it is unpacked to),
    # and a second site's ids would collide with the first's, so nothing of it would be imported.
    site = site.strip() or site_from_archive_name(name)
    if site_used_elsewhere(site, community):
        raise ValidationError({"site": [site_taken_message(site)]})
    with transaction.atomic():
        job = ImportJob.objects.create(
            community=community, created_by=actor, site=site[:100], until=until, status=ImportJob.Status.QUEUED
        )
        job.upload.save(f"job-{job.pk}{Path(name).suffix.lower()}", upload, save=True)

        def enqueue() -> None:
            from practica.importers.tasks import run_import_job

            run_import_job.enqueue(job.pk)

        transaction.on_commit(enqueue)
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued job: unpack safely, import, record the summary or a clear error."""
    job = ImportJob.objects.select_related("community").get(pk=job_id)
    if job.status not in (ImportJob.Status.QUEUED,):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, started_at=timezone.now())
    started = time.monotonic()

    def report(label: str, done: int, total: int) -> None:
        progress_set(job.pk, {"file": label, "done": done, "total": total, "elapsed": round(time.monotonic() - started)})

    status, stats, error = ImportJob.Status.DONE, {}, ""
    try:
        with tempfile.TemporaryDirectory(prefix="practica-import-") as folder:
            report("Unpacking", 0, 1)
            with job.upload.open("rb") as handle:
                archive = Path(folder) / ("upload" + Path(job.upload.name or "").suffix)
                with archive.open("wb") as out:
                    for chunk in iter(lambda: handle.read(1 << 20), b""):
                        out.write(chunk)
            dump = unpack(archive, Path(folder) / "dump", max_bytes=settings.IMPORT_MAX_UNPACKED_MB * 2**20)
            assert job.community is not None
            importer = StackExchangeImporter(
                dump,
                community_slug=job.community.slug,
                site=job.site or None,
                until=job.until,
                progress=Progress(None, callback=report, interval=1.0),
            )
            stats = importer.run().as_dict()
    except ImportError_ as exc:
        status, error = ImportJob.Status.FAILED, f"{exc} Nothing was imported."
    except Exception as exc:  # keep the job's page truthful whatever happened; the log has the details
        log.exception("Import job %s failed", job.pk)
        status, error = ImportJob.Status.FAILED, f"The import failed unexpectedly ({type(exc).__name__}). Nothing was imported."
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, stats=stats, error=error, finished_at=timezone.now(), upload=""
    )
    progress_clear(job.pk)
    job.upload.delete(save=False)  # the archive is not kept, and the job no longer names it
    job.refresh_from_db()
    return job
