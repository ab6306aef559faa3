"""Posting webhook deliveries: signed JSON, retries with backoff, disabling after repeated failures."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import Membership, MembershipState, Role
from practica.notifications.models import Kind, Webhook, WebhookDelivery
from practica.notifications.urlsafety import refuse_private_target

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Practica-Signature"
MAX_ATTEMPTS = 5  # per delivery
DISABLE_AFTER = 10  # consecutive failed deliveries of one webhook
TIMEOUT_SECONDS = 10
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))


def sign(secret: str, body: bytes) -> str:
    """The signature header value: ``sha256=<hex HMAC-SHA256 of the body with the webhook's secret>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _post(webhook: Webhook, delivery: WebhookDelivery) -> int:
    refuse_private_target(webhook.url)  # the DNS answer may have changed since the webhook was saved
    body = json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()
    if urlsplit(webhook.url).scheme not in ("http", "https"):
        raise ValidationError("A webhook URL must start with http:// or https://.")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Practica-Webhook/1",
            "X-Practica-Event": delivery.event,
            "X-Practica-Delivery": str(delivery.pk),
            SIGNATURE_HEADER: sign(webhook.secret, body),
        },
    )
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
        return int(response.status)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could lead into the private network past the address check: treat it as a failure."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def attempt(delivery_id: int) -> str:
    """Try one delivery once. On failure, schedule the next try with backoff (or give up after MAX_ATTEMPTS);
    after DISABLE_AFTER consecutive failures the webhook is disabled and its coordinators are told."""
    delivery = (
        WebhookDelivery.objects.select_related("webhook", "webhook__community").filter(pk=delivery_id).first()
    )
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return "skipped"
    # Claim this attempt: if another worker got here first (the same task enqueued twice), it is theirs.
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=WebhookDelivery.Status.PENDING, attempts=delivery.attempts
    ).update(attempts=delivery.attempts + 1)
    if not claimed:
        return "skipped"
    webhook = delivery.webhook
    if not webhook.is_active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.FAILED, error="Disabled."
        )
        return "disabled"
    status: int | None = None
    error = ""
    try:
        status = _post(webhook, delivery)
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except ValidationError as exc:
        error = "; ".join(exc.messages)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        error = str(getattr(exc, "reason", exc))[:500]
    ok = status is not None and 200 <= status < 300
    now = timezone.now()
    attempts = delivery.attempts + 1
    if ok:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.DELIVERED,
            attempts=attempts,
            response_status=status,
            delivered_at=now,
            error="",
        )
        Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=0)
        return "delivered"
    give_up = attempts >= MAX_ATTEMPTS
    next_at = now + BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED if give_up else WebhookDelivery.Status.PENDING,
        attempts=attempts,
        response_status=status,
        error=(error or f"HTTP {status}")[:500],
        next_attempt_at=next_at,
    )
    with transaction.atomic():
        Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
        webhook.refresh_from_db(fields=["consecutive_failures", "is_active"])
        if webhook.is_active and webhook.consecutive_failures >= DISABLE_AFTER:
            _disable(
                webhook, f"Disabled after {webhook.consecutive_failures} failed deliveries (last: {error})."
            )
            return "disabled"
    if not give_up:
        _schedule_retry(delivery.pk, next_at)
    return "failed"


def _schedule_retry(delivery_id: int, when: object) -> None:
    """Re-enqueue with run_after when the backend can defer; otherwise ``deliver_webhooks`` (cron) picks it up."""
    from practica.notifications.tasks import deliver_webhook

    backend = deliver_webhook.get_backend()
    if backend.supports_defer:
        deliver_webhook.using(run_after=when).enqueue(delivery_id)  # type: ignore[arg-type]


def _disable(webhook: Webhook, reason: str) -> None:
    from practica.notifications.services import notify

    Webhook.objects.filter(pk=webhook.pk).update(
        is_active=False, disabled_at=timezone.now(), disabled_reason=reason
    )
    community = webhook.community
    coordinators = [
        m.user
        for m in Membership.objects.filter(
            community=community, state=MembershipState.ACTIVE, role=Role.COORDINATOR
        ).select_related("user")
    ]
    notify(
        recipients=coordinators,
        kind=Kind.WEBHOOK_DISABLED,
        subject=f"A webhook of {community.name} was disabled after repeated failures",
        text=f"{webhook.url}: {reason}",
        url=reverse("notifications:webhooks", kwargs={"slug": community.slug}),
        community=community,
    )


def deliver_due(limit: int = 200) -> int:
    """Retry pending deliveries whose time has come (for backends that cannot defer tasks). Returns how many."""
    due = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now(), attempts__gt=0
        ).values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        attempt(pk)
    return len(due)
