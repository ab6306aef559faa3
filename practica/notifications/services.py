"""Writes of the notifications app: notify people, broadcast new things, manage subscriptions, preferences,
personal feed keys and webhooks.

The content apps word their notifications in their own ``notifications.py`` and schedule them with
``on_commit()``; those call ``notify()`` and ``broadcast()``. Both are also safe inside a caller's transaction:
rows are written with the caller's transaction and emails and webhook posts are sent by tasks after commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState, Visibility
from practica.notifications.models import (
    DEFAULT_EMAIL_MODE,
    CommunityEmailPreference,
    EmailMode,
    EmailPreference,
    Kind,
    Notification,
    Subscription,
    Webhook,
    WebhookDelivery,
    new_feed_key,
)
from practica.notifications.selectors import notifications_visible_to
from practica.notifications.urlsafety import validate_webhook_url
from practica.topics.models import Topic

BROADCAST_EVENTS = ("thread.created", "post.created", "event.created", "knowledge.published")
# Kinds that concern one piece of content: someone gets at most one of them per target (a mention in a reply
# to a watched thread is one notification, not three).
CONTENT_KINDS = (Kind.REPLY, Kind.COMMENT, Kind.MENTION, Kind.NEW_CONTENT)
MAX_SUBJECT = 300
MAX_TEXT = 2000


def absolute_url(url: str) -> str:
    """The URL as someone outside the site (email, chat tool) can open it."""
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + "/" + url.lstrip("/")


def _readers(community: Community | None, users: list[User]) -> list[User]:
    """The users who may read the community's content (everyone for no community or a public one)."""
    if community is None or community.visibility == Visibility.PUBLIC:
        return users
    active = set(
        Membership.objects.filter(
            community=community, user_id__in=[u.pk for u in users], state=MembershipState.ACTIVE
        ).values_list("user_id", flat=True)
    )
    return [u for u in users if u.pk in active or u.is_superuser]


def effective_email_modes(user_ids: list[int], community: Community | None) -> dict[int, str]:
    """Each person's email mode for this community: the community override, else their default."""
    modes: dict[int, str] = dict.fromkeys(user_ids, DEFAULT_EMAIL_MODE)
    modes.update(EmailPreference.objects.filter(user_id__in=user_ids).values_list("user_id", "email_mode"))
    if community is not None:
        modes.update(
            CommunityEmailPreference.objects.filter(user_id__in=user_ids, community=community).values_list(
                "user_id", "email_mode"
            )
        )
    return modes


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    subject: str,
    url: str,
    community: Community | None = None,
    actor: User | None = None,
    target: models.Model | None = None,
    text: str = "",
) -> int:
    """One notification per recipient who may see the community (never the actor); emails per preferences.

    Safe inside a transaction (delivery deferred with transaction.on_commit). Returns how many were recorded.
    """
    if kind not in Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    unique: dict[int, User] = {}
    for user in recipients:
        if user is None or not user.is_active or (actor is not None and user.pk == actor.pk):
            continue
        unique.setdefault(user.pk, user)
    users = _readers(community, list(unique.values()))
    if not users:
        return 0
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    target_id = target.pk if target is not None else None
    if target is not None and kind in CONTENT_KINDS:
        already = set(
            Notification.objects.filter(
                recipient_id__in=[u.pk for u in users],
                target_type=target_type,
                target_id=target_id,
                kind__in=CONTENT_KINDS,
            ).values_list("recipient_id", flat=True)
        )
        users = [u for u in users if u.pk not in already]
        if not users:
            return 0
    modes = effective_email_modes([u.pk for u in users], community)
    now = timezone.now()
    # PostgreSQL refuses NUL characters; the lengths are the columns'.
    subject, text, url = (
        subject.replace("\x00", "")[:MAX_SUBJECT],
        text.replace("\x00", "")[:MAX_TEXT],
        url.replace("\x00", "")[:500],
    )
    rows = [
        Notification(
            recipient=user,
            kind=kind,
            community=community,
            actor=actor,
            subject=subject,
            text=text,
            url=url,
            target_type=target_type,
            target_id=target_id,
            created_at=now,
            email_mode=modes[user.pk] if user.email else EmailMode.OFF,
        )
        for user in users
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(rows)
    if any(row.email_mode == EmailMode.IMMEDIATE for row in rows):
        transaction.on_commit(_enqueue_immediate_emails, robust=True)  # a mail outage must not fail the write
    return len(rows)


def on_commit(function: Callable[..., object], *args: int) -> None:
    """Send a content app's notifications: ``function(*args)`` (ids, so nothing stale is carried) runs once the
    current transaction commits, and never for a rolled-back write. Robust: a failure (say the mail server is
    down) is logged and never turns the user's successful write into an error page."""
    transaction.on_commit(lambda: function(*args), robust=True)


def _enqueue_immediate_emails() -> None:
    from practica.notifications.tasks import send_immediate_emails

    send_immediate_emails.enqueue()


def watchers(
    *, community: Community, tags: Iterable[str] = (), thread_mutes: models.Model | None = None
) -> list[User]:
    """People watching the community or one of the tags, minus those who muted any of them (or the thread)."""
    tag_slugs = [t for t in tags if t]
    watching = Q(community=community)
    if tag_slugs:
        watching |= Q(topic__slug__in=tag_slugs)
    subs = Subscription.objects.filter(watching)
    muting = watching | Q(**_target_of(thread_mutes)) if thread_mutes is not None else watching
    muted_ids = set(Subscription.objects.filter(muting, muted=True).values_list("user_id", flat=True))
    watcher_ids = set(subs.filter(muted=False).values_list("user_id", flat=True)) - muted_ids
    return list(User.objects.filter(pk__in=watcher_ids, is_active=True))


def broadcast(
    *,
    community: Community,
    event: str,
    subject: str,
    url: str,
    actor: User | None = None,
    target: models.Model | None = None,
    payload: dict[str, Any] | None = None,
    tags: Iterable[str] = (),
    thread: models.Model | None = None,
) -> None:
    """A new thing in a community: notifies those watching the community (or one of the tags) and delivers the
    community's webhooks. event is one of "thread.created", "post.created", "event.created",
    "knowledge.published". With ``thread`` (the watchable thing the new one belongs to), those who muted it
    stay silent too."""
    if event not in BROADCAST_EVENTS:
        raise ValueError(f"Unknown broadcast event {event!r}.")
    tags = list(tags)
    kind = Kind.EVENT_NEW if event == "event.created" else Kind.NEW_CONTENT
    notify(
        recipients=watchers(community=community, tags=tags, thread_mutes=thread),
        kind=kind,
        subject=subject,
        url=url,
        community=community,
        actor=actor,
        target=target,
    )
    webhooks_deliver(community=community, event=event, subject=subject, url=url, actor=actor, payload=payload)


def webhooks_deliver(
    *,
    community: Community,
    event: str,
    subject: str,
    url: str,
    actor: User | None = None,
    payload: dict[str, Any] | None = None,
) -> list[WebhookDelivery]:
    """Queue the event for each active webhook of the community that wants it; posted by a task after commit."""
    hooks = [h for h in Webhook.objects.filter(community=community, is_active=True) if h.wants(event)]
    if not hooks:
        return []
    body = {
        "event": event,
        "community": {"slug": community.slug, "name": community.name},
        "subject": subject,
        "url": absolute_url(url),
        "actor": actor.username if actor is not None else None,
        "data": payload or {},
        "created_at": timezone.now().isoformat(),
    }
    with transaction.atomic():
        deliveries = WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(webhook=h, event=event, payload=body) for h in hooks]
        )
    ids = [d.pk for d in deliveries]

    def enqueue() -> None:
        from practica.notifications.tasks import deliver_webhook

        for delivery_id in ids:
            deliver_webhook.enqueue(delivery_id)

    transaction.on_commit(enqueue, robust=True)
    return deliveries


# --- Subscriptions --------------------------------------------------------------------------------


def _target_filter(
    *, community: Community | None = None, topic: Topic | None = None, thread: models.Model | None = None
) -> dict[str, Any]:
    given = {
        k: v for k, v in {"community": community, "topic": topic, "thread": thread}.items() if v is not None
    }
    if len(given) != 1:
        raise ValueError("Give exactly one of community, topic or thread.")
    return _target_of(thread) if thread is not None else given


def _target_of(target: models.Model) -> dict[str, Any]:
    """The lookup of a subscription to a watchable thing of a content app (a thread)."""
    return {"target_type": ContentType.objects.get_for_model(target), "target_id": target.pk}


def subscription_set(
    *,
    user: User,
    community: Community | None = None,
    topic: Topic | None = None,
    thread: models.Model | None = None,
    state: str,
) -> Subscription | None:
    """Watch, mute or forget (state "watch", "mute" or "none") a community, a tag or a thread."""
    if state not in ("watch", "mute", "none"):
        raise ValidationError({"state": ["Choose watch, mute or none."]})
    target = _target_filter(community=community, topic=topic, thread=thread)
    with transaction.atomic():
        if state == "none":
            Subscription.objects.filter(user=user, **target).delete()
            return None
        sub, _ = Subscription.objects.update_or_create(
            user=user, **target, defaults={"muted": state == "mute"}
        )
        return sub


def thread_watch_automatically(*, user: User, thread: models.Model) -> None:
    """Watch a thread one wrote or replied to, unless one already chose (watch or mute) for it."""
    try:
        with transaction.atomic():
            Subscription.objects.get_or_create(user=user, **_target_of(thread), defaults={"muted": False})
    except IntegrityError:  # a concurrent request created it: their choice stands
        pass


# --- Notification centre --------------------------------------------------------------------------


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark some (or, with ids=None, all) of the user's unread notifications read. Returns how many changed.

    Those of a community the person may no longer read are left as they are (hidden, not counted).
    """
    qs = notifications_visible_to(user=user).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# --- Email preferences ----------------------------------------------------------------------------


def preference_get(*, user: User) -> EmailPreference:
    pref, _ = EmailPreference.objects.get_or_create(user=user)
    return pref


@transaction.atomic
def email_mode_set(*, user: User, mode: str, community: Community | None = None) -> None:
    """Set the person's email mode, or (with a community) the community's override; "" removes an override.

    Pending (not yet emailed) notifications follow the new choice, so an unsubscribe stops the next digest.
    """
    if mode not in EmailMode.values and not (community is not None and mode == ""):
        raise ValidationError({"email_mode": ["Choose immediate, daily, weekly or off."]})
    pending = Notification.objects.filter(recipient=user, email_delivery__isnull=True).exclude(
        email_mode=EmailMode.OFF
    )
    if community is None:
        EmailPreference.objects.update_or_create(user=user, defaults={"email_mode": mode})
        overridden = CommunityEmailPreference.objects.filter(user=user).values_list("community_id", flat=True)
        pending.exclude(community_id__in=list(overridden)).update(
            email_mode=mode if user.email else EmailMode.OFF
        )
        return
    if mode == "":
        CommunityEmailPreference.objects.filter(user=user, community=community).delete()
        mode = effective_email_modes([user.pk], None)[user.pk]
    else:
        CommunityEmailPreference.objects.update_or_create(
            user=user, community=community, defaults={"email_mode": mode}
        )
    pending.filter(community=community).update(email_mode=mode if user.email else EmailMode.OFF)


@transaction.atomic
def email_unsubscribe_all(*, user: User) -> None:
    """The one-click unsubscribe: no more notification email at all, whatever the per-community overrides."""
    CommunityEmailPreference.objects.filter(user=user).delete()
    EmailPreference.objects.update_or_create(user=user, defaults={"email_mode": EmailMode.OFF})
    Notification.objects.filter(recipient=user, email_delivery__isnull=True).exclude(
        email_mode=EmailMode.OFF
    ).update(email_mode=EmailMode.OFF)


@transaction.atomic
def feed_key_rotate(*, user: User) -> EmailPreference:
    """Give the person a new personal feed key: every feed URL made with the old one stops working."""
    pref = preference_get(user=user)
    pref.feed_key = new_feed_key()
    pref.save(update_fields=["feed_key", "updated_at"])
    return pref


# --- Webhooks -------------------------------------------------------------------------------------


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = sorted(set(events))
    unknown = [e for e in chosen if e not in BROADCAST_EVENTS]
    if unknown:
        raise ValidationError({"events": [f"Unknown event: {', '.join(unknown)}."]})
    return chosen


@transaction.atomic
def webhook_create(*, community: Community, actor: User, url: str, events: Iterable[str] = ()) -> Webhook:
    """Add an outgoing webhook (coordinators only; the caller checks the role). The URL must be http(s) and,
    unless the admin allows it, must not point into a private network."""
    url = validate_webhook_url(url)
    return Webhook.objects.create(
        community=community, url=url, events=_clean_events(events), created_by=actor
    )


@transaction.atomic
def webhook_set_active(*, webhook: Webhook, active: bool) -> Webhook:
    """Enable (resetting the failure count) or disable a webhook."""
    webhook.is_active = active
    if active:
        webhook.consecutive_failures = 0
        webhook.disabled_at = None
        webhook.disabled_reason = ""
    else:
        webhook.disabled_at = timezone.now()
        webhook.disabled_reason = "Disabled by a coordinator."
    webhook.save()
    return webhook


@transaction.atomic
def webhook_delete(*, webhook: Webhook) -> None:
    webhook.delete()
