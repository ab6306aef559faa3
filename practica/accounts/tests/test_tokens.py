"""Personal API tokens ([P12] finding 6): named, scoped, expiring, revocable from the page and the API, stored
hashed, and revoked by a password change or a deactivation."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from practica.accounts import services
from practica.accounts.models import ApiToken, User
from practica.lib.testing.client import Api
from practica.lib.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _token(api: Api, username: str = "owner", **options: object) -> dict[str, object]:
    response = api.post("/api/v1/auth/token/", {"username": username, "password": PASSWORD, **options}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _with(key: object) -> Api:
    client = Api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_is_stored_only_as_a_hash_and_shown_once(api: Api, owner: User) -> None:
    data = _token(api, name="report script")
    key = str(data["token"])

    row = ApiToken.objects.get(user=owner)
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {row.name, row.prefix, row.key_hash} and row.prefix == key[:8]
    listed = _with(key).get("/api/v1/me/tokens/").json()
    assert [t["name"] for t in listed] == ["report script"] and "token" not in listed[0]
    assert key not in str(listed)


def test_the_token_answer_says_name_scope_and_expiry(api: Api, owner: User) -> None:
    data = _token(api, name="dashboard", scope="read", expires_in_days=7)

    assert data["name"] == "dashboard" and data["scope"] == "read" and data["state"] == "active"
    expires = dt.datetime.fromisoformat(str(data["expires_at"]))
    assert dt.timedelta(days=6, hours=23) < expires - timezone.now() <= dt.timedelta(days=7)


def test_a_read_only_token_reads_but_cannot_write(api: Api, owner: User, community: object) -> None:
    key = _token(api, scope="read")["token"]
    client = _with(key)

    assert client.get("/api/v1/me/").status_code == 200
    refused = client.post("/api/v1/communities/", {"name": "Wells", "slug": "wells", "domain": "Wells."}, format="json")

    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    assert not ApiToken.objects.filter(name="Wells").exists()


def test_delete_on_the_token_endpoint_revokes_the_token_used(api: Api, owner: User) -> None:
    key = _token(api)["token"]
    client = _with(key)

    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
    assert ApiToken.objects.get(user=owner).revoked_reason == ApiToken.Revoked.OWNER


def test_a_read_only_token_may_revoke_itself(api: Api, owner: User) -> None:
    client = _with(_token(api, scope="read")["token"])

    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_delete_without_a_token_says_so(api: Api, owner: User) -> None:
    assert api.delete("/api/v1/auth/token/").status_code == 401
    signed_in = api.as_user(owner).delete("/api/v1/auth/token/")
    assert signed_in.status_code == 400 and "not made with a token" in signed_in.json()["detail"]


def test_an_expired_token_no_longer_works(api: Api, owner: User) -> None:
    key = _token(api)["token"]
    ApiToken.objects.filter(user=owner).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = _with(key).get("/api/v1/me/")

    assert response.status_code == 401 and response.json()["detail"] == "Invalid token."


def test_a_password_change_revokes_every_token(api: Api, owner: User) -> None:
    first, second = _token(api)["token"], _token(api)["token"]

    owner.set_password("a-brand-new-Passphrase-7")
    owner.save()

    assert _with(first).get("/api/v1/me/").status_code == 401
    assert _with(second).get("/api/v1/me/").status_code == 401
    assert set(ApiToken.objects.filter(user=owner).values_list("revoked_reason", flat=True)) == {"password"}


def test_a_password_change_on_the_account_page_revokes_the_tokens(api: Api, owner: User) -> None:
    key = _token(api)["token"]
    client = Client()
    client.force_login(owner)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "a-brand-new-Passphrase-7", "password2": "a-brand-new-Passphrase-7"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert _with(key).get("/api/v1/me/").status_code == 401


def test_a_password_changed_without_signals_still_stops_the_token(api: Api, owner: User) -> None:
    """``update()`` skips the signals; the token checks the password it was made under all the same."""
    key = _token(api)["token"]
    User.objects.filter(pk=owner.pk).update(password="pbkdf2_sha256$1$x$y")

    assert _with(key).get("/api/v1/me/").status_code == 401


def test_deactivating_the_account_revokes_its_tokens(api: Api, owner: User) -> None:
    key = _token(api)["token"]

    owner.is_active = False
    owner.save()

    assert _with(key).get("/api/v1/me/").status_code == 401
    assert ApiToken.objects.get(user=owner).revoked_reason == "deactivated"


def test_tokens_are_listed_and_revoked_by_their_owner_only(api: Api, owner: User, member: User) -> None:
    key = _token(api, name="mine")["token"]
    token_id = ApiToken.objects.get(user=owner).pk

    assert api.as_user(member).delete(f"/api/v1/me/tokens/{token_id}/").status_code == 404
    assert api.as_user(member).get(f"/api/v1/me/tokens/{token_id}/").status_code == 404
    assert api.as_user(None).get("/api/v1/me/tokens/").status_code == 401
    assert _with(key).get("/api/v1/me/").status_code == 200

    assert api.as_user(owner).delete(f"/api/v1/me/tokens/{token_id}/").status_code == 204
    assert _with(key).get("/api/v1/me/").status_code == 401


def test_a_token_made_through_the_api_works_and_has_the_options_asked_for(owner: User) -> None:
    client = Api().as_user(owner)

    response = client.post("/api/v1/me/tokens/", {"name": "ci", "scope": "read", "expires_in_days": 30}, format="json")

    assert response.status_code == 201
    data = response.json()
    assert data["scope"] == "read" and data["token"].startswith("prt_")
    assert _with(data["token"]).get("/api/v1/me/").json()["username"] == "owner"


@pytest.mark.parametrize(
    ("options", "field"),
    [({"name": ""}, "name"), ({"name": "x", "expires_in_days": 0}, "expires_in_days"),
     ({"name": "x", "expires_in_days": 4000}, "expires_in_days"), ({"name": "x", "scope": "admin"}, "scope")],
)
def test_bad_token_options_are_field_errors_and_make_nothing(owner: User, options: dict[str, object], field: str) -> None:
    response = Api().as_user(owner).post("/api/v1/me/tokens/", options, format="json")

    assert response.status_code == 400 and field in response.json()
    assert not ApiToken.objects.exists()


def test_the_tokens_page_makes_a_token_shows_it_once_and_revokes_it(owner: User) -> None:
    client = Client()
    client.force_login(owner)

    made = client.post("/accounts/tokens/", {"name": "weekly report", "scope": "read", "expires_in_days": "30"})
    token = ApiToken.objects.get(user=owner)
    page = made.content.decode()
    key = page.split('id="new-token" type="text" readonly value="', 1)[1].split('"', 1)[0]

    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    assert key.startswith("prt_") and token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    again = client.get("/accounts/tokens/").content.decode()
    assert key not in again and "weekly report" in again and token.prefix in again

    revoked = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert revoked.status_code == 302
    assert _with(key).get("/api/v1/me/").status_code == 401
    assert "Revoked by its owner" in client.get("/accounts/tokens/").content.decode()


def test_the_tokens_page_is_for_signed_in_people_and_revokes_only_their_own(owner: User, member: User) -> None:
    token = services.token_create(user=owner, name="owner's").token
    anonymous = Client().get("/accounts/tokens/")
    client = Client()
    client.force_login(member)

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert "owner's" not in client.get("/accounts/tokens/").content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_tokens_page_shows_form_errors_without_making_a_token(owner: User) -> None:
    client = Client()
    client.force_login(owner)

    response = client.post("/accounts/tokens/", {"name": "", "scope": "read", "expires_in_days": "30"})

    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_tokens_page_lists_tokens_in_a_constant_number_of_queries(owner: User) -> None:
    client = Client()
    client.force_login(owner)
    for n in range(5):
        services.token_create(user=owner, name=f"t{n}")
    client.get("/accounts/tokens/")  # the session's time zone is remembered on the first page

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get("/accounts/tokens/").status_code == 200
        return len(queries)

    few = count()
    for n in range(20):
        services.token_create(user=owner, name=f"u{n}")
    # session, user, the profile (the header's name), tokens
    assert count() == few == 4


def test_an_old_plain_text_token_is_migrated_to_a_hash_and_keeps_working(owner: User) -> None:
    """The migration's own code, run on a plain-text row as DRF's authtoken app stored it."""
    import importlib

    from django.apps import apps
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS authtoken_token (key varchar(40) primary key, user_id bigint, created timestamp)")
        cursor.execute("INSERT INTO authtoken_token (key, user_id, created) VALUES (%s, %s, %s)", ["a" * 40, owner.pk, timezone.now()])
    migration = importlib.import_module("practica.accounts.migrations.0003_authtoken_tokens_become_personal_tokens")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.forwards(apps, editor)

    assert _with("a" * 40).get("/api/v1/me/").json()["username"] == "owner"
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
