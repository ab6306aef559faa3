"""Immediate emails, digests (idempotent under repeats, overlaps and crashes), unsubscribe links, and one
message through a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import email
import socket
from collections.abc import Callable, Iterator
from email.message import Message
from io import StringIO
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community
from practica.lib.testing.factories import MembershipFactory, UserFactory
from practica.notifications import emails, services
from practica.notifications.models import DeliveryStatus, EmailDelivery, EmailMode, EmailPreference, Kind

pytestmark = pytest.mark.django_db

Commit = Callable[..., Any]


def _notify(user: User, community: Community, subject: str) -> None:
    services.notify(
        recipients=[user], kind=Kind.EVENT_NEW, subject=subject, url="/communities/x/", community=community
    )


def _unsubscribe_path(message: Any) -> str:
    header = (
        message.extra_headers["List-Unsubscribe"]
        if hasattr(message, "extra_headers")
        else message["List-Unsubscribe"]
    )
    return urlsplit(header.strip("<>")).path


def test_an_immediate_notification_is_emailed_with_text_html_and_one_click_unsubscribe(
    community: Community, member: User, django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[member],
            kind=Kind.MENTION,
            subject="owner mentioned you",
            url="/t/1/",
            community=community,
            text="Have a look at the logs",
        )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert message.subject == "[Public Wells] owner mentioned you"
    assert "Have a look at the logs" in message.body and "http://127.0.0.1:8000/t/1/" in message.body
    html, mimetype = message.alternatives[0]  # type: ignore[attr-defined]
    assert mimetype == "text/html" and 'href="http://127.0.0.1:8000/t/1/"' in str(html)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert EmailDelivery.objects.get().status == DeliveryStatus.SENT

    response = Client().post(
        _unsubscribe_path(message)
    )  # a mail client's one-click POST: no session, no CSRF

    assert response.status_code == 200
    assert EmailPreference.objects.get(user=member).email_mode == EmailMode.OFF


def test_immediate_emails_go_once_and_cost_the_same_queries_for_2_or_20(
    community: Community, django_assert_max_num_queries: Any
) -> None:
    people = UserFactory.create_batch(20)
    services.notify(recipients=people[:2], kind=Kind.EVENT_NEW, subject="Few", url="/", community=community)
    with django_assert_max_num_queries(12) as few:
        assert emails.send_pending_immediate() == 2
    services.notify(recipients=people, kind=Kind.EVENT_NEW, subject="Many", url="/", community=community)
    with django_assert_max_num_queries(12) as many:
        assert emails.send_pending_immediate() == 20

    assert emails.send_pending_immediate() == 0
    assert len(mail.outbox) == 22
    assert len(few.captured_queries) == len(many.captured_queries)


def test_a_mail_server_that_is_down_does_not_break_replying_and_the_email_is_sent_later(
    client: Client,
    community: Community,
    owner: User,
    member: User,
    settings: Any,
    django_capture_on_commit_callbacks: Commit,
) -> None:
    from practica.lib.testing.content import answer, ask

    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(community, member)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2

    with django_capture_on_commit_callbacks(execute=True):
        answer(thread, owner)

    delivery = EmailDelivery.objects.get(recipient=member)
    assert delivery.status == DeliveryStatus.SENDING and mail.outbox == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = emails.send_digests(now=timezone.now() + emails.STALE_AFTER + dt.timedelta(minutes=1))
    assert later.resent_stale == 1 and [m.to for m in mail.outbox] == [[member.email]]


def test_people_without_email_or_with_email_off_get_no_email(
    community: Community, member: User, django_capture_on_commit_callbacks: Commit
) -> None:
    services.email_mode_set(user=member, mode=EmailMode.OFF)
    silent = UserFactory.create(username="noemail", email="")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[member, silent], kind=Kind.EVENT_NEW, subject="x", url="/", community=community
        )
    assert mail.outbox == []


def test_a_daily_digest_sends_each_item_once_even_when_run_again(
    community: Community, member: User, owner: User
) -> None:
    services.email_mode_set(user=member, mode=EmailMode.DAILY)
    services.email_mode_set(user=owner, mode=EmailMode.DAILY)
    _notify(member, community, "First")
    _notify(member, community, "Second")
    _notify(owner, community, "For the owner")

    out = StringIO()
    call_command("send_digests", stdout=out)
    call_command("send_digests", stdout=StringIO())

    assert "Sent 2 digests to 2 recipients" in out.getvalue()
    assert sorted(m.to[0] for m in mail.outbox) == [member.email, owner.email]
    digest = next(m for m in mail.outbox if m.to == [member.email])
    assert digest.subject == "Your daily Practica digest: 2 new notifications"
    assert "First" in digest.body and "Second" in digest.body
    assert "First" in str(digest.alternatives[0][0])  # type: ignore[attr-defined]


def test_items_arriving_after_todays_digest_wait_for_tomorrows(community: Community, member: User) -> None:
    services.email_mode_set(user=member, mode=EmailMode.DAILY)
    _notify(member, community, "Morning")
    emails.send_digests()
    _notify(member, community, "Evening")

    assert emails.send_digests().sent == 0
    assert emails.send_digests(now=timezone.now() + dt.timedelta(days=1)).sent == 1

    assert len(mail.outbox) == 2
    assert "Evening" in mail.outbox[1].body and "Morning" not in mail.outbox[1].body


def test_a_weekly_digest_is_separate_from_the_daily_one(
    community: Community, private_community: Community, member: User
) -> None:
    services.email_mode_set(user=member, mode=EmailMode.DAILY)
    services.email_mode_set(user=member, mode=EmailMode.WEEKLY, community=private_community)
    _notify(member, community, "Daily news")
    _notify(member, private_community, "Weekly news")

    emails.send_digests()

    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [
        "Your daily Practica digest: 1 new notification",
        "Your weekly Practica digest: 1 new notification",
    ]


def test_two_overlapping_runs_never_send_the_same_item_twice(community: Community, member: User) -> None:
    services.email_mode_set(user=member, mode=EmailMode.DAILY)
    for i in range(3):
        _notify(member, community, f"Item {i}")
    now = timezone.now()

    # Run A claims the member's digest and has not sent it yet when run B starts.
    claimed = emails._claim_batch([member.pk], now, "run-a")
    run_b = emails.send_digests(now=now)
    sent_by_a = emails._send(emails._digest_pairs(claimed))

    assert run_b.sent == 0 and sent_by_a == 1
    assert len(mail.outbox) == 1
    assert all(f"Item {i}" in mail.outbox[0].body for i in range(3))


def test_a_run_that_crashed_after_claiming_is_finished_once_by_a_later_run(
    community: Community, member: User
) -> None:
    services.email_mode_set(user=member, mode=EmailMode.DAILY)
    _notify(member, community, "Survives the crash")
    now = timezone.now()
    emails._claim_batch([member.pk], now, "crashed")  # the process died here

    assert emails.send_digests(now=now).sent == 0, "a fresh claim may still be in progress"
    later = emails.send_digests(now=now + emails.STALE_AFTER + dt.timedelta(minutes=1))
    again = emails.send_digests(now=now + emails.STALE_AFTER + dt.timedelta(minutes=2))

    assert later.resent_stale == 1 and again.resent_stale == 0 and again.sent == 0
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert "Survives the crash" in mail.outbox[0].body


def _digest_readers(community: Community, how_many: int) -> None:
    people = UserFactory.create_batch(how_many)
    EmailPreference.objects.bulk_create([EmailPreference(user=p, email_mode=EmailMode.DAILY) for p in people])
    for p in people:
        MembershipFactory.create(community=community, user=p)
    services.notify(recipients=people, kind=Kind.EVENT_NEW, subject="Call", url="/", community=community)
    services.notify(recipients=people, kind=Kind.EVENT_NEW, subject="Workshop", url="/", community=community)


def test_digest_queries_do_not_grow_with_recipients(
    community: Community, django_assert_max_num_queries: Any
) -> None:
    _digest_readers(community, 5)
    with django_assert_max_num_queries(14) as few:
        assert emails.send_digests(batch_size=100).sent == 5
    _digest_readers(community, 40)
    with django_assert_max_num_queries(14) as many:
        run = emails.send_digests(batch_size=100, now=timezone.now() + dt.timedelta(days=1))

    assert run.sent == 40 and run.batches == 1
    assert len(few.captured_queries) == len(many.captured_queries)


def test_unsubscribing_stops_pending_digests_and_community_overrides_too(
    client: Client, community: Community, member: User
) -> None:
    services.email_mode_set(user=member, mode=EmailMode.DAILY)
    services.email_mode_set(user=member, mode=EmailMode.IMMEDIATE, community=community)
    services.email_mode_set(user=member, mode=EmailMode.WEEKLY)
    _notify(member, community, "Pending")

    client.post(f"/notifications/unsubscribe/{emails.unsubscribe_token(member)}/")
    _notify(member, community, "After")

    assert emails.send_pending_immediate() == 0 and emails.send_digests().sent == 0
    assert mail.outbox == []


def test_a_tampered_unsubscribe_link_changes_nothing(client: Client, member: User) -> None:
    token = emails.unsubscribe_token(member)
    response = client.post(f"/notifications/unsubscribe/{token[:-2]}xx/")

    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert not EmailPreference.objects.filter(user=member, email_mode=EmailMode.OFF).exists()


def test_an_unsubscribe_link_for_someone_else_only_changes_that_person(
    client: Client, member: User, owner: User
) -> None:
    client.force_login(owner)
    path = f"/notifications/unsubscribe/{emails.unsubscribe_token(member)}/"

    page = client.get(path)
    response = client.post(path)

    assert "made for another account" in page.content.decode()
    assert response.status_code == 200
    assert EmailPreference.objects.get(user=member).email_mode == EmailMode.OFF
    assert not EmailPreference.objects.filter(user=owner, email_mode=EmailMode.OFF).exists()


def test_the_unsubscribe_page_asks_before_acting_on_get(client: Client, member: User) -> None:
    response = client.get(f"/notifications/unsubscribe/{emails.unsubscribe_token(member)}/")
    assert response.status_code == 200 and "Stop all notification emails" in response.content.decode()
    assert not EmailPreference.objects.filter(user=member, email_mode=EmailMode.OFF).exists()


# --- A real SMTP server ---------------------------------------------------------------------------


class _Collector:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[_Collector]:
    collector = _Collector()
    port = _free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield collector
    finally:
        controller.stop()


def test_a_digest_arrives_through_a_real_smtp_server_with_both_parts_and_a_working_unsubscribe_link(
    smtp_server: _Collector, community: Community, member: User
) -> None:
    services.email_mode_set(user=member, mode=EmailMode.DAILY)
    _notify(member, community, "Cementing workshop")

    assert emails.send_digests().sent == 1

    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == member.email
    assert message.get_content_type() == "multipart/alternative"
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()  # type: ignore[union-attr]
        if not part.is_multipart()
    }
    assert set(parts) == {"text/plain", "text/html"}
    assert "Cementing workshop" in parts["text/plain"] and "Cementing workshop" in parts["text/html"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = "".join(str(message["List-Unsubscribe"]).split()).strip("<>")  # headers may be folded
    assert link in parts["text/plain"]

    response = Client().post(urlsplit(link).path)

    assert response.status_code == 200
    assert EmailPreference.objects.get(user=member).email_mode == EmailMode.OFF
