"""Notifications of a community one may no longer read are hidden, not deleted: after being removed, after
leaving, or when a public community becomes private, in the centre, its htmx partial, the badge, the API, the
emails not yet sent and the link that opens one; they come back on rejoining ([P12] finding 13)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practica.accounts.models import User
from practica.communities import services as communities
from practica.communities.models import Community, Membership, Visibility
from practica.lib.testing.client import Api, page_client
from practica.lib.testing.factories import MembershipFactory
from practica.notifications import emails, services
from practica.notifications.models import EmailMode, EmailPreference, Kind, Notification

pytestmark = pytest.mark.django_db

SECRET = "Casing plan for well K-17"
OPEN = "Open meeting on cementing"
PERSONAL = "Your export is ready"


def _notify(user: User, subject: str, community: Community | None, count: int = 1) -> None:
    for i in range(count):
        services.notify(
            recipients=[user], kind=Kind.EVENT_NEW, subject=f"{subject} {i}" if count > 1 else subject,
            url="/", community=community, text=f"Excerpt of {subject}",
        )


def _remove(community: Community, owner: User, user: User) -> None:
    membership = Membership.objects.get(community=community, user=user)
    communities.membership_remove(community=community, actor=owner, membership_id=membership.pk)


def _everything_seen_by(user: User) -> dict[str, Any]:
    client = page_client(user)
    api = Api().as_user(user)
    listed = api.get("/api/v1/notifications/").json()
    return {
        "page": client.get("/notifications/").content.decode(),
        "partial": client.get("/notifications/", HTTP_HX_REQUEST="true").content.decode(),
        "badge": client.get("/notifications/badge/").content.decode(),
        "api": [n["subject"] for n in listed["results"]],
        "api_unread": listed["unread_count"],
        "api_unread_only": [n["subject"] for n in api.get("/api/v1/notifications/?unread=1").json()["results"]],
    }


@pytest.fixture
def notified(member: User, private_community: Community, public_community: Community) -> User:
    _notify(member, SECRET, private_community)
    _notify(member, OPEN, public_community)
    _notify(member, PERSONAL, None)
    return member


def test_a_current_member_sees_a_private_communitys_notifications_everywhere(notified: User) -> None:
    seen = _everything_seen_by(notified)

    assert SECRET in seen["page"] and SECRET in seen["partial"]
    assert "Excerpt of" in seen["page"] or SECRET in seen["page"]
    assert SECRET in seen["api"] and SECRET in seen["api_unread_only"]
    assert seen["api_unread"] == 3
    assert ">3<" in seen["badge"].replace(" ", "")


def test_a_removed_member_no_longer_sees_them_nor_counts_them(
    notified: User, owner: User, private_community: Community
) -> None:
    _remove(private_community, owner, notified)

    seen = _everything_seen_by(notified)

    for place in ("page", "partial"):
        assert SECRET not in seen[place] and "K-17" not in seen[place], place
        assert OPEN in seen[place] and PERSONAL in seen[place], place
    assert seen["api"] == [PERSONAL, OPEN]
    assert SECRET not in seen["api_unread_only"]
    assert seen["api_unread"] == 2
    assert ">2<" in seen["badge"].replace(" ", "")
    assert "2 unread" in seen["page"]
    assert Notification.objects.filter(recipient=notified).count() == 3  # hidden, not deleted


def test_a_removed_member_cannot_open_one_and_marking_all_read_leaves_it_alone(
    notified: User, owner: User, private_community: Community
) -> None:
    secret = Notification.objects.get(recipient=notified, subject=SECRET)
    _remove(private_community, owner, notified)

    assert page_client(notified).get(f"/notifications/{secret.pk}/open/").status_code == 404
    marked = Api().as_user(notified).post("/api/v1/notifications/mark-read/", {"all": True}, format="json")
    assert marked.json() == {"marked": 2, "unread_count": 0}
    ids = Api().as_user(notified).post("/api/v1/notifications/mark-read/", {"ids": [secret.pk]}, format="json")
    assert ids.json()["marked"] == 0
    secret.refresh_from_db()
    assert secret.read_at is None


def test_a_member_who_left_no_longer_sees_them_and_sees_them_again_on_rejoining(
    notified: User, owner: User, private_community: Community
) -> None:
    communities.community_leave(community=private_community, user=notified)
    assert SECRET not in _everything_seen_by(notified)["api"]

    communities.member_invite(community=private_community, actor=owner, user=notified)
    communities.invitation_respond(community=private_community, user=notified, accept=True)

    assert SECRET in _everything_seen_by(notified)["api"]


def test_when_a_public_community_becomes_private_non_members_lose_its_notifications(
    owner: User, outsider: User, public_community: Community
) -> None:
    _notify(outsider, OPEN, public_community)  # a watcher of a public community who is not a member
    assert OPEN in _everything_seen_by(outsider)["api"]

    communities.community_update(community=public_community, actor=owner, visibility=Visibility.PRIVATE)

    seen = _everything_seen_by(outsider)
    assert seen["api"] == [] and seen["api_unread"] == 0 and OPEN not in seen["page"]


def test_a_public_communitys_notifications_stay_visible_to_a_member_who_left(
    notified: User, public_community: Community
) -> None:
    communities.community_leave(community=public_community, user=notified)

    seen = _everything_seen_by(notified)
    assert OPEN in seen["api"] and OPEN in seen["page"] and seen["api_unread"] == 3


def test_a_network_admin_who_is_no_member_keeps_them(owner: User, private_community: Community) -> None:
    admin = User.objects.create_superuser("admin", "admin@example.org", "pw-Secret-123")
    _notify(admin, SECRET, private_community)

    assert SECRET in _everything_seen_by(admin)["api"]


def test_emails_not_yet_sent_are_not_sent_once_membership_ends(
    notified: User, member: User, owner: User, private_community: Community, public_community: Community
) -> None:
    other = MembershipFactory.create(community=private_community).user
    services.notify(recipients=[other], kind=Kind.EVENT_NEW, subject=SECRET, url="/", community=private_community)
    mail.outbox.clear()
    _remove(private_community, owner, notified)

    emails.send_pending_immediate()

    sent = {(m.to[0], m.subject) for m in mail.outbox}
    assert not any(SECRET in subject for to, subject in sent if to == notified.email)
    assert any(OPEN in subject for to, subject in sent if to == notified.email)
    assert any(SECRET in subject for to, subject in sent if to == other.email)  # a current member still gets it


def test_a_digest_leaves_out_what_the_recipient_may_no_longer_read(
    member: User, owner: User, private_community: Community, public_community: Community
) -> None:
    EmailPreference.objects.update_or_create(user=member, defaults={"email_mode": EmailMode.DAILY})
    _notify(member, SECRET, private_community)
    _notify(member, OPEN, public_community)
    _remove(private_community, owner, member)
    mail.outbox.clear()

    emails.send_digests()

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert OPEN in body and SECRET not in body and "1 new notification" in body


def test_a_digest_with_nothing_left_to_read_is_not_sent(
    member: User, owner: User, private_community: Community
) -> None:
    EmailPreference.objects.update_or_create(user=member, defaults={"email_mode": EmailMode.DAILY})
    _notify(member, SECRET, private_community)
    _remove(private_community, owner, member)
    mail.outbox.clear()

    emails.send_digests()

    assert mail.outbox == []


def test_the_lists_cost_the_same_queries_with_hidden_notifications_among_them(
    member: User, owner: User, private_community: Community, public_community: Community
) -> None:
    client, api = page_client(member), Api().as_user(member)
    _notify(member, "open", public_community, 3)
    _notify(member, "secret", private_community, 2)
    _remove(private_community, owner, member)
    client.get("/notifications/")
    counts = []
    for extra in (0, 20):
        _notify(member, f"more open {extra}", public_community, extra)
        with CaptureQueriesContext(connection) as page:
            client.get("/notifications/")
        with CaptureQueriesContext(connection) as listed:
            api.get("/api/v1/notifications/")
        with CaptureQueriesContext(connection) as badge:
            client.get("/notifications/badge/")
        counts.append((len(page), len(listed), len(badge)))
    assert counts[0] == counts[1], counts


def test_a_claimed_digest_whose_items_became_unreadable_is_closed_not_retried(
    member: User, owner: User, private_community: Community
) -> None:
    import datetime as dt

    from django.utils import timezone

    from practica.notifications.models import DeliveryStatus, EmailDelivery

    EmailPreference.objects.update_or_create(user=member, defaults={"email_mode": EmailMode.DAILY})
    _notify(member, SECRET, private_community)
    now = timezone.now()
    emails._claim_batch([member.pk], now, "crashed-run")  # a run that claimed, then died before sending
    _remove(private_community, owner, member)
    mail.outbox.clear()

    emails.send_digests(now=now + dt.timedelta(hours=1))

    assert mail.outbox == []
    delivery = EmailDelivery.objects.get(recipient=member)
    assert delivery.status == DeliveryStatus.FAILED and delivery.error == emails.NOTHING_LEFT
