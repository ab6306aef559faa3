"""Outgoing webhooks: who manages them, which URLs they may target, signed delivery to a real HTTP server,
retries with backoff and disabling after repeated failures."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community
from practica.lib.testing.content import ask
from practica.notifications import services, webhooks
from practica.notifications.models import Kind, Notification, Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db

Commit = Callable[..., Any]


class Receiver:
    """A real HTTP server on 127.0.0.1 that records what it is sent and answers ``status``."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.PRACTICA_WEBHOOK_ALLOW_PRIVATE = True
    r = Receiver()
    try:
        yield r
    finally:
        r.close()


def _login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


# --- Who manages them -----------------------------------------------------------------------------


def test_a_coordinator_adds_a_webhook(
    client: Client, owner: User, community: Community, settings: Any
) -> None:
    settings.PRACTICA_WEBHOOK_ALLOW_PRIVATE = False
    response = _login(client, owner).post(
        f"/communities/{community.slug}/webhooks/",
        {"url": "https://93.184.216.34/hook", "events": ["thread.created"]},
    )
    assert response.status_code == 302
    hook = Webhook.objects.get(community=community)
    assert hook.events == ["thread.created"] and hook.is_active
    assert hook.url in client.get(f"/communities/{community.slug}/webhooks/").content.decode()


def test_a_member_may_not_manage_webhooks_and_an_outsider_sees_nothing_of_a_private_community(
    client: Client, member: User, outsider: User, owner: User, private_community: Community
) -> None:
    hook = services.webhook_create(community=private_community, actor=owner, url="https://93.184.216.34/")
    base = f"/communities/{private_community.slug}/webhooks/"

    assert _login(client, member).get(base).status_code == 403
    assert client.post(f"{base}{hook.pk}/", {"action": "delete"}).status_code == 403
    assert _login(client, outsider).get(base).status_code == 404
    assert client.post(f"{base}{hook.pk}/", {"action": "delete"}).status_code == 404
    assert Webhook.objects.filter(pk=hook.pk).exists()

    _login(client, owner).post(f"{base}{hook.pk}/", {"action": "disable"})
    hook.refresh_from_db()
    assert not hook.is_active


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/hook", "javascript:alert(1)", "file:///etc/passwd", "example.org/hook", "http://"],
)
def test_a_webhook_url_that_is_not_http_is_refused_with_a_clear_error(
    client: Client, owner: User, community: Community, url: str
) -> None:
    response = _login(client, owner).post(f"/communities/{community.slug}/webhooks/", {"url": url})

    body = response.content.decode()
    assert response.status_code == 400
    assert (
        "A webhook URL must start with http:// or https://." in body or "Enter a valid http(s) URL." in body
    )
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/",
        "http://localhost/",
        "http://10.1.2.3/",
        "http://[::1]/",
        "http://169.254.169.254/",
    ],
)
def test_private_network_targets_are_refused_when_the_admin_forbids_them(
    owner: User, community: Community, settings: Any, url: str
) -> None:
    settings.PRACTICA_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError, match="private network"):
        services.webhook_create(community=community, actor=owner, url=url)
    assert not Webhook.objects.exists()


def test_private_targets_are_accepted_when_allowed(owner: User, community: Community, settings: Any) -> None:
    settings.PRACTICA_WEBHOOK_ALLOW_PRIVATE = True
    assert services.webhook_create(community=community, actor=owner, url="http://127.0.0.1:9/").pk


# --- Delivery -------------------------------------------------------------------------------------


def test_a_new_thread_is_posted_as_signed_json(
    receiver: Receiver,
    owner: User,
    member: User,
    community: Community,
    django_capture_on_commit_callbacks: Commit,
) -> None:
    hook = services.webhook_create(community=community, actor=owner, url=receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(community, member, "Which packer?")

    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    expected = "sha256=" + hmac.new(hook.secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-practica-signature"] == expected
    assert headers["content-type"] == "application/json" and headers["x-practica-event"] == "thread.created"
    payload = json.loads(body)
    assert payload["event"] == "thread.created" and payload["community"]["slug"] == community.slug
    assert payload["data"]["thread"]["id"] == thread.pk and payload["actor"] == "member"
    assert payload["url"].endswith(f"/threads/{thread.pk}/")
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


def test_a_webhook_only_gets_the_events_it_asked_for(
    receiver: Receiver,
    owner: User,
    member: User,
    community: Community,
    django_capture_on_commit_callbacks: Commit,
) -> None:
    services.webhook_create(community=community, actor=owner, url=receiver.url, events=["post.created"])
    with django_capture_on_commit_callbacks(execute=True):
        ask(community, member)
    assert receiver.requests == []


def test_a_failed_delivery_is_retried_later_with_backoff(
    receiver: Receiver,
    owner: User,
    member: User,
    community: Community,
    django_capture_on_commit_callbacks: Commit,
) -> None:
    services.webhook_create(community=community, actor=owner, url=receiver.url)
    receiver.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        ask(community, member)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.attempts == 1
    assert delivery.response_status == 500 and delivery.next_attempt_at > timezone.now()

    receiver.status = 204
    call_command("deliver_webhooks", stdout=None)  # nothing due yet
    assert len(receiver.requests) == 1
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    call_command("deliver_webhooks")

    delivery.refresh_from_db()
    assert len(receiver.requests) == 2 and delivery.status == WebhookDelivery.Status.DELIVERED


def test_repeated_failures_disable_the_webhook_and_tell_the_coordinators(
    receiver: Receiver, owner: User, member: User, community: Community
) -> None:
    hook = services.webhook_create(community=community, actor=owner, url=receiver.url)
    receiver.status = 503
    deliveries = services.webhooks_deliver(community=community, event="thread.created", subject="x", url="/")
    for _ in range(webhooks.DISABLE_AFTER):
        WebhookDelivery.objects.filter(pk=deliveries[0].pk).update(attempts=0, status="pending")
        result = webhooks.attempt(deliveries[0].pk)

    hook.refresh_from_db()
    assert result == "disabled" and not hook.is_active and "failed deliveries" in hook.disabled_reason
    notice = Notification.objects.get(recipient=owner, kind=Kind.WEBHOOK_DISABLED)
    assert "was disabled" in notice.subject
    assert not Notification.objects.filter(recipient=member, kind=Kind.WEBHOOK_DISABLED).exists()
    assert services.webhooks_deliver(community=community, event="thread.created", subject="x", url="/") == []


def test_a_delivery_to_a_host_that_became_private_fails_without_a_request(
    receiver: Receiver, owner: User, community: Community, settings: Any
) -> None:
    services.webhook_create(community=community, actor=owner, url=receiver.url)
    settings.PRACTICA_WEBHOOK_ALLOW_PRIVATE = False
    delivery = services.webhooks_deliver(community=community, event="thread.created", subject="x", url="/")[0]

    assert webhooks.attempt(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert "private network" in delivery.error and receiver.requests == []
