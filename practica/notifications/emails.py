"""Email of notifications: immediate messages and daily/weekly digests, each with a one-click unsubscribe.

Claiming is what makes a run safe to repeat or overlap: a delivery row per (recipient, key) is created under
a unique constraint, and a notification joins a delivery with a conditional UPDATE (``email_delivery IS
NULL``), so no item can be in two emails. A run that crashes after claiming leaves deliveries "sending"; the
next run after ``STALE_AFTER`` sends them (the same items, never others). Only a crash between the mail server
accepting a message and the database recording it can repeat a message, and the repeat carries the same
Message-ID, which mail systems de-duplicate.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape  # the standard library's: no lazy-string wrapper, and a digest escapes a lot

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Cast, Concat, RowNumber
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from practica.accounts.models import User
from practica.lib import signing
from practica.notifications.models import DeliveryStatus, EmailDelivery, EmailMode, Kind, Notification
from practica.notifications.selectors import recipient_may_read
from practica.notifications.services import absolute_url

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=30)
DIGEST_BATCH = 500
DIGEST_MAX_ITEMS = 20
MAX_ATTEMPTS = 5


# --- Unsubscribe links ----------------------------------------------------------------------------


def unsubscribe_token(user: User) -> str:
    return signing.personal_token(user_id=user.pk, purpose=signing.UNSUBSCRIBE)


def unsubscribe_url(user: User) -> str:
    return absolute_url(reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(user)}))


def user_from_unsubscribe_token(token: str) -> User | None:
    """The person the link was made for, or None if the token was tampered with."""
    data = signing.personal_claims(token, purpose=signing.UNSUBSCRIBE)
    if data is None:
        return None
    return User.objects.filter(pk=data["u"]).first()


# --- Building messages ----------------------------------------------------------------------------


def _footer_urls(user: User) -> dict[str, str]:
    return {
        "unsubscribe_url": unsubscribe_url(user),
        "preferences_url": absolute_url(reverse("notifications:preferences")),
    }


def _message(
    *, user: User, subject: str, text: str, html: str, unsubscribe: str, message_key: str
) -> EmailMultiAlternatives:
    domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": f"<{message_key.replace(':', '.')}.{user.pk}@{domain}>",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


KIND_LABELS = dict(Kind.choices)


def immediate_message(n: Notification, delivery: EmailDelivery) -> EmailMultiAlternatives:
    community = n.community.name if n.community_id and n.community else ""
    context = {
        "item": {
            "subject": n.subject,
            "text": n.text,
            "url": absolute_url(n.url),
            "kind": n.get_kind_display(),
            "community": community,
        },
        **_footer_urls(n.recipient),
    }
    return _message(
        user=n.recipient,
        subject=(f"[{community}] " if community else "") + n.subject[:250],
        text=render_to_string("notifications/email/notification.txt", context),
        html=render_to_string("notifications/email/notification.html", context),
        unsubscribe=context["unsubscribe_url"],  # type: ignore[arg-type]
        message_key=f"{delivery.key}.{delivery.pk}",
    )


@dataclass
class DigestItem:
    subject: str
    url: str
    kind: str
    community: str


def digest_bodies(
    *, period: str, items: Sequence[DigestItem], count: int, unsubscribe: str, preferences: str, centre: str
) -> tuple[str, str]:
    """The plain-text and HTML digest. Built with plain string code rather than templates: a digest run makes
    thousands of them, and this is several times faster (see docs/benchmarks.md). All user text is escaped."""
    groups: dict[str, list[DigestItem]] = defaultdict(list)
    for item in items:
        groups[item.community or "Practica"].append(item)
    plural = "s" if count != 1 else ""
    text = [f"Your {period} Practica digest: {count} new notification{plural}.", ""]
    html = [
        '<!DOCTYPE html>\n<html lang="en"><body style="font-family: sans-serif; line-height: 1.5">',
        f"<p>Your {period} Practica digest: {count} new notification{plural}.</p>",
    ]
    for community in sorted(groups):
        text += [f"== {community} ==", ""]
        html += [f'<h2 style="font-size: 1.1em">{escape(community)}</h2>', "<ul>"]
        for item in groups[community]:
            url, kind = absolute_url(item.url), KIND_LABELS.get(item.kind, item.kind)
            text += [f"* {item.subject} ({kind})", f"  {url}"]
            html.append(
                f'<li><a href="{escape(url)}">{escape(item.subject)}</a> <small>({escape(kind)})</small></li>'
            )
        text.append("")
        html.append("</ul>")
    more = count - len(items)
    if more > 0:
        text += [f"... and {more} more: {centre}", ""]
        html.append(f'<p>... and {more} more in <a href="{escape(centre)}">your notifications</a>.</p>')
    text += [
        "--",
        f"You get this email because of your Practica notification settings: {preferences}",
        f"Unsubscribe from all notification emails: {unsubscribe}",
        "",
    ]
    html += [
        f'<hr>\n<p><small>You get this email because of your <a href="{escape(preferences)}">Practica notification '
        f'settings</a>. <a href="{escape(unsubscribe)}">Unsubscribe</a> from all notification emails.</small></p>',
        "</body></html>",
    ]
    return "\n".join(text), "\n".join(html)


def digest_message(
    user: User, mode: str, items: Sequence[DigestItem], count: int, delivery: EmailDelivery
) -> EmailMultiAlternatives:
    """The digest of ``count`` notifications, showing the first ``items`` (newest first) by community."""
    period = "daily" if mode == EmailMode.DAILY else "weekly"
    urls = _footer_urls(user)
    text, html = digest_bodies(
        period=period,
        items=items,
        count=count,
        unsubscribe=urls["unsubscribe_url"],
        preferences=urls["preferences_url"],
        centre=absolute_url(reverse("notifications:list")),
    )
    return _message(
        user=user,
        subject=f"Your {period} Practica digest: {count} new notification{'s' if count != 1 else ''}",
        text=text,
        html=html,
        unsubscribe=urls["unsubscribe_url"],
        message_key=f"{delivery.key}.{delivery.pk}",
    )


# --- Sending --------------------------------------------------------------------------------------


def _mark(deliveries: Iterable[EmailDelivery], ok: bool, error: str = "") -> None:
    ids = [d.pk for d in deliveries]
    if not ids:
        return
    if ok:
        EmailDelivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.SENT, sent_at=timezone.now(), error=""
        )
    else:
        EmailDelivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.FAILED, error=error[:500])


def _send(pairs: list[tuple[EmailDelivery, EmailMultiAlternatives]]) -> int:
    """Send over one connection; record each delivery as sent or failed. Returns how many were sent."""
    if not pairs:
        return 0
    sent: list[EmailDelivery] = []
    connection = get_connection()
    try:
        connection.open()
        for delivery, message in pairs:
            message.connection = connection
            try:
                message.send()
            except Exception as exc:  # one bad address must not stop the others
                logger.warning("Email delivery %s failed: %s", delivery.pk, exc)
                EmailDelivery.objects.filter(pk=delivery.pk).update(
                    status=DeliveryStatus.SENDING
                    if delivery.attempts < MAX_ATTEMPTS
                    else DeliveryStatus.FAILED,
                    error=str(exc)[:500],
                )
            else:
                sent.append(delivery)
    finally:
        connection.close()
        _mark(sent, ok=True)
    return len(sent)


def send_pending_immediate(limit: int = 500) -> int:
    """Email notifications whose recipients want immediate email. Safe to run concurrently."""
    token = uuid.uuid4().hex
    pending = list(
        Notification.objects.filter(email_mode=EmailMode.IMMEDIATE, email_delivery__isnull=True)
        .filter(recipient_may_read())  # one whose community the person left waits, unsent (and unseen)
        .order_by("id")
        .values_list("id", "recipient_id")[:limit]
    )
    if not pending:
        return 0
    with transaction.atomic():
        EmailDelivery.objects.bulk_create(
            [
                EmailDelivery(recipient_id=rid, key=f"immediate:{nid}", claim_token=token, attempts=1)
                for nid, rid in pending
            ],
            ignore_conflicts=True,
        )
        # One UPDATE attaches each notification to the delivery this run created for it (if it did).
        ours = EmailDelivery.objects.filter(
            recipient_id=OuterRef("recipient_id"),
            key=Concat(Value("immediate:"), Cast(OuterRef("id"), output_field=CharField())),
            claim_token=token,
        )
        Notification.objects.filter(pk__in=[nid for nid, _ in pending], email_delivery__isnull=True).update(
            email_delivery=Subquery(ours.values("pk")[:1])
        )
    notes = Notification.objects.filter(email_delivery__claim_token=token).select_related(
        "recipient", "community", "email_delivery"
    )
    return _send(_immediate_pairs(notes))


NOTHING_LEFT = "Nothing left to send: the recipient may no longer read these notifications."


def _immediate_pairs(notes: QuerySet[Notification]) -> list[tuple[EmailDelivery, EmailMultiAlternatives]]:
    """The messages of these claimed notifications; the deliveries of those whose recipient may no longer read
    them (their membership ended between the notification and the email) are closed, so no run retries them."""
    pairs, unreadable = [], []
    for n in notes.annotate(may_read=ExpressionWrapper(recipient_may_read(), output_field=BooleanField())):
        if n.email_delivery is None:
            continue
        if n.may_read:  # type: ignore[attr-defined]
            pairs.append((n.email_delivery, immediate_message(n, n.email_delivery)))
        else:
            unreadable.append(n.email_delivery)
    _mark(unreadable, ok=False, error=NOTHING_LEFT)
    return pairs


def _period_key(mode: str, now: datetime) -> str:
    local = timezone.localtime(now)
    if mode == EmailMode.WEEKLY:
        year, week, _ = local.isocalendar()
        return f"weekly:{year}-W{week:02d}"
    return f"daily:{local.date().isoformat()}"


@dataclass
class DigestRun:
    sent: int = 0
    batches: int = 0
    recipients: int = 0
    resent_stale: int = 0


def _claim_batch(user_ids: list[int], now: datetime, token: str) -> list[EmailDelivery]:
    """Create this run's digest deliveries for the batch and attach their pending notifications. A constant
    number of queries, whatever the batch size."""
    keys: dict[str, str] = {mode: _period_key(mode, now) for mode in (EmailMode.DAILY, EmailMode.WEEKLY)}
    wanted = (
        Notification.objects.filter(
            recipient_id__in=user_ids,
            email_mode__in=[EmailMode.DAILY, EmailMode.WEEKLY],
            email_delivery__isnull=True,
            created_at__lte=now,
        )
        .filter(recipient_may_read())
        .order_by()  # no default ordering: it would join the DISTINCT and repeat each person per item
        .values_list("recipient_id", "email_mode")
        .distinct()
    )
    pairs = list(wanted)
    if not pairs:
        return []
    with transaction.atomic():
        EmailDelivery.objects.bulk_create(
            [
                EmailDelivery(recipient_id=rid, key=keys[mode], claim_token=token, attempts=1)
                for rid, mode in pairs
            ],
            ignore_conflicts=True,  # another run (or an earlier one this period) has it: not ours
        )
        for mode, key in keys.items():
            ours = EmailDelivery.objects.filter(recipient_id__in=user_ids, key=key, claim_token=token)
            Notification.objects.filter(
                recipient_id__in=ours.values("recipient_id"),
                email_mode=mode,
                email_delivery__isnull=True,
                created_at__lte=now,
            ).filter(recipient_may_read()).update(
                email_delivery=Subquery(ours.filter(recipient_id=OuterRef("recipient_id")).values("pk")[:1])
            )
        return list(
            EmailDelivery.objects.filter(claim_token=token, recipient_id__in=user_ids).select_related(
                "recipient"
            )
        )


def _digest_pairs(deliveries: list[EmailDelivery]) -> list[tuple[EmailDelivery, EmailMultiAlternatives]]:
    """The digest emails of these deliveries: two queries (counts, then the newest items of each), whatever the
    number of people, and at most DIGEST_MAX_ITEMS items per person held in memory."""
    if not deliveries:
        return []
    ids = [d.pk for d in deliveries]
    readable = Notification.objects.filter(email_delivery__in=ids).filter(recipient_may_read())
    counts = dict(
        readable.values_list("email_delivery_id")
        .annotate(n=Count("id"))
        .values_list("email_delivery_id", "n")
    )
    newest = (
        readable.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("email_delivery_id")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=DIGEST_MAX_ITEMS)
        .order_by("email_delivery_id", "rank")
        .values_list("email_delivery_id", "subject", "url", "kind", "community__name")
    )
    items: dict[int, list[DigestItem]] = defaultdict(list)
    for delivery_id, subject, url, kind, community in newest:
        items[delivery_id].append(DigestItem(subject, url, kind, community or ""))
    pairs = []
    _mark([d for d in deliveries if not items.get(d.pk)], ok=False, error=NOTHING_LEFT)
    for d in deliveries:
        if not items.get(d.pk) or not d.recipient.email:
            continue
        mode = EmailMode.WEEKLY if d.key.startswith("weekly:") else EmailMode.DAILY
        pairs.append((d, digest_message(d.recipient, mode, items[d.pk], counts.get(d.pk, 0), d)))
    return pairs


def send_digests(
    *,
    now: datetime | None = None,
    batch_size: int = DIGEST_BATCH,
    on_batch: Callable[[DigestRun], None] | None = None,
) -> DigestRun:
    """Send every due digest, a batch of recipients at a time (constant memory, a constant number of queries
    per batch). Safe to run from cron, twice at once, or again after a crash."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    run = DigestRun()
    run.resent_stale = _resend_stale(now)
    last_id = 0
    while True:
        user_ids = list(
            Notification.objects.filter(
                email_mode__in=[EmailMode.DAILY, EmailMode.WEEKLY],
                email_delivery__isnull=True,
                created_at__lte=now,
                recipient_id__gt=last_id,
            )
            .order_by("recipient_id")
            .values_list("recipient_id", flat=True)
            .distinct()[:batch_size]
        )
        if not user_ids:
            break
        last_id = user_ids[-1]
        run.batches += 1
        run.recipients += len(user_ids)
        deliveries = _claim_batch(user_ids, now, token)
        run.sent += _send(_digest_pairs(deliveries))
        if on_batch is not None:
            on_batch(run)
    return run


def _resend_stale(now: datetime) -> int:
    """Send digests and immediate emails claimed by a run that died before sending them."""
    stale = list(
        EmailDelivery.objects.filter(
            status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_AFTER
        ).values_list("pk", "claim_token")[:DIGEST_BATCH]
    )
    if not stale:
        return 0
    token = uuid.uuid4().hex
    for pk, old in stale:  # take each over only if no other run did meanwhile
        EmailDelivery.objects.filter(pk=pk, claim_token=old, status=DeliveryStatus.SENDING).update(
            claim_token=token, claimed_at=now
        )
    deliveries = list(EmailDelivery.objects.filter(claim_token=token).select_related("recipient"))
    EmailDelivery.objects.filter(claim_token=token).update(attempts=F("attempts") + 1)
    digests = [d for d in deliveries if not d.key.startswith("immediate:")]
    pairs = _digest_pairs(digests)
    pairs += _immediate_pairs(
        Notification.objects.filter(
            email_delivery__in=[d.pk for d in deliveries if d.key.startswith("immediate:")]
        ).select_related("recipient", "community", "email_delivery")
    )
    return _send(pairs)
