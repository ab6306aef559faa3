"""Writes for imports: queue an uploaded dump, run it, record the outcome."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from practica.accounts.models import User
from practica.communities.models import Community
from practica.communities.permissions import Access
from practica.importers.archives import unpack
from practica.importers.models import ImportJob
from practica.importers.permissions import IMPORT
from practica.importers.progress import progress_clear, progress_get, progress_set
from practica.importers.stackexchange import (
    ImportError_,
    Progress,
    StackExchangeImporter,
    site_taken_message,
    site_used_elsewhere,
)

log = logging.getLogger(__name__)
ARCHIVE_SUFFIXES = (".zip", ".7z")
HEARTBEAT_SECONDS = 10


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
    IMPORT.require(Access(community, actor))
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
        transaction.on_commit(lambda: _start(job))
    return job


def _start(job: ImportJob) -> None:
    """Hand the job to what runs it: a task worker when there is a queue, else a process of its own — never the
    web request, which a proxy or gunicorn's timeout may end (a 25 MB dump outlived gunicorn's 30 s, and its job
    said "Running" forever)."""
    if settings.TASK_BACKEND != "immediate" or settings.IMPORT_RUNNER == "request":
        from practica.importers.tasks import run_import_job

        run_import_job.enqueue(job.pk)
        return
    log_path = Path(settings.VAR_DIR) / "imports" / f"job-{job.pk}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py, the job id an integer
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "run_import_job", str(job.pk)],
            cwd=settings.BASE_DIR, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,  # not ended with the web worker (nor by a signal to its process group)
        )
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(worker=_worker_label(process.pid))
    # Collects the process when it ends, so that it does not linger as a zombie (which would look alive).
    threading.Thread(target=process.wait, name=f"import-job-{job.pk}", daemon=True).start()


def _worker_label(pid: int | None = None) -> str:
    return f"{socket.gethostname()}:{pid if pid is not None else os.getpid()}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a process that ended but was not collected yet is a zombie: "Z" in /proc/<pid>/stat (Linux)
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _dead_worker_reason(job: ImportJob, progress: dict[str, Any]) -> str:
    """Why a queued or running job will never finish, or "" while it may."""
    now = time.time()
    host, _, pid_text = job.worker.rpartition(":")
    if host == socket.gethostname() and pid_text.isdigit() and not _process_alive(int(pid_text)):
        if job.status == ImportJob.Status.QUEUED:
            return "The import's worker process ended before it started."
        return f"The import's worker process ({pid_text}) ended before it finished."
    if job.status == ImportJob.Status.RUNNING:
        last = float(progress.get("at") or (job.started_at.timestamp() if job.started_at else now))
        silent = now - last
        if silent > settings.IMPORT_STALL_SECONDS:
            return f"The import's worker stopped giving signs of life {round(silent / 60) or 1} min ago."
    elif job.status == ImportJob.Status.QUEUED and not job.worker:
        waited = now - job.created_at.timestamp()
        if waited > settings.IMPORT_QUEUE_TIMEOUT_HOURS * 3600:
            return (
                f"No worker took the import in {settings.IMPORT_QUEUE_TIMEOUT_HOURS} hours; is the task worker "
                "(db_worker or rqworker) running?"
            )
    return ""


def import_job_check(*, job: ImportJob) -> ImportJob:
    """A queued or running job whose worker died is marked failed with the reason, and its archive removed. The
    import itself is one transaction, so a dead worker left nothing half-imported. Called where jobs are shown."""
    if job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
        return job
    reason = _dead_worker_reason(job, progress_get(job.pk))
    if not reason:
        return job
    ended = ImportJob.objects.filter(pk=job.pk, status=job.status, worker=job.worker).update(
        status=ImportJob.Status.FAILED, error=f"{reason} Nothing was imported; upload the archive again to retry.",
        finished_at=timezone.now(), upload="",
    )
    if ended:
        log.warning("Import job %s marked failed: %s", job.pk, reason)
        progress_clear(job.pk)
        if job.upload:
            job.upload.delete(save=False)
    job.refresh_from_db()
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued job: unpack safely, import, record the summary or a clear error; the archive is removed
    whatever happens. A heartbeat tells the pages the worker is alive (``import_job_check``)."""
    job = ImportJob.objects.select_related("community").get(pk=job_id)
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), worker=_worker_label()
    )
    if not claimed:  # done, failed, or taken by another worker
        job.refresh_from_db()
        return job
    started = time.monotonic()
    last: dict[str, Any] = {}
    stop = threading.Event()

    def report(label: str, done: int, total: int) -> None:
        last.update({"file": label, "done": done, "total": total, "elapsed": round(time.monotonic() - started)})
        progress_set(job.pk, {**last, "at": time.time()})

    def heartbeat() -> None:
        # Some steps (the search index, the latent space) report no progress for minutes: beat regardless.
        while not stop.wait(HEARTBEAT_SECONDS):
            progress_set(job.pk, {**last, "elapsed": round(time.monotonic() - started), "at": time.time()})

    beating = threading.Thread(target=heartbeat, name=f"import-heartbeat-{job.pk}", daemon=True)
    beating.start()
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
    finally:
        stop.set()
        beating.join()
        if job.upload:
            job.upload.delete(save=False)  # the archive is not kept, whatever happened
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, stats=stats, error=error, finished_at=timezone.now(), upload=""
    )
    progress_clear(job.pk)
    job.refresh_from_db()
    return job
