"""Uploaded imports run outside the web request and end truthfully ([P12] finding 5): with the immediate task
backend an upload starts a process of its own; a job whose worker died is marked failed with the reason; the
archive is removed when the job ends, however it ends."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions.models import Thread
from practica.importers import services
from practica.importers.models import ImportJob
from practica.importers.progress import progress_set
from practica.importers.tests.test_importer import write_dump

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])  # coreutils' true: only for a pid that has ended
    process.wait()
    return process.pid


def _job(community: Community, owner: User, tmp_path: Path, **fields: Any) -> ImportJob:
    job = ImportJob.objects.create(community=community, created_by=owner, site="physics", **fields)
    archive = tmp_path / "media" / "imports" / f"job-{job.pk}.zip"
    archive.parent.mkdir(parents=True, exist_ok=True)
    archive.write_bytes(b"PK\x03\x04 not really")
    ImportJob.objects.filter(pk=job.pk).update(upload=f"imports/job-{job.pk}.zip")
    job.refresh_from_db()
    return job


def _page(owner: User, community: Community, job: ImportJob) -> str:
    client = Client()
    client.force_login(owner)
    response = client.get(f"/communities/{community.slug}/import/{job.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_running_job_whose_worker_process_ended_is_marked_failed_and_its_archive_removed(
    owner: User, community: Community, tmp_path: Path
) -> None:
    job = _job(community, owner, tmp_path, status="running", started_at=timezone.now(),
               worker=f"{socket.gethostname()}:{_dead_pid()}")
    archive = Path(job.upload.path)

    page = _page(owner, community, job)

    job.refresh_from_db()
    assert job.status == "failed" and "ended before it finished" in job.error and "Nothing was imported" in job.error
    assert "ended before it finished" in page
    assert not archive.exists() and not job.upload


def test_a_running_job_whose_worker_is_alive_is_left_running(owner: User, community: Community, tmp_path: Path) -> None:
    job = _job(community, owner, tmp_path, status="running", started_at=timezone.now(),
               worker=f"{socket.gethostname()}:{os.getpid()}")
    progress_set(job.pk, {"file": "Posts.xml", "done": 1, "total": 2, "at": time.time()})

    _page(owner, community, job)

    job.refresh_from_db()
    assert job.status == "running" and Path(job.upload.path).exists()


def test_a_job_on_another_host_that_stopped_beating_is_marked_failed(
    owner: User, community: Community, tmp_path: Path, settings: Any
) -> None:
    settings.IMPORT_STALL_SECONDS = 120
    job = _job(community, owner, tmp_path, status="running", started_at=timezone.now(), worker="elsewhere:123")
    progress_set(job.pk, {"file": "Posts.xml", "done": 1, "total": 2, "at": time.time() - 600})

    _page(owner, community, job)

    job.refresh_from_db()
    assert job.status == "failed" and "stopped giving signs of life 10 min ago" in job.error


def test_a_queued_job_no_worker_took_is_failed_after_a_day_with_a_hint(
    owner: User, community: Community, tmp_path: Path
) -> None:
    job = _job(community, owner, tmp_path, status="queued")
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timezone.timedelta(hours=25))

    client = Client()
    client.force_login(owner)
    page = client.get(f"/communities/{community.slug}/import/").content.decode()

    job.refresh_from_db()
    assert job.status == "failed" and "db_worker or rqworker" in job.error
    assert f"Import {job.pk}</a><span class=\"muted\">Failed" in page


def test_a_recent_queued_job_waits(owner: User, community: Community, tmp_path: Path) -> None:
    job = _job(community, owner, tmp_path, status="queued")

    _page(owner, community, job)

    job.refresh_from_db()
    assert job.status == "queued"


def test_a_failed_import_removes_its_archive(owner: User, community: Community, tmp_path: Path) -> None:
    job = _job(community, owner, tmp_path, status="queued")
    archive = Path(job.upload.path)

    finished = services.import_job_run(job_id=job.pk)

    assert finished.status == "failed" and not archive.exists()
    assert finished.worker.startswith(socket.gethostname() + ":")


def test_a_job_is_run_once_even_if_two_workers_take_it(owner: User, community: Community, tmp_path: Path) -> None:
    job = _job(community, owner, tmp_path, status="running", started_at=timezone.now(), worker="elsewhere:1")

    again = services.import_job_run(job_id=job.pk)

    assert again.status == "running" and again.worker == "elsewhere:1"


def _other_process_can_open_the_database() -> bool:
    name = str(connection.settings_dict["NAME"])
    return connection.vendor != "sqlite" or not ("memory" in name or name == "")


def _runs_in_a_process(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    if not _other_process_can_open_the_database():
        pytest.skip("Needs a database another process can open: this test runs in the PostgreSQL run of the suite.")
    settings.IMPORT_RUNNER = "process"
    settings.TASK_BACKEND = "immediate"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    db = connection.settings_dict
    # The import's process sees what a server's would: this (test) database, media and var folders.
    monkeypatch.setenv("DATABASE_URL", f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}")
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))
    monkeypatch.setenv("PRACTICA_VAR_DIR", str(settings.VAR_DIR))


def _zip(folder: Path, archive: Path, site: str) -> Path:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for file in folder.iterdir():
            if file.suffix == ".xml":
                zf.write(file, f"{site}/{file.name}")
    return archive


@pytest.mark.django_db(transaction=True)
def test_an_upload_runs_in_a_process_of_its_own_and_the_request_returns_at_once(
    owner: User, community: Community, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _runs_in_a_process(settings, monkeypatch)
    archive = _zip(write_dump(tmp_path / "dump" / "physics"), tmp_path / "physics.zip", "physics")
    client = Client()
    client.force_login(owner)

    with archive.open("rb") as handle:
        response = client.post(f"/communities/{community.slug}/import/", {"upload": handle, "site": "physics"})
    job = ImportJob.objects.get(community=community)
    assert response.status_code == 302 and job.worker

    deadline = time.monotonic() + 90
    while job.status in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
        job = services.import_job_check(job=ImportJob.objects.get(pk=job.pk))

    assert job.status == "done", (job.error, (Path(settings.VAR_DIR) / "imports" / f"job-{job.pk}.log").read_text()[-3000:])
    assert Thread.objects.filter(community=community, external_id="se:physics:1").exists()
    assert int(job.worker.rsplit(":", 1)[1]) != os.getpid()  # another process ran it, not this "request"
    assert not any((Path(settings.MEDIA_ROOT) / "imports").rglob("*.zip"))


@pytest.mark.dataset
@pytest.mark.django_db(transaction=True)
def test_killing_the_imports_process_mid_run_fails_the_job_with_the_reason_and_leaves_nothing(
    owner: User, community: Community, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = Path(settings.SHARED_DATASETS_DIR) / "quantumcomputing"
    if not (dump / "Posts.xml").is_file():
        pytest.skip(f"The Stack Exchange dump is not at {dump} (../shared/datasets/quantumcomputing).")
    _runs_in_a_process(settings, monkeypatch)
    archive = _zip(dump, tmp_path / "quantumcomputing.zip", "quantumcomputing")
    client = Client()
    client.force_login(owner)
    with archive.open("rb") as handle:
        client.post(f"/communities/{community.slug}/import/", {"upload": handle})
    job = ImportJob.objects.get(community=community)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until it is importing, past the unpacking
        job.refresh_from_db()
        if job.status == "running" and services.progress_get(job.pk).get("file", "Unpacking") != "Unpacking":
            break
        time.sleep(0.2)
    assert job.status == "running", job.error

    os.kill(int(job.worker.rsplit(":", 1)[1]), 9)
    deadline = time.monotonic() + 30
    while job.status == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
        job = services.import_job_check(job=ImportJob.objects.get(pk=job.pk))

    assert job.status == "failed" and "ended before it finished" in job.error
    assert not Thread.objects.filter(community=community).exists()  # one transaction: nothing half-imported
    assert not any((Path(settings.MEDIA_ROOT) / "imports").rglob("*.zip"))
