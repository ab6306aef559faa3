"""Shared fixtures: the three sides of every permission test (owner, member, outsider), communities of each
visibility, and an API client that can act as any of them."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadhandler import TemporaryFileUploadHandler

from practica.accounts.models import User
from practica.communities.models import Community, Membership, Role, Visibility
from practica.lib.testing.client import Api
from practica.lib.testing.factories import CommunityFactory, MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The production hasher is slow on purpose; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # Throttle counters live in the cache; tests must not inherit each other's request counts. The search
    # backends keep index statistics per process and database name (the same for every test): a word's document
    # frequency from another test's documents would change which words a "more like this" query keeps.
    from practica.search import backends

    def clear() -> None:
        cache.clear()
        backends.clear_caches()

    clear()
    yield
    clear()


@pytest.fixture
def uploaded_bytes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The bytes Django's temporary-file upload handler wrote, file by file (the upload-limit tests check that a
    refused file stops being written)."""
    sizes: list[int] = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def spy(self: TemporaryFileUploadHandler, raw_data: bytes, start: int) -> Any:
        if start == 0:
            sizes.append(0)
        sizes[-1] += len(raw_data)
        return original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", spy)
    return sizes


@pytest.fixture
def api() -> Api:
    return Api()


@pytest.fixture
def owner(db: None) -> User:
    return UserFactory.create(username="owner")


@pytest.fixture
def member(db: None) -> User:
    return UserFactory.create(username="member")


@pytest.fixture
def outsider(db: None) -> User:
    return UserFactory.create(username="outsider")


def _community(owner: User, member: User, visibility: str, slug: str) -> Community:
    community = CommunityFactory.create(
        creator=owner,
        name=slug.replace("-", " ").title(),
        slug=slug,
        visibility=visibility,
        topics=["Well integrity", "Drilling"],
    )
    MembershipFactory.create(community=community, user=member, role=Role.MEMBER)
    return community


@pytest.fixture
def public_community(owner: User, member: User) -> Community:
    return _community(owner, member, Visibility.PUBLIC, "public-wells")


@pytest.fixture
def members_only_community(owner: User, member: User) -> Community:
    return _community(owner, member, Visibility.MEMBERS_ONLY, "members-wells")


@pytest.fixture
def private_community(owner: User, member: User) -> Community:
    return _community(owner, member, Visibility.PRIVATE, "private-wells")


@pytest.fixture
def community(public_community: Community) -> Community:
    """The default community: public, coordinated by ``owner``, with ``member`` an active member."""
    return public_community


@pytest.fixture
def membership_of() -> Callable[[Community, User], Membership]:
    def get(community: Community, user: User) -> Membership:
        return Membership.objects.get(community=community, user=user)

    return get


REDIS = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A real redis-server of the test's own on a free port. Skipped where redis-server is not installed, except
    with PRACTICA_REQUIRE_REDIS=1 (CI), where that is a failure."""
    if REDIS is None:
        if os.environ.get("PRACTICA_REQUIRE_REDIS") == "1":
            pytest.fail("PRACTICA_REQUIRE_REDIS=1 but redis-server is not installed")
        pytest.skip("redis-server is not installed (set PRACTICA_REQUIRE_REDIS=1 to require it)")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - the redis-server found on PATH, fixed arguments
        [
            REDIS,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(tmp_path),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("redis-server did not start")
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
