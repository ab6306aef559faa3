"""The import pages: who may open them, an upload that runs the import (the immediate task backend runs it in
the request), uploads that are refused, and the job page that shows progress and the summary."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions.models import Comment, Post, Thread
from practica.importers.models import ImportJob
from practica.importers.progress import progress_set
from practica.importers.tests.test_importer import write_dump
from practica.lib.testing.client import page_client, page_html

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Uploads and progress files go to the test's folder; tasks run at once, in the request."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def dump_zip(tmp_path: Path) -> bytes:
    """The small dump of test_importer, zipped with its folder, as a coordinator would upload it."""
    folder = write_dump(tmp_path / "dump-source" / "physics")
    return _zip_bytes({f"physics/{f.name}": f.read_bytes() for f in sorted(folder.iterdir())})


def _upload(content: bytes, name: str = "physics.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/zip")


def _rows() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (User, Thread, Post, Comment, ImportJob)}


@pytest.fixture
def post_upload(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> Callable[..., Any]:
    """POST to the upload page; the job is enqueued on commit, which the test transaction runs here."""

    def post(client: Client, community: Community, content: bytes, name: str = "physics.zip", **data: str) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/communities/{community.slug}/import/", {"upload": _upload(content, name), **data})

    return post


# --- Who may open the upload page -----------------------------------------------------------------


def test_the_upload_page_opens_for_the_coordinator(community: Community, owner: User, settings: Any) -> None:
    settings.IMPORT_MAX_UPLOAD_MB = 150

    response = page_client(owner).get(f"/communities/{community.slug}/import/")

    assert response.status_code == 200
    html = page_html(response)
    assert 'enctype="multipart/form-data"' in html
    assert 'name="upload"' in html
    assert "Files up to 150 MB" in html


def test_the_upload_page_is_forbidden_to_a_member(community: Community, member: User) -> None:
    assert page_client(member).get(f"/communities/{community.slug}/import/").status_code == 403


def test_an_upload_by_a_member_is_forbidden_and_imports_nothing(
    community: Community, member: User, dump_zip: bytes, post_upload: Callable[..., Any]
) -> None:
    before = _rows()

    response = post_upload(page_client(member), community, dump_zip)

    assert response.status_code == 403
    assert _rows() == before


def test_the_upload_page_of_a_private_community_is_404_to_an_outsider(
    private_community: Community, outsider: User, dump_zip: bytes, post_upload: Callable[..., Any]
) -> None:
    url = f"/communities/{private_community.slug}/import/"

    assert page_client(outsider).get(url).status_code == 404
    assert post_upload(page_client(outsider), private_community, dump_zip).status_code == 404
    assert not ImportJob.objects.exists()


def test_the_upload_page_sends_anonymous_visitors_to_log_in(community: Community) -> None:
    url = f"/communities/{community.slug}/import/"

    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


# --- Uploading ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_coordinators_upload_runs_the_import_in_the_request_and_the_job_page_shows_the_summary(
    community: Community, owner: User, dump_zip: bytes, tmp_path: Path
) -> None:
    client = page_client(owner)

    response = client.post(f"/communities/{community.slug}/import/", {"upload": _upload(dump_zip)}, follow=True)

    job = ImportJob.objects.get()
    assert response.redirect_chain == [(f"/communities/{community.slug}/import/{job.pk}/", 302)]
    assert job.status == ImportJob.Status.DONE, job.error
    assert job.created_by == owner
    assert job.stats["created"]["questions"] == 4
    assert job.stats["created"]["answers"] == 5
    assert job.stats["created"]["comments"] == 3
    assert job.stats["skipped"]["answers whose question is missing"] == 1
    assert Thread.objects.filter(community=community).count() == 4
    assert Thread.objects.filter(external_id="se:physics:1").exists()  # the site comes from the archive's name
    assert not job.upload  # the uploaded archive is not kept ...
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]  # ... on disk either
    html = page_html(response)
    assert "Import finished." in html
    assert "<h2>Summary</h2>" in html
    assert "<dt>questions</dt><dd>4</dd>" in html
    assert "<dt>answers</dt><dd>5</dd>" in html
    assert "1 answers whose question is missing" in html
    assert f'href="/communities/{community.slug}/threads/"' in html


def test_an_upload_with_until_and_site_imports_only_older_content_under_that_site(
    community: Community, owner: User, dump_zip: bytes, post_upload: Callable[..., Any]
) -> None:
    response = post_upload(page_client(owner), community, dump_zip, until="2018-06-01", site="Physics SE")

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE, job.error
    assert set(Thread.objects.values_list("external_id", flat=True)) == {
        "se:physics-se:1", "se:physics-se:4", "se:physics-se:6"
    }


def test_the_official_dump_name_gives_the_site_name(
    community: Community, owner: User, dump_zip: bytes, post_upload: Callable[..., Any]
) -> None:
    post_upload(page_client(owner), community, dump_zip, name="Physics.StackExchange.com.zip")

    assert ImportJob.objects.get().site == "physics"
    assert Thread.objects.filter(external_id="se:physics:1").exists()


def test_two_sites_uploaded_to_two_communities_both_import(
    community: Community, private_community: Community, owner: User, dump_zip: bytes,
    post_upload: Callable[..., Any],
) -> None:
    post_upload(page_client(owner), community, dump_zip, name="physics.zip")
    post_upload(page_client(owner), private_community, dump_zip, name="chemistry.zip")

    assert Thread.objects.filter(community=community).count() == 4
    assert Thread.objects.filter(community=private_community).count() == 4


def test_an_upload_over_the_size_limit_is_refused_with_a_message_and_imports_nothing(
    community: Community, owner: User, dump_zip: bytes, settings: Any, post_upload: Callable[..., Any]
) -> None:
    settings.IMPORT_MAX_UPLOAD_MB = 0.001  # about 1 KB
    assert len(dump_zip) > 1100
    before = _rows()

    response = post_upload(page_client(owner), community, dump_zip)

    assert response.status_code == 400
    assert "the limit is 0.001 MB" in page_html(response)
    assert _rows() == before


def test_an_upload_that_is_not_an_archive_is_refused_with_a_message(
    community: Community, owner: User, post_upload: Callable[..., Any]
) -> None:
    response = post_upload(page_client(owner), community, b"<posts/>", name="Posts.xml")

    assert response.status_code == 400
    assert "Upload a .zip or .7z archive of the dump folder." in page_html(response)
    assert not ImportJob.objects.exists()


def test_an_evil_zip_fails_the_job_with_a_clear_message_and_imports_nothing(
    community: Community, owner: User, dump_zip: bytes, post_upload: Callable[..., Any]
) -> None:
    with zipfile.ZipFile(io.BytesIO(dump_zip)) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    evil = _zip_bytes({**members, "../evil.xml": b"<posts/>"})
    before = {k: v for k, v in _rows().items() if k != "ImportJob"}

    response = post_upload(page_client(owner), community, evil)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ImportJob.Status.FAILED
    assert job.error == (
        "Refused: the archive has a path outside its folder ('../evil.xml'). Nothing was imported."
    )
    assert {k: v for k, v in _rows().items() if k != "ImportJob"} == before
    page = page_html(page_client(owner).get(f"/communities/{community.slug}/import/{job.pk}/"))
    assert 'role="alert"' in page
    assert "Refused: the archive has a path outside its folder" in page


def test_a_malformed_dump_fails_the_job_and_imports_nothing(
    community: Community, owner: User, tmp_path: Path, post_upload: Callable[..., Any]
) -> None:
    folder = write_dump(tmp_path / "broken" / "physics")
    text = (folder / "Comments.xml").read_text()
    (folder / "Comments.xml").write_text(text[: len(text) // 2])
    content = _zip_bytes({f"physics/{f.name}": f.read_bytes() for f in folder.iterdir()})

    post_upload(page_client(owner), community, content)

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.error.startswith("Comments.xml: malformed XML at line ")
    assert job.error.endswith("Nothing was imported.")
    assert not Thread.objects.exists()


# --- The job page ---------------------------------------------------------------------------------


@pytest.fixture
def running_job(community: Community, owner: User) -> ImportJob:
    job = ImportJob.objects.create(community=community, created_by=owner, status=ImportJob.Status.RUNNING)
    progress_set(job.pk, {"file": "Posts.xml", "done": 30, "total": 120, "elapsed": 4})
    return job


def test_an_htmx_request_for_the_job_page_gets_only_the_status_partial(
    community: Community, owner: User, running_job: ImportJob
) -> None:
    response = page_client(owner).get(f"/communities/{community.slug}/import/{running_job.pk}/", **HTMX)

    html = page_html(response)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="job-status"')
    assert "<html" not in html
    assert "Posts.xml" in html
    assert '<progress class="bar" max="100" value="25"' in html
    assert 'hx-trigger="every 2s"' in html


def test_the_full_job_page_includes_the_status_and_stops_polling_when_done(
    community: Community, owner: User, running_job: ImportJob
) -> None:
    url = f"/communities/{community.slug}/import/{running_job.pk}/"
    assert "<html" in page_html(page_client(owner).get(url))

    ImportJob.objects.filter(pk=running_job.pk).update(
        status=ImportJob.Status.DONE, stats={"created": {"questions": 7}, "skipped": {}, "seconds": 1.5}
    )
    html = page_html(page_client(owner).get(url, **HTMX))

    assert "hx-trigger" not in html
    assert "<dt>questions</dt><dd>7</dd>" in html


def test_the_job_page_is_forbidden_to_a_member_and_404_for_another_communitys_job(
    community: Community, members_only_community: Community, owner: User, member: User, running_job: ImportJob
) -> None:
    assert page_client(member).get(f"/communities/{community.slug}/import/{running_job.pk}/").status_code == 403
    other = f"/communities/{members_only_community.slug}/import/{running_job.pk}/"
    assert page_client(owner).get(other).status_code == 404
