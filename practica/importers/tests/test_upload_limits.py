"""Archives too large to upload are refused while they arrive, and archive bombs are refused by how much they
expand as well as by their size, with nothing left on disk and nothing imported ([P12] finding 11)."""

from __future__ import annotations

import io
import struct
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import py7zr
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions.models import Post, Thread
from practica.importers.archives import MAX_RATIO, RATIO_FREE_BYTES, UnsafeArchive, unpack
from practica.importers.models import ImportJob
from practica.importers.stackexchange import ImportError_
from practica.lib.testing.client import page_client

MB = 2**20
XML_HEAD = b'<?xml version="1.0" encoding="utf-8"?>\n<posts>\n'
BOMB_CONTENT = XML_HEAD + b" " * (30 * MB)  # 30 MB: below the 40 MB limit, and deflates to about 30 KB


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


# --- The archive itself -------------------------------------------------------------------------------


def test_the_default_unpacked_limit_is_a_few_times_the_largest_real_dump() -> None:
    # quantumcomputing, the largest dump in ../shared/datasets, unpacks to 8.2 MiB (README, "Configuration").
    assert django_settings.IMPORT_MAX_UNPACKED_MB == 40
    assert django_settings.IMPORT_MAX_UPLOAD_MB == 40


def test_a_zip_bomb_within_the_size_limit_is_refused_by_how_much_it_expands_before_anything_is_written(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(_zip({"site/Posts.xml": BOMB_CONTENT}))
    assert archive.stat().st_size < 100_000

    with pytest.raises(UnsafeArchive, match=f"expands more than {MAX_RATIO} times"):
        unpack(archive, tmp_path / "out", max_bytes=40 * MB)

    assert not (tmp_path / "out").exists()


def test_a_zip_bomb_whose_header_lies_about_its_size_is_refused_and_what_it_wrote_is_removed(tmp_path: Path) -> None:
    data = bytearray(_zip({"site/Posts.xml": BOMB_CONTENT}))
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 1000)  # the central directory says "1000 bytes"
    local = data.index(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, 1000)
    archive = tmp_path / "liar.zip"
    archive.write_bytes(bytes(data))
    assert zipfile.ZipFile(archive).getinfo("site/Posts.xml").file_size == 1000
    target = tmp_path / "out"
    target.mkdir()
    (target / "keep.txt").write_text("was here before")

    # zipfile stops at the declared size and then finds the checksum wrong; either way it is refused.
    with pytest.raises(ImportError_, match=r"Refused|damaged"):
        unpack(archive, target, max_bytes=40 * MB)

    assert [p.name for p in _files_in(target)] == ["keep.txt"]  # what it wrote is gone, what was there stays


def test_a_member_whose_compressed_size_lies_upwards_is_still_measured_against_the_archive(tmp_path: Path) -> None:
    data = bytearray(_zip({"site/Posts.xml": BOMB_CONTENT}))
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 20, 2**31)  # "compressed: 2 GB"
    archive = tmp_path / "liar.zip"
    archive.write_bytes(bytes(data))

    with pytest.raises(UnsafeArchive, match="expands more than"):
        unpack(archive, tmp_path / "out", max_bytes=40 * MB)

    assert not (tmp_path / "out").exists()


def test_a_7z_bomb_within_the_size_limit_is_refused_by_how_much_it_expands(tmp_path: Path) -> None:
    source = tmp_path / "Posts.xml"
    source.write_bytes(BOMB_CONTENT)
    archive = tmp_path / "bomb.7z"
    with py7zr.SevenZipFile(archive, "w") as sz:
        sz.write(source, "Posts.xml")
    source.unlink()

    with pytest.raises(UnsafeArchive, match="expands more than"):
        unpack(archive, tmp_path / "out", max_bytes=40 * MB)

    assert not (tmp_path / "out").exists()


def test_small_members_may_compress_as_well_as_they_like(tmp_path: Path) -> None:
    archive = tmp_path / "small.zip"
    archive.write_bytes(_zip({"site/Posts.xml": XML_HEAD + b" " * (RATIO_FREE_BYTES - 100) + b"</posts>\n"}))

    folder = unpack(archive, tmp_path / "out", max_bytes=40 * MB)

    assert (folder / "Posts.xml").stat().st_size == len(XML_HEAD) + RATIO_FREE_BYTES - 100 + 9


@pytest.mark.dataset
@pytest.mark.parametrize("kind", ["zip", "7z"])
def test_the_real_dump_unpacks_within_the_default_limits(kind: str, tmp_path: Path) -> None:
    dataset = Path(django_settings.SHARED_DATASETS_DIR) / "quantumcomputing"
    if not (dataset / "Posts.xml").is_file():
        pytest.skip(f"the shared Stack Exchange dump is absent ({dataset})")
    files = sorted(dataset.glob("*.xml"))
    archive = tmp_path / f"quantumcomputing.stackexchange.com.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            for f in files:
                zf.write(f, f"quantumcomputing.stackexchange.com/{f.name}")
    else:
        with py7zr.SevenZipFile(archive, "w") as sz:
            for f in files:
                sz.write(f, f.name)

    folder = unpack(archive, tmp_path / "out", max_bytes=django_settings.IMPORT_MAX_UNPACKED_MB * MB)

    assert {p.name for p in folder.iterdir()} == {f.name for f in files}
    assert archive.stat().st_size < django_settings.IMPORT_MAX_UPLOAD_MB * MB


# --- Through the upload page ----------------------------------------------------------------------------


class UnreadableBody(io.RawIOBase):
    """A request body that records whether anyone read it."""

    def __init__(self) -> None:
        self.reads = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.reads += 1
        return b""

    def readline(self, size: int = -1) -> bytes:  # type: ignore[override]
        self.reads += 1
        return b""


@pytest.fixture
def disk(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Every place an upload may land, in the test's folder: uploads' temporary files, MEDIA_ROOT, the job's
    unpacking folder; the import runs in the request."""
    places = {"upload-temp": tmp_path / "upload-temp", "media": tmp_path / "media", "temp": tmp_path / "temp"}
    for folder in places.values():
        folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(places["upload-temp"])
    settings.MEDIA_ROOT = places["media"]
    settings.VAR_DIR = tmp_path / "var"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(tempfile, "tempdir", str(places["temp"]))
    return places


def _url(community: Community) -> str:
    return f"/communities/{community.slug}/import/"


@pytest.mark.django_db
def test_an_archive_announced_at_300_mb_is_refused_before_its_body_is_read(
    community: Community, owner: User, disk: dict[str, Path]
) -> None:
    body = UnreadableBody()

    response = page_client(owner).generic(
        "POST", _url(community), b"", content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(300 * MB), **{"wsgi.input": body},
    )

    assert response.status_code == 413
    assert "the limit is 40 MB" in response.content.decode()
    assert body.reads == 0
    assert not ImportJob.objects.exists()
    assert all(_files_in(folder) == [] for folder in disk.values())


@pytest.mark.django_db
def test_an_archive_over_the_limit_stops_being_received_once_it_passes_it(
    community: Community, owner: User, disk: dict[str, Path], uploaded_bytes: list[int], settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.IMPORT_MAX_UPLOAD_MB = 1
    upload = SimpleUploadedFile("physics.zip", b"PK\x03\x04" + b"\0" * (4 * MB), content_type="application/zip")

    with django_capture_on_commit_callbacks(execute=True):
        response = page_client(owner).post(_url(community), {"upload": upload})

    assert response.status_code == 400
    assert "the limit is 1 MB" in response.content.decode()
    assert uploaded_bytes and max(uploaded_bytes) <= 1 * MB + 64 * 1024
    assert not ImportJob.objects.exists()
    assert all(_files_in(folder) == [] for folder in disk.values())


@pytest.mark.django_db
def test_a_zip_bomb_uploaded_for_import_fails_its_job_imports_nothing_and_leaves_nothing_on_disk(
    community: Community, owner: User, disk: dict[str, Path], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    bomb = _zip({"physics/Posts.xml": BOMB_CONTENT})
    threads, posts = Thread.objects.count(), Post.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = page_client(owner).post(
            _url(community), {"upload": SimpleUploadedFile("physics.zip", bomb, content_type="application/zip")}
        )

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert f"expands more than {MAX_RATIO} times" in job.error and "Nothing was imported" in job.error
    assert (Thread.objects.count(), Post.objects.count()) == (threads, posts)
    assert all(_files_in(folder) == [] for folder in disk.values())
    assert list(disk["temp"].iterdir()) == []
