"""Signing up or resetting a password never tells whether an address is registered: the same answer either way,
and the owner of a registered address gets an email saying someone tried to sign up with it ([P12] finding 12)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from practica.accounts.models import User
from practica.lib.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-enough-passphrase-42"


def _signup(email: str, username: str) -> dict[str, str]:
    return {"email": email, "username": username, "password1": PASSWORD, "password2": PASSWORD,
            "display_name": "Someone", "organization": "", "discipline": ""}


def _answer(client: Client, url: str, data: dict[str, str], typed: str) -> tuple[int, str, str]:
    """Status, where it sends the browser, and the page it lands on, with the typed address blanked out."""
    response = client.post(url, data)
    landed = client.get(response["Location"]) if response.status_code == 302 else response
    text = landed.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r'"X-CSRFToken": "[^"]+"', "", text)
    text = re.sub(re.escape(typed), "ADDRESS", text, flags=re.IGNORECASE)
    return response.status_code, response.get("Location", ""), text


@pytest.fixture
def registered(db: None) -> User:
    return UserFactory.create(username="nina", email="Nina@Example.org")


@pytest.mark.parametrize("typed", ["nina@example.org", "NINA@EXAMPLE.ORG", "Nina@Example.org"])
def test_signing_up_with_a_registered_address_answers_as_for_a_new_one(registered: User, typed: str) -> None:
    new = _answer(Client(), "/accounts/signup/", _signup("fresh@example.org", "fresh"), "fresh@example.org")
    taken = _answer(Client(), "/accounts/signup/", _signup(typed, "nina2"), typed)

    assert taken == new
    assert new[0] == 302
    assert "already" not in taken[2].lower()


@pytest.mark.parametrize("typed", ["nina@example.org", "NINA@Example.ORG"])
def test_the_owner_of_a_registered_address_is_told_someone_tried_and_no_account_is_made(
    registered: User, typed: str
) -> None:
    mail.outbox.clear()
    before = User.objects.count()

    response = Client().post("/accounts/signup/", _signup(typed, "nina2"))

    assert response.status_code == 302
    assert User.objects.count() == before
    assert not User.objects.filter(username="nina2").exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to[0].lower() == "nina@example.org"
    assert "already" in f"{mail.outbox[0].subject} {mail.outbox[0].body}".lower()


def test_a_new_address_gets_its_account_and_a_confirmation_link_that_signs_in(db: None) -> None:
    client = Client()
    mail.outbox.clear()

    response = client.post("/accounts/signup/", _signup("fresh@example.org", "fresh"))

    assert response.status_code == 302
    assert User.objects.filter(username="fresh", email="fresh@example.org").exists()
    assert "_auth_user_id" not in client.session  # not before the address is confirmed
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["fresh@example.org"]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[0].body)
    assert link is not None
    confirm = client.post(link.group(1))
    assert confirm.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="fresh").pk)


def test_a_sign_up_that_loses_a_race_for_the_address_answers_the_same_and_makes_nothing(
    registered: User, monkeypatch: Any
) -> None:
    from practica.accounts import account_forms

    # Another request registered the address between the check and the insert: the database refuses it.
    checks: list[str] = []
    registered_really = account_forms.address_registered

    def first_check_misses(email: str) -> bool:
        checks.append(email)
        return False if checks.count(email) == 1 else registered_really(email)

    monkeypatch.setattr(account_forms, "address_registered", first_check_misses)
    new = _answer(Client(), "/accounts/signup/", _signup("fresh@example.org", "fresh"), "fresh@example.org")
    mail.outbox.clear()
    before = User.objects.count()

    raced = _answer(Client(), "/accounts/signup/", _signup("nina@example.org", "nina2"), "nina@example.org")

    assert raced == new
    assert User.objects.count() == before
    assert [m.to[0].lower() for m in mail.outbox] == ["nina@example.org"]


@pytest.mark.parametrize("typed", ["nina@example.org", "NINA@Example.ORG"])
def test_password_reset_answers_the_same_for_a_registered_and_an_unknown_address(
    registered: User, typed: str
) -> None:
    unknown = _answer(Client(), "/accounts/password/reset/", {"email": "nobody@example.org"}, "nobody@example.org")
    mail.outbox.clear()
    known = _answer(Client(), "/accounts/password/reset/", {"email": typed}, typed)

    assert known == unknown
    assert known[0] == 302
    for phrase in ("no account", "not assigned", "not registered", "does not exist"):
        assert phrase not in known[2].lower()
    assert any("/accounts/password/reset/key/" in m.body for m in mail.outbox if m.to[0].lower() == "nina@example.org")
