"""``Idempotency-Key`` on the API's POSTs: a retry replays the first answer and creates nothing ([P12] finding 4)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from practica.accounts.models import User
from practica.accounts.services import token_create
from practica.api import idempotency
from practica.api.models import IdempotencyKey
from practica.communities.models import Community
from practica.discussions import services as discussion_services
from practica.discussions.models import Post, Thread
from practica.lib.testing.client import Api
from practica.lib.testing.content import make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(community: Community, owner: User) -> Thread:
    return make_thread(community=community, author=owner, title="Which gasket for the flange?")


def _reply(api: Api, thread: Thread, body: str = "A spiral-wound one.", key: str | None = "retry-1", **extra: Any) -> Any:
    headers = {} if key is None else {"Idempotency-Key": key}
    return api.post(
        f"/api/v1/threads/{thread.pk}/posts/", data=json.dumps({"body": body}), content_type="application/json",
        headers=headers, **extra,
    )


def _replies(thread: Thread) -> int:
    return Post.objects.filter(thread=thread, is_opening=False).count()


def test_a_retry_with_the_same_key_replays_the_answer_and_creates_nothing(api: Api, member: User, thread: Thread) -> None:
    first = _reply(api.as_user(member), thread)
    again = _reply(api, thread)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert _replies(thread) == 1
    assert IdempotencyKey.objects.get().response_status == 201


def test_a_new_thread_retried_is_one_thread(api: Api, member: User, community: Community) -> None:
    payload = {"kind": "question", "title": "Torque for M24 bolts?", "body": "Lubricated, grade 8.8."}
    url = f"/api/v1/communities/{community.slug}/threads/"
    answers = [
        api.as_user(member).post(url, payload, format="json", headers={"Idempotency-Key": "new-thread"})
        for _ in range(3)
    ]

    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert Thread.objects.filter(title="Torque for M24 bolts?").count() == 1


def test_without_the_header_every_request_creates(api: Api, member: User, thread: Thread) -> None:
    _reply(api.as_user(member), thread, key=None)
    _reply(api, thread, key=None)

    assert _replies(thread) == 2
    assert not IdempotencyKey.objects.exists()


def test_the_same_key_with_a_different_body_is_a_422_and_creates_nothing(
    api: Api, member: User, thread: Thread
) -> None:
    _reply(api.as_user(member), thread, body="First answer.")
    response = _reply(api, thread, body="A different answer.")

    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert _replies(thread) == 1


def test_the_same_key_on_another_endpoint_is_a_422(api: Api, member: User, thread: Thread, community: Community) -> None:
    other = make_thread(community=community, author=member, title="Another question")
    _reply(api.as_user(member), thread)

    assert _reply(api, other).status_code == 422
    assert _replies(other) == 0


def test_json_is_compared_by_value_not_by_spacing_or_key_order(api: Api, member: User, community: Community) -> None:
    url = f"/api/v1/communities/{community.slug}/threads/"
    headers = {"Idempotency-Key": "same-json"}
    one = '{"kind": "idea", "title": "Share torque tables", "body": "One sheet per flange class."}'
    two = '{"body":"One sheet per flange class.","title":"Share torque tables","kind":"idea"}'
    first = api.as_user(member).post(url, one, content_type="application/json", headers=headers)
    again = api.post(url, two, content_type="application/json", headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert Thread.objects.filter(title="Share torque tables").count() == 1


def test_another_persons_same_key_is_independent(api: Api, member: User, owner: User, thread: Thread) -> None:
    mine = _reply(api.as_user(member), thread, body="Mine.")
    theirs = _reply(Api().as_user(owner), thread, body="Theirs.")

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert not theirs.has_header("Idempotent-Replayed")
    assert theirs.json()["id"] != mine.json()["id"]
    assert _replies(thread) == 2


def test_a_personal_token_scopes_the_key_to_its_owner(member: User, owner: User, thread: Thread) -> None:
    issued = token_create(user=member, name="CI script")
    client = Api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")

    assert _reply(client, thread).status_code == 201
    assert _reply(client, thread)["Idempotent-Replayed"] == "true"
    assert IdempotencyKey.objects.get().user == member
    assert _replies(thread) == 1


def test_a_session_with_its_csrf_token_is_recognised(member: User, thread: Thread) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    client.cookies["csrftoken"] = "c" * 32
    answers = [
        client.post(
            f"/api/v1/threads/{thread.pk}/posts/", data=json.dumps({"body": "Through the pages' session."}),
            content_type="application/json", headers={"Idempotency-Key": "session", "X-CSRFToken": "c" * 32},
        )
        for _ in range(2)
    ]

    assert [a.status_code for a in answers] == [201, 201]
    assert answers[1]["Idempotent-Replayed"] == "true"
    assert _replies(thread) == 1


def test_a_session_without_its_csrf_token_is_refused_as_without_the_key(member: User, thread: Thread) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(
        f"/api/v1/threads/{thread.pk}/posts/", data=json.dumps({"body": "No CSRF token."}),
        content_type="application/json", headers={"Idempotency-Key": "no-csrf"},
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not IdempotencyKey.objects.exists()


def test_an_upload_retried_is_one_attachment_and_a_different_file_is_a_422(
    api: Api, community: Community, member: User, owner: User
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from practica.knowledge.models import Attachment
    from practica.lib.testing.content import published

    item = published(community, member, owner)
    url = f"/api/v1/knowledge/{item.id}/attachments/"
    client = api.as_user(member)

    def upload(content: bytes) -> Any:  # each send has its own multipart boundary
        file = SimpleUploadedFile("guide.pdf", content)
        return client.post(url, {"file": file}, format="multipart", headers={"Idempotency-Key": "upload"})

    first, again = upload(b"%PDF-1.4\n%%EOF"), upload(b"%PDF-1.4\n%%EOF")
    other = upload(b"%PDF-1.4\n% another\n%%EOF")

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again["Idempotent-Replayed"] == "true"
    assert Attachment.objects.count() == 1


def test_a_key_expires_after_24_hours(api: Api, member: User, thread: Thread) -> None:
    _reply(api.as_user(member), thread)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=24, minutes=1))

    again = _reply(api, thread)

    assert again.status_code == 201
    assert not again.has_header("Idempotent-Replayed")
    assert _replies(thread) == 2
    assert IdempotencyKey.objects.count() == 1  # the expired record was replaced


def test_expired_records_are_deleted_by_later_requests(api: Api, member: User, owner: User, thread: Thread) -> None:
    _reply(Api().as_user(owner), thread, key="old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(days=2))
    _reply(api.as_user(member), thread, key="new")

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_a_key_still_fresh_after_23_hours_replays(api: Api, member: User, thread: Thread) -> None:
    _reply(api.as_user(member), thread)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=23))

    assert _reply(api, thread)["Idempotent-Replayed"] == "true"
    assert _replies(thread) == 1


@pytest.mark.parametrize("key", ["", "   ", "k" * 256, "tab\there", "nul\x00"])
def test_an_empty_or_too_long_key_is_a_400_and_creates_nothing(api: Api, member: User, thread: Thread, key: str) -> None:
    response = _reply(api.as_user(member), thread, key=key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert _replies(thread) == 0


def test_a_key_of_255_characters_is_accepted(api: Api, member: User, thread: Thread) -> None:
    assert _reply(api.as_user(member), thread, key="k" * 255).status_code == 201


def test_anonymous_requests_ignore_the_header(api: Api, thread: Thread) -> None:
    response = _reply(api.as_user(None), thread, key="")  # not even checked: there is no one to scope it to

    assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()


def test_a_client_error_is_kept_and_replayed(api: Api, member: User, thread: Thread) -> None:
    first = _reply(api.as_user(member), thread, body="   ")
    again = _reply(api, thread, body="   ")

    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"


def test_a_rate_limited_answer_is_not_kept(api: Api, member: User, thread: Thread, settings: Any) -> None:
    from practica.lib.rates import Rate

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "post": Rate(1, 600)}
    _reply(api.as_user(member), thread, key="first")
    limited = _reply(api, thread, key="second")

    assert limited.status_code == 429
    assert not IdempotencyKey.objects.filter(key="second").exists()


def test_a_5xx_is_not_kept_and_its_write_is_undone(
    api: Api, member: User, thread: Thread, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = discussion_services.post_create

    def write_then_fail(**kwargs: Any) -> Post:
        real(**kwargs)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(discussion_services, "post_create", write_then_fail)
    api.raise_request_exception = False
    failed = _reply(api.as_user(member), thread)
    monkeypatch.setattr(discussion_services, "post_create", real)
    retried = _reply(api, thread)

    assert failed.status_code == 500
    assert retried.status_code == 201 and not retried.has_header("Idempotent-Replayed")
    assert _replies(thread) == 1


def test_a_duplicate_while_the_first_is_in_flight_is_a_409(
    api: Api, member: User, thread: Thread, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The in-flight check itself (a lock held by the first request) is exercised for real below, on PostgreSQL.
    monkeypatch.setattr(idempotency, "_try_lock", lambda user_id, key: False)
    response = _reply(api.as_user(member), thread)

    assert response.status_code == 409
    assert response.json() == {"detail": "A request with this Idempotency-Key is in progress; retry later."}
    assert response["Retry-After"] == "1"
    assert _replies(thread) == 0


@pytest.mark.django_db(transaction=True)
def test_a_real_concurrent_duplicate_gets_409_then_the_replay(
    member: User, thread: Thread, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite takes one writer at a time: the duplicate waits for the first and gets its replay "
            "(practica/discussions/tests/test_concurrency.py sends duplicates at once through a real server)"
        )
    real = discussion_services.post_create
    entered, release = threading.Event(), threading.Event()

    def slow(**kwargs: Any) -> Post:
        entered.set()
        release.wait(timeout=30)
        return real(**kwargs)

    monkeypatch.setattr(discussion_services, "post_create", slow)
    answers: list[Any] = []

    def first() -> None:
        try:
            answers.append(_reply(Api().as_user(member), thread))
        finally:
            connection.close()

    worker = threading.Thread(target=first)
    worker.start()
    try:
        assert entered.wait(timeout=30)
        duplicate = _reply(Api().as_user(member), thread)
    finally:
        release.set()
        worker.join(timeout=30)

    assert duplicate.status_code == 409
    assert answers[0].status_code == 201
    retried = _reply(Api().as_user(member), thread)
    assert retried["Idempotent-Replayed"] == "true" and retried.json() == answers[0].json()
    assert _replies(thread) == 1


def test_the_token_endpoints_are_left_out() -> None:
    assert idempotency.applies_to("POST", "/api/v1/communities/x/threads/")
    assert not idempotency.applies_to("POST", "/api/v1/auth/token/")
    assert not idempotency.applies_to("POST", "/api/v1/me/tokens/")
    assert not idempotency.applies_to("PATCH", "/api/v1/communities/x/")
    assert not idempotency.applies_to("POST", "/communities/x/threads/new/")


def test_the_schema_documents_the_header_on_every_post(api: Api) -> None:
    schema = api.get("/api/v1/schema/?format=json").json()
    for path in ("/api/v1/communities/", "/api/v1/threads/{thread_id}/posts/", "/api/v1/events/{event_id}/rsvp/"):
        post = schema["paths"][path]["post"]
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"]), path
        assert {"409", "422"} <= set(post["responses"]), path
    assert not any(p.get("name") == "Idempotency-Key" for p in schema["paths"]["/api/v1/communities/"]["get"].get("parameters", []))
    assert "post" not in schema["paths"]["/api/v1/auth/token/"] or not any(
        p.get("name") == "Idempotency-Key" for p in schema["paths"]["/api/v1/auth/token/"]["post"].get("parameters", [])
    )
