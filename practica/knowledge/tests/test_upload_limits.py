"""An attachment over the limit is refused while it arrives, not after it has been received and written: by its
Content-Length before the body is read, and while it streams in when the length is missing or lies ([P12]
finding 11). Nothing is left on disk (temporary files, MEDIA_ROOT) and no Attachment row is written."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.test.client import encode_multipart

from practica.accounts.models import User
from practica.communities.models import Community
from practica.knowledge.models import Attachment, KnowledgeItem
from practica.lib.testing.client import Api, page_client
from practica.lib.testing.content import published

pytestmark = pytest.mark.django_db
MB = 2**20
BOUNDARY = "practica-test-boundary"


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
def temp_dir(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "upload-temp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    settings.MEDIA_ROOT = tmp_path / "media"
    return folder


def _page_url(item: KnowledgeItem) -> str:
    return f"{item.get_absolute_url()}attachments/"


def _api_url(item: KnowledgeItem) -> str:
    return f"/api/v1/knowledge/{item.pk}/attachments/"


def _nothing_left(temp_dir: Path, media_root: Path) -> None:
    assert not Attachment.objects.exists()
    assert list(temp_dir.iterdir()) == []
    assert not media_root.exists() or [p for p in media_root.rglob("*") if p.is_file()] == []


def _announced(client: Client, url: str, length: int) -> tuple[Any, UnreadableBody]:
    body = UnreadableBody()
    response = client.generic(
        "POST", url, b"", content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(length), **{"wsgi.input": body},
    )
    return response, body


def test_a_300_mb_attachment_is_refused_by_its_content_length_before_its_body_is_read(
    community: Community, member: User, owner: User, temp_dir: Path, settings: Any
) -> None:
    item = published(community, member, owner)

    response, body = _announced(page_client(member), _page_url(item), 300 * MB)

    assert response.status_code == 413
    assert "the limit is 10 MB" in response.content.decode()
    assert body.reads == 0
    _nothing_left(temp_dir, settings.MEDIA_ROOT)


def test_the_api_refuses_a_300_mb_attachment_with_a_413_before_reading_it(
    community: Community, member: User, owner: User, temp_dir: Path, settings: Any
) -> None:
    item = published(community, member, owner)
    client = Client()
    client.force_login(member)

    response, body = _announced(client, _api_url(item), 300 * MB)

    assert response.status_code == 413
    assert "the limit is 10 MB" in response.json()["detail"]
    assert body.reads == 0
    _nothing_left(temp_dir, settings.MEDIA_ROOT)


def test_a_large_body_to_a_page_that_takes_no_file_is_refused_by_its_content_length(
    community: Community, member: User, temp_dir: Path, settings: Any
) -> None:
    response, body = _announced(page_client(member), f"/communities/{community.slug}/threads/new/", 300 * MB)

    assert response.status_code == 413
    assert body.reads == 0


def test_an_attachment_over_the_limit_stops_being_written_once_it_passes_the_limit(
    community: Community, member: User, owner: User, temp_dir: Path, uploaded_bytes: list[int], settings: Any
) -> None:
    settings.KNOWLEDGE_MAX_UPLOAD_MB = 1
    item = published(community, member, owner)
    upload = io.BytesIO(b"a" * (4 * MB))  # within the Content-Length allowance: only streaming catches it
    upload.name = "big.txt"

    response = page_client(member).post(_page_url(item), {"file": upload}, follow=True)

    html = response.content.decode()
    assert "too large" in html and "the limit is 1 MB" in html
    assert uploaded_bytes and max(uploaded_bytes) <= 1 * MB + 64 * 1024  # one chunk past the limit at most
    _nothing_left(temp_dir, settings.MEDIA_ROOT)


def test_the_api_stops_writing_an_attachment_over_the_limit_and_answers_400_naming_the_file(
    api: Api, community: Community, member: User, owner: User, temp_dir: Path, uploaded_bytes: list[int], settings: Any
) -> None:
    settings.KNOWLEDGE_MAX_UPLOAD_MB = 1
    item = published(community, member, owner)
    body = encode_multipart(BOUNDARY, {"file": _named(b"a" * (4 * MB), "big.txt")})

    response = api.as_user(member).generic(
        "POST", _api_url(item), body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )

    assert response.status_code == 400
    assert "the limit is 1 MB" in response.json()["file"][0]
    assert uploaded_bytes and max(uploaded_bytes) <= 1 * MB + 64 * 1024
    _nothing_left(temp_dir, settings.MEDIA_ROOT)


def test_an_attachment_within_the_limit_is_still_accepted(
    community: Community, member: User, owner: User, temp_dir: Path, settings: Any
) -> None:
    settings.KNOWLEDGE_MAX_UPLOAD_MB = 1
    item = published(community, member, owner)
    upload = io.BytesIO(b"a" * (MB - 1000))
    upload.name = "notes.txt"

    response = page_client(member).post(_page_url(item), {"file": upload}, follow=True)

    assert response.status_code == 200
    assert Attachment.objects.get().size == MB - 1000


def _named(content: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(content)
    stream.name = name
    return stream
