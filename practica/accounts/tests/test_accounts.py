"""Accounts: case-insensitive uniqueness in the database, and token authentication for the API."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

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
