"""The import jobs in the API, as the import pages show them: coordinators list them, read one, and start one by
uploading a dump archive (the immediate task backend runs it in the request)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions.models import Thread
from practica.importers.models import ImportJob
from practica.importers.progress import progress_set
from practica.importers.tests.test_importer import write_dump
from practica.lib.testing.client import Api
from practica.lib.testing.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _url(community: Community, suffix: str = "") -> str:
    return f"/api/v1/communities/{community.slug}/imports/{suffix}"


def _job(community: Community, owner: User, **fields: Any) -> ImportJob:
    values: dict[str, Any] = {
        "community": community, "created_by": owner, "site": "physics", "status": ImportJob.Status.DONE,
        "stats": {"created": {"threads": 2}, "existing": {}, "skipped": {"bad dates": 1}, "read": {"posts": 3},
                  "seconds": 0.5, "step_seconds": {"posts": 0.25}},
    }
    values.update(fields)
    return ImportJob.objects.create(**values)


@pytest.fixture
def dump_zip(tmp_path: Path) -> bytes:
    folder = write_dump(tmp_path / "dump-source" / "physics")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            archive.writestr(f"physics/{file.name}", file.read_bytes())
    return buffer.getvalue()


def test_coordinator_lists_the_communitys_imports_newest_first(
    api: Api, owner: User, public_community: Community
) -> None:
    older = _job(public_community, owner, site="older")
    newer = _job(public_community, owner, site="newer")

    response = api.as_user(owner).get(_url(public_community))

    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [newer.pk, older.pk]
    assert response.json()[0]["stats"]["created"] == {"threads": 2}
    assert_matches_schema(response)


def test_coordinator_reads_a_running_job_with_its_progress(
    api: Api, owner: User, public_community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _job(public_community, owner, status=ImportJob.Status.RUNNING, stats={})
    progress_set(job.pk, {"file": "Posts.xml", "done": 5, "total": 10})
    monkeypatch.setattr("practica.importers.services._dead_worker_reason", lambda job, progress: "")

    response = api.as_user(owner).get(_url(public_community, f"{job.pk}/"))

    assert response.status_code == 200
    assert response.json()["progress"] == {"file": "Posts.xml", "done": 5, "total": 10}
    assert response.json()["stats"] is None
    assert_matches_schema(response)


def test_member_gets_403_on_imports(api: Api, owner: User, member: User, public_community: Community) -> None:
    job = _job(public_community, owner)
    api.as_user(member)

    assert api.get(_url(public_community)).status_code == 403
    response = api.get(_url(public_community, f"{job.pk}/"))
    assert response.status_code == 403 and response.json()["detail"] == "Only coordinators can import content."


def test_outsider_gets_404_on_the_imports_of_a_private_community(
    api: Api, owner: User, outsider: User, private_community: Community
) -> None:
    job = _job(private_community, owner)
    api.as_user(outsider)

    assert api.get(_url(private_community)).status_code == 404
    assert api.get(_url(private_community, f"{job.pk}/")).status_code == 404


def test_anonymous_gets_401_on_imports(api: Api, public_community: Community) -> None:
    assert api.get(_url(public_community)).status_code == 401


def test_a_job_of_another_community_is_404(
    api: Api, owner: User, public_community: Community, private_community: Community
) -> None:
    theirs = _job(private_community, owner)

    assert api.as_user(owner).get(_url(public_community, f"{theirs.pk}/")).status_code == 404


@pytest.mark.parametrize("jobs", [5, 19])
def test_import_list_costs_the_same_queries_for_5_and_19_jobs(
    api: Api, owner: User, public_community: Community, jobs: int, django_assert_num_queries: Any
) -> None:
    for n in range(jobs):
        _job(public_community, owner, site=f"site-{n}")
    api.as_user(owner)
    # A first read of the day also records the reader's activity (insights): read once, then count.
    api.get(_url(public_community))
    # The community, the caller's membership, the jobs with who started them.
    with django_assert_num_queries(3):
        response = api.get(_url(public_community))
    assert len(response.json()) == jobs


def test_coordinator_uploads_a_dump_and_the_import_runs(
    api: Api, owner: User, public_community: Community, dump_zip: bytes, django_capture_on_commit_callbacks: Any
) -> None:
    upload = SimpleUploadedFile("physics.stackexchange.com.zip", dump_zip, content_type="application/zip")

    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(owner).post(_url(public_community), {"upload": upload}, format="multipart")

    assert response.status_code == 201, response.json()
    assert response.json()["site"] == "physics"
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.status == ImportJob.Status.DONE, job.error
    assert Thread.objects.filter(community=public_community).exists()
    assert_matches_schema(response)


def test_a_file_that_is_not_an_archive_gives_400_and_no_job(
    api: Api, owner: User, public_community: Community
) -> None:
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")

    response = api.as_user(owner).post(_url(public_community), {"upload": upload}, format="multipart")

    assert response.status_code == 400 and "upload" in response.json()
    assert not ImportJob.objects.exists()


def test_an_upload_without_a_file_gives_400(api: Api, owner: User, public_community: Community) -> None:
    response = api.as_user(owner).post(_url(public_community), {"site": "physics"}, format="multipart")

    assert response.status_code == 400 and "upload" in response.json()
    assert not ImportJob.objects.exists()


def test_member_cannot_upload_a_dump(api: Api, member: User, public_community: Community, dump_zip: bytes) -> None:
    upload = SimpleUploadedFile("physics.zip", dump_zip, content_type="application/zip")

    response = api.as_user(member).post(_url(public_community), {"upload": upload}, format="multipart")

    assert response.status_code == 403
    assert not ImportJob.objects.exists()
