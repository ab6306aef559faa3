"""Accounts: case-insensitive uniqueness in the database, and token authentication for the API."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from practica.accounts.models import User
from practica.lib.testing.client import Api
from practica.lib.testing.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_usernames_are_unique_whatever_the_case() -> None:
    User.objects.create_user(username="alice", email="alice@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="Alice", email="other@example.org")

    assert User.objects.filter(username__iexact="alice").count() == 1


def test_emails_are_unique_whatever_the_case() -> None:
    User.objects.create_user(username="bob", email="bob@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="robert", email="Bob@Example.ORG")

    assert User.objects.filter(email__iexact="bob@example.org").count() == 1


def test_many_people_may_have_no_email() -> None:
    User.objects.create_user(username="imported-1", email="")
    User.objects.create_user(username="imported-2", email="")

    assert User.objects.filter(email="").count() == 2


def test_token_from_username_and_password_authenticates_api_calls(api: Api, owner: User) -> None:
    response = api.post("/api/v1/auth/token/", {"username": "owner", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/")
    created = api.post(
        "/api/v1/communities/", {"name": "Wells", "slug": "wells", "domain": "Wells."}, format="json"
    )

    assert me.status_code == 200 and me.json()["username"] == "owner"
    assert created.status_code == 201 and created.json()["my_role"] == "coordinator"


def test_wrong_password_gets_no_token(api: Api, owner: User) -> None:
    response = api.post("/api/v1/auth/token/", {"username": "owner", "password": "wrong"}, format="json")

    assert response.status_code == 400
    assert "token" not in response.json()


def test_a_bogus_token_is_401(api: Api) -> None:
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert api.get("/api/v1/me/").status_code == 401


def test_creating_a_community_without_credentials_is_401(api: Api) -> None:
    response = api.post("/api/v1/communities/", {"name": "Wells", "slug": "wells", "domain": "Wells."}, format="json")

    assert response.status_code == 401
    assert response.has_header("WWW-Authenticate")


def test_a_person_is_created_with_a_usable_password() -> None:
    user = UserFactory()

    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("typed", ["Alice.Smith", "alice.smith", "ALICE.SMITH"])
def test_people_sign_in_with_their_username_in_any_letter_case(client: Client, typed: str) -> None:
    """Usernames made by an administrator or an import keep their capitals; signing in must not depend on them."""
    alice = User.objects.create_user(username="Alice.Smith", email="alice@example.org", password=PASSWORD)

    response = client.post("/accounts/login/", {"login": typed, "password": PASSWORD})

    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_a_wrong_password_signs_nobody_in_whatever_the_case(client: Client) -> None:
    User.objects.create_user(username="Alice.Smith", email="alice@example.org", password=PASSWORD)

    response = client.post("/accounts/login/", {"login": "alice.smith", "password": "not-the-password"})

    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "not correct" in response.content.decode()


def test_a_token_is_issued_for_a_username_in_any_letter_case(api: Api) -> None:
    User.objects.create_user(username="Alice.Smith", email="alice@example.org", password=PASSWORD)

    response = api.post("/api/v1/auth/token/", {"username": "alice.SMITH", "password": PASSWORD}, format="json")

    assert response.status_code == 200 and response.json()["token"]


def test_signing_up_keeps_the_username_as_typed_and_refuses_it_in_another_case(client: Client) -> None:
    fields = {"email": "mc@example.org", "username": "McKenzie", "password1": "a-long-Passphrase-42", "password2": "a-long-Passphrase-42"}

    signed_up = client.post("/accounts/signup/", fields)
    client.logout()
    again = client.post("/accounts/signup/", {**fields, "email": "other@example.org", "username": "mckenzie"})
    signed_in = client.post("/accounts/login/", {"login": "MCKENZIE", "password": "a-long-Passphrase-42"})

    assert signed_up.status_code == 302, signed_up.content.decode()[:3000]
    assert User.objects.get(email="mc@example.org").username == "McKenzie"
    assert again.status_code == 200 and "already" in again.content.decode().lower()
    assert User.objects.filter(username__iexact="mckenzie").count() == 1
    assert signed_in.status_code == 302
