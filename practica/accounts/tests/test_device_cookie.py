"""Known-device cookies set before the cookie moved to ``practica/lib/signing.py`` keep their browser known."""

from __future__ import annotations

import pytest
from django.core import signing as django_signing
from django.test import Client

from practica.accounts import lockout
from practica.accounts.models import User
from practica.lib.testing.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

OLD_SALT = "practica.accounts.known-device"


@pytest.fixture
def alice(db: None) -> User:
    return UserFactory.create(username="alice", email="alice@example.org")


def _sign_in(client: Client, password: str) -> int:
    return client.post("/accounts/login/", {"login": "alice", "password": password}).status_code


def _make_the_account_wait() -> None:
    attacker = Client()
    for _ in range(6):
        _sign_in(attacker, "wrong-password")


def test_a_device_cookie_made_the_old_way_still_signs_in_while_the_account_waits(alice: User) -> None:
    _make_the_account_wait()
    owners_browser = Client()
    owners_browser.cookies[lockout.DEVICE_COOKIE] = django_signing.dumps({"u": alice.pk, "d": "abc"}, salt=OLD_SALT)

    assert _sign_in(owners_browser, PASSWORD) == 302


def test_a_device_cookie_made_now_carries_the_person_under_the_same_salt(alice: User) -> None:
    browser = Client()
    assert _sign_in(browser, PASSWORD) == 302

    data = django_signing.loads(browser.cookies[lockout.DEVICE_COOKIE].value, salt=OLD_SALT)

    assert data["u"] == alice.pk and isinstance(data["d"], str)


def test_a_cookie_signed_for_another_purpose_is_no_known_device(alice: User) -> None:
    _make_the_account_wait()
    browser = Client()
    browser.cookies[lockout.DEVICE_COOKIE] = django_signing.dumps({"u": alice.pk, "d": "abc"}, salt="practica.other")

    assert _sign_in(browser, PASSWORD) == 429
