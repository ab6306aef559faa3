"""Permission-scoped reads of notifications, subscriptions, personal feeds and webhooks."""

from __future__ import annotations

from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.http import Http404

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState, Visibility
from practica.communities.selectors import Access, AnyUser, communities_readable_by
from practica.lib import signing
from practica.notifications.models import (
    DEFAULT_EMAIL_MODE,
    CommunityEmailPreference,
    EmailPreference,
    Notification,
    Subscription,
    Webhook,
)
from practica.notifications.permissions import MANAGE_WEBHOOKS


def recipient_may_read() -> Q:
    """Notifications whose recipient may still read their community: none, a public one, one they are an active
    member of, or any for a network admin (``communities_readable_by``'s rule, for every recipient at once).

    Notifications are made only for people who may read (``services.notify``); once a membership ends (removed,
    left, or the community became private) the rows stay, hidden, and come back if the person rejoins.
    """
    is_member = Membership.objects.filter(
        community_id=OuterRef("community_id"), user_id=OuterRef("recipient_id"), state=MembershipState.ACTIVE
    )
    return (
        Q(community__isnull=True)
        | Q(community__visibility=Visibility.PUBLIC)
        | Q(recipient__is_superuser=True)
        | Q(Exists(is_member))
    )


def notifications_visible_to(*, user: User) -> QuerySet[Notification]:
    """The person's own notifications that they may still read (unordered, no joins beyond the check)."""
    return Notification.objects.filter(recipient=user).filter(recipient_may_read())


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """The person's own notifications they may still read, newest first."""
    return (
        notifications_visible_to(user=user)
        .select_related("actor", "community")
        .order_by("-created_at", "-id")
    )


def unread_count(*, user: AnyUser) -> int:
    if not user.is_authenticated:
        return 0
    return notifications_visible_to(user=user).filter(read_at__isnull=True).count()  # type: ignore[arg-type]


def notification_get_for_user(*, user: User, notification_id: int) -> Notification:
    """The person's own notification, else 404 (someone else's notification, or one of a community they may no
    longer read, is as absent as a missing one)."""
    n = notifications_visible_to(user=user).filter(pk=notification_id).first()
    if n is None:
        raise Http404("No such notification.")
    return n


def subscription_state(
    *, user: User, community: Community | None = None, thread: Model | None = None
) -> str:
    """The person's state for this community or thread: "watch", "mute" or "none"."""
    qs = Subscription.objects.filter(user=user)
    if community is not None:
        qs = qs.filter(community=community)
    elif thread is not None:
        qs = qs.of(thread)
    else:
        return "none"
    sub = qs.first()
    if sub is None:
        return "none"
    return "mute" if sub.muted else "watch"


def thread_watchers(*, thread: Model) -> list[User]:
    """The active people watching the thread (not muting it)."""
    ids = Subscription.objects.of(thread).filter(muted=False).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def thread_muter_ids(*, thread: Model) -> set[int]:
    """The ids of the people who muted the thread."""
    return set(Subscription.objects.of(thread).filter(muted=True).values_list("user_id", flat=True))


def subscriptions_of(*, user: User) -> QuerySet[Subscription]:
    """Everything the person watches or mutes: communities (by name), then tags (by slug), then threads (newest
    first); one query, whatever their number."""
    return (
        Subscription.objects.filter(user=user)
        .select_related("community", "topic", "target_type")
        .order_by(
            F("community__name").asc(nulls_last=True), F("topic__slug").asc(nulls_last=True), "-created_at", "-id"
        )
    )


def watched_topics(*, user: User) -> QuerySet[Subscription]:
    return (
        Subscription.objects.filter(user=user, topic__isnull=False)
        .select_related("topic")
        .order_by("topic__slug")
    )


def email_mode_of(*, user: User, community: Community | None = None) -> str:
    if community is not None:
        override = CommunityEmailPreference.objects.filter(user=user, community=community).first()
        if override is not None:
            return override.email_mode
        return ""
    pref = EmailPreference.objects.filter(user=user).first()
    return pref.email_mode if pref else DEFAULT_EMAIL_MODE


def community_email_modes(*, user: User) -> list[tuple[str, str]]:
    """(slug, email mode) of each community the person set apart from their default and may still read."""
    return list(
        CommunityEmailPreference.objects.filter(
            user=user, community__in=communities_readable_by(user)
        )
        .order_by("community__slug")
        .values_list("community__slug", "email_mode")
    )


def communities_with_feeds(*, user: User) -> QuerySet[Community]:
    """The communities the person belongs to, by name: those their settings page offers a personal feed of."""
    return Community.objects.filter(
        memberships__user=user, memberships__state=MembershipState.ACTIVE
    ).order_by("name")


# --- Personal feeds -------------------------------------------------------------------------------


def feed_token(*, user: User) -> str:
    """The signed token of the person's feed URLs; it embeds their current feed key, so rotating the key
    revokes every URL made before."""
    pref, _ = EmailPreference.objects.get_or_create(user=user)
    return signing.personal_token(user_id=user.pk, purpose=signing.PERSONAL_FEED, k=pref.feed_key)


def feed_user_from_token(token: str) -> User:
    """The person behind a feed token, or 404 if it was tampered with or revoked."""
    data = signing.personal_claims(token, purpose=signing.PERSONAL_FEED, k=str)
    if data is None:
        raise Http404("No such feed.")
    pref = (
        EmailPreference.objects.select_related("user")
        .filter(user_id=data["u"], feed_key=data["k"], user__is_active=True)
        .first()
    )
    if pref is None:
        raise Http404("No such feed.")
    return pref.user


def community_readable(*, slug: str, user: AnyUser) -> Community | None:
    """The community of this slug if the user may read its content, else None (whether it exists or not)."""
    return communities_readable_by(user).filter(slug__iexact=slug).first()


def community_for_feed(*, slug: str, user: AnyUser) -> Community:
    """The community whose content the user may read, else 404 (whether it exists or not)."""
    community = communities_readable_by(user).filter(slug__iexact=slug).first()
    if community is None:
        raise Http404("No such community.")
    return community


# --- Webhooks -------------------------------------------------------------------------------------


def webhooks_for(*, access: Access) -> QuerySet[Webhook]:
    MANAGE_WEBHOOKS.require(access)
    return Webhook.objects.filter(community=access.community).order_by("created_at", "id")


def webhook_get(*, access: Access, webhook_id: int) -> Webhook:
    hook = webhooks_for(access=access).filter(pk=webhook_id).first()
    if hook is None:
        raise Http404("No such webhook.")
    return hook
