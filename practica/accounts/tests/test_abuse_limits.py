"""Abuse limits through a real server with several worker processes ([P12] "Abuse limits"): sign-in, the API
token, sign-up, password reset, posting and search answer 429 with ``Retry-After`` at their documented limits
(practica/lib/rates.py, README ``RATE_LIMITS``, docs/security.md) — counted once for the whole site, not once
per worker: the access log shows the requests before each 429 were spread over several workers.

The server runs behind a pretend proxy (``BEHIND_PROXY=1``): each test is a different client address in
``X-Forwarded-For``, as a proxy appends it, so the tests' counters stay apart.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest

from practica.lib.testing.server import (
    Server,
    empty_the_test_database,
    gunicorn,
    migrated_database,
    request,
    run_python,
)

WORKERS = 4
# The tests only speak HTTP; the mark makes pytest-django set the test database up, which the server copies.
pytestmark = pytest.mark.django_db

SETUP = """
import json, sys
import django
django.setup()
from practica.accounts.services import token_create
from practica.communities.models import Role
from practica.discussions.services import thread_create
from practica.lib.testing.factories import CommunityFactory, MembershipFactory, UserFactory

made = {}
for prefix in sys.argv[1:]:
    owner = UserFactory.create(username=f"{prefix}-owner")
    community = CommunityFactory.create(creator=owner, name=prefix.title(), slug=prefix)
    thread = thread_create(community=community, author=owner, kind="discussion", title="Busy", body="Busy thread.")
    tokens = {}
    for name in ("alice", "bob", "poster", "searcher"):
        user = UserFactory.create(username=f"{prefix}-{name}", email=f"{prefix}-{name}@example.org")
        MembershipFactory.create(community=community, user=user, role=Role.MEMBER)
        tokens[name] = token_create(user=user, name="abuse suite").key
    made[prefix] = {"community": community.slug, "thread": thread.pk, "tokens": tokens}
print(json.dumps(made))
"""


@dataclass
class World:
    server: Server
    prefix: str
    community: str
    thread: int
    tokens: dict[str, str]


def _prefix(name: str) -> str:
    return "abuse-" + name.removeprefix("test_")[:20].replace("_", "-").strip("-")


@pytest.fixture(scope="module")
def worlds(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, World]]:
    """One server for the module, with the documented limits as shipped (nothing overridden but the proxy that
    tells the clients apart), and each test's own people, community and tokens, made in one go."""
    folder = tmp_path_factory.mktemp("abuse")
    with django_db_blocker.unblock():
        database_url = migrated_database(folder)
    # PRACTICA_TESTING: static files without collectstatic's manifest (the pages render templates).
    with gunicorn(
        database_url, folder, workers=WORKERS, BEHIND_PROXY="1", PROXY_COUNT="1", PRACTICA_TESTING="1"
    ) as server:
        prefixes = [_prefix(name) for name in dir(request.module) if name.startswith("test_")]
        made = run_python(SETUP, server.env, *prefixes)
        try:
            yield {p: World(server, p, m["community"], m["thread"], m["tokens"]) for p, m in made.items()}
        finally:
            with django_db_blocker.unblock():
                empty_the_test_database()


@pytest.fixture
def world(worlds: dict[str, World], request: pytest.FixtureRequest) -> World:
    return worlds[_prefix(request.node.name)]


def _until_429(
    world: World, make: Callable[[int], tuple[str, str, bytes, dict[str, str]]], *, most: int
) -> tuple[int, dict[str, str], list[int]]:
    """Send ``make(n)`` requests until one answers 429 (at most ``most``); returns how many were answered before
    it, its headers, and the worker pids that served the requests before it."""
    before = len(world.server.served_by())
    for n in range(most):
        method, path, body, headers = make(n)
        status, answer_headers, content = request(world.server.port, method, path, body, headers)
        assert status < 500, (path, status, content[:500], world.server.log_tail())
        if status == 429:
            served = world.server.served_by()[before:]
            answer_headers["_body"] = content.decode(errors="replace")
            return n, answer_headers, list(served[:-1])
    pytest.fail(f"no 429 after {most} requests")


def _form(client: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": client, **(extra or {})}


def _api(client: str, token: str | None = None) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "X-Forwarded-For": client}
    if token:
        headers["Authorization"] = f"Token {token}"
    return headers


def _spread(pids: list[int]) -> None:
    assert len(set(pids)) >= 2, f"all requests went to one worker ({set(pids)}): the test proves nothing"


# CSRF: the sign-in, sign-up and reset forms need the cookie and the field to match (Django's check, kept on).
CSRF = "c" * 32
CSRF_COOKIE = {"Cookie": f"csrftoken={CSRF}"}


def test_six_wrong_passwords_then_the_account_waits_across_workers(world: World) -> None:
    def attempt(n: int) -> tuple[str, str, bytes, dict[str, str]]:
        body = urlencode({"login": f"{world.prefix}-alice", "password": f"wrong-{n}", "csrfmiddlewaretoken": CSRF}).encode()
        return "POST", "/accounts/login/", body, _form(f"198.51.100.{n + 1}", CSRF_COOKIE)  # a new address each time

    answered, headers, pids = _until_429(world, attempt, most=20)

    assert answered == 6  # five free failures, the sixth starts the wait, the seventh is refused
    assert 1 <= int(headers["retry-after"]) <= 30
    assert "Too many failed sign-ins for this account" in headers["_body"]
    _spread(pids)


def test_thirty_failures_from_one_address_then_it_waits_across_workers(world: World) -> None:
    def attempt(n: int) -> tuple[str, str, bytes, dict[str, str]]:
        body = urlencode({"login": f"nobody-{n}", "password": "wrong", "csrfmiddlewaretoken": CSRF}).encode()
        return "POST", "/accounts/login/", body, _form("203.0.113.10", CSRF_COOKIE)

    answered, headers, pids = _until_429(world, attempt, most=60)

    assert answered == 30
    assert 800 < int(headers["retry-after"]) <= 900 and "from your network" in headers["_body"]
    _spread(pids)


def test_the_token_endpoint_makes_the_account_wait_after_six_wrong_passwords(world: World) -> None:
    def attempt(n: int) -> tuple[str, str, bytes, dict[str, str]]:
        body = json.dumps({"username": f"{world.prefix}-bob", "password": f"wrong-{n}"}).encode()
        return "POST", "/api/v1/auth/token/", body, _api(f"192.0.2.{n + 1}")

    answered, headers, pids = _until_429(world, attempt, most=20)

    assert answered == 6 and 1 <= int(headers["retry-after"]) <= 30
    assert "Too many failed sign-ins" in json.loads(headers["_body"])["detail"]
    _spread(pids)


def test_twenty_sign_ups_from_one_address_then_it_waits(world: World) -> None:
    def attempt(n: int) -> tuple[str, str, bytes, dict[str, str]]:
        fields = {"email": f"new{n}@example.org", "username": f"{world.prefix}-new-{n}", "password1": "short",
                  "password2": "short", "csrfmiddlewaretoken": CSRF}  # refused forms count too
        return "POST", "/accounts/signup/", urlencode(fields).encode(), _form("203.0.113.20", CSRF_COOKIE)

    answered, headers, pids = _until_429(world, attempt, most=40)

    assert answered == 20 and 3000 < int(headers["retry-after"]) <= 3600
    _spread(pids)


def test_three_password_resets_for_one_address_then_it_waits(world: World) -> None:
    def attempt(n: int) -> tuple[str, str, bytes, dict[str, str]]:
        body = urlencode({"email": f"{world.prefix}-alice@example.org", "csrfmiddlewaretoken": CSRF}).encode()
        return "POST", "/accounts/password/reset/", body, _form(f"203.0.113.{30 + n}", CSRF_COOKIE)

    answered, headers, pids = _until_429(world, attempt, most=10)

    assert answered == 3 and 3000 < int(headers["retry-after"]) <= 3600
    _spread(pids)


def test_thirty_posts_in_ten_minutes_then_the_person_waits(world: World) -> None:
    def attempt(n: int) -> tuple[str, str, bytes, dict[str, str]]:
        if n % 3 == 2:
            path = f"/api/v1/communities/{world.community}/threads/"
            body = {"kind": "discussion", "title": f"Post number {n}", "body": "A new thread."}
        else:
            path, body = f"/api/v1/threads/{world.thread}/posts/", {"body": f"Reply number {n}."}
        return "POST", path, json.dumps(body).encode(), _api("203.0.113.40", world.tokens["poster"])

    answered, headers, pids = _until_429(world, attempt, most=40)

    assert answered == 30 and 500 < int(headers["retry-after"]) <= 600
    _spread(pids)


def test_a_hundred_and_twenty_searches_a_minute_then_the_person_waits(world: World) -> None:
    def attempt(n: int) -> tuple[str, str, bytes, dict[str, str]]:
        return "GET", f"/api/v1/search/?q=busy+{n}", b"", _api("203.0.113.50", world.tokens["searcher"])

    answered, headers, pids = _until_429(world, attempt, most=140)

    assert answered == 120 and 1 <= int(headers["retry-after"]) <= 60
    _spread(pids)


def test_anonymous_searches_on_the_pages_count_per_address(world: World) -> None:
    def attempt(n: int) -> tuple[str, str, bytes, dict[str, str]]:
        return "GET", f"/search/?q=busy+{n}", b"", {"X-Forwarded-For": "203.0.113.60"}

    answered, headers, pids = _until_429(world, attempt, most=140)

    assert answered == 120 and "Slow down" in headers["_body"] and int(headers["retry-after"]) >= 1
    status, _, _ = request(world.server.port, "GET", "/search/?q=busy", headers={"X-Forwarded-For": "203.0.113.61"})
    assert status == 200  # the next address is not affected
    _spread(pids)
