"""Failed sign-ins ([P12] findings 2, 3 and 8): one policy for the sign-in page, the token endpoint and the admin,
counted per client address and per account in a store every process shares, with backoff instead of a lockout
of the owner, whose known device still gets in; ``X-Forwarded-For`` is trusted only behind a proxy."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from practica.accounts import lockout, ratelimit
from practica.accounts.models import RateCounter, User
from practica.lib.testing.client import Api
from practica.lib.testing.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db: None) -> User:
    return UserFactory.create(username="alice", email="alice@example.org")


def _page_login(client: Client, login: str, password: str, **extra: Any) -> Any:
    return client.post("/accounts/login/", {"login": login, "password": password}, **extra)


def _token(api: Api, username: str, password: str, **extra: Any) -> Any:
    return api.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json", **extra)


def _fail(times: int, login: str = "alice", **extra: Any) -> list[int]:
    client = Client()
    return [_page_login(client, login, "wrong-password", **extra).status_code for _ in range(times)]


def test_five_wrong_passwords_are_free_and_the_sixth_makes_the_account_wait(alice: User) -> None:
    statuses = _fail(6)
    seventh = _page_login(Client(), "alice", "wrong-password")

    assert statuses == [200] * 6  # wrong password: the form again
    assert seventh.status_code == 429
    assert 1 <= int(seventh["Retry-After"]) <= lockout.BACKOFF_FIRST
    assert "Too many failed sign-ins for this account" in seventh.content.decode()


def test_the_wait_doubles_with_each_further_failure_up_to_a_cap(alice: User, monkeypatch: pytest.MonkeyPatch) -> None:
    waits = []
    for _ in range(12):
        lockout.failed(Client().get("/").wsgi_request, "alice")
        waits.append(ratelimit.blocked_for("login-account", f"user:{alice.pk}"))

    assert waits[:5] == [0] * 5
    assert waits[5] == 30 and waits[6] == 60 and waits[7] == 120
    assert max(waits) == lockout.BACKOFF_MAX


def test_the_right_password_is_refused_too_while_the_account_waits(alice: User) -> None:
    _fail(6)
    client = Client()

    response = _page_login(client, "alice", PASSWORD)

    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_the_owners_known_device_still_signs_in_while_an_attacker_makes_the_account_wait(alice: User) -> None:
    owners_browser = Client()
    assert _page_login(owners_browser, "alice", PASSWORD).status_code == 302
    assert lockout.DEVICE_COOKIE in owners_browser.cookies
    owners_browser.post("/accounts/logout/")

    _fail(10)  # the attacker, elsewhere
    assert _page_login(Client(), "alice", PASSWORD).status_code == 429

    response = _page_login(owners_browser, "alice", PASSWORD)
    assert response.status_code == 302 and owners_browser.session["_auth_user_id"] == str(alice.pk)


def test_a_known_device_of_another_account_does_not_help(alice: User) -> None:
    UserFactory.create(username="bob")
    bobs_browser = Client()
    assert _page_login(bobs_browser, "bob", PASSWORD).status_code == 302
    bobs_browser.post("/accounts/logout/")
    _fail(6)

    assert _page_login(bobs_browser, "alice", PASSWORD).status_code == 429


def test_a_forged_device_cookie_does_not_help(alice: User) -> None:
    _fail(6)
    client = Client()
    client.cookies[lockout.DEVICE_COOKIE] = f'{{"u": {alice.pk}, "d": "x"}}'

    assert _page_login(client, "alice", PASSWORD).status_code == 429


def test_a_known_device_that_keeps_failing_loses_its_pass(alice: User) -> None:
    browser = Client()
    _page_login(browser, "alice", PASSWORD)
    browser.post("/accounts/logout/")
    statuses = [_page_login(browser, "alice", "wrong").status_code for _ in range(10 + 6)]

    assert statuses[:16] == [200] * 16
    assert _page_login(browser, "alice", PASSWORD).status_code == 429


def test_a_name_that_is_no_account_is_answered_exactly_like_a_real_one(alice: User) -> None:
    real, unknown = _fail(7, "alice"), _fail(7, "nobody-here")

    assert real == unknown == [200] * 6 + [429]


def test_the_email_address_and_the_username_share_the_accounts_counter(alice: User) -> None:
    _fail(3, "alice")
    _fail(3, "ALICE@example.org")

    assert _page_login(Client(), "alice", PASSWORD).status_code == 429


def test_a_successful_sign_in_forgives_the_accounts_failures(alice: User) -> None:
    _fail(5)
    client = Client()
    assert _page_login(client, "alice", PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    assert _fail(5) == [200] * 5


def test_one_address_trying_many_accounts_is_stopped_after_thirty_failures(db: None) -> None:
    for n in range(30):
        UserFactory.create(username=f"user{n}")
    client = Client()
    statuses = [_page_login(client, f"user{n}", "wrong").status_code for n in range(30)]
    UserFactory.create(username="fresh")

    blocked = _page_login(client, "fresh", "wrong")

    assert statuses == [200] * 30
    assert blocked.status_code == 429 and "from your network" in blocked.content.decode()
    assert 800 < int(blocked["Retry-After"]) <= 900


def test_the_token_endpoint_shares_the_accounts_counter_with_the_sign_in_page(api: Api, alice: User) -> None:
    _fail(3)
    statuses = [_token(api, "alice", "wrong").status_code for _ in range(3)]

    refused = _token(api, "alice", PASSWORD)

    assert statuses == [400, 400, 400]
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "token" not in refused.json() and "Too many failed sign-ins" in refused.json()["detail"]
    assert _page_login(Client(), "alice", PASSWORD).status_code == 429


def test_the_token_endpoint_ignores_x_forwarded_for_unless_behind_a_proxy(api: Api, alice: User) -> None:
    statuses = [
        _token(api, f"nobody{n}", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(31)
    ]

    assert statuses[:30] == [400] * 30 and statuses[30] == 429


def test_behind_a_proxy_the_address_the_proxy_saw_counts(api: Api, alice: User, settings: Any) -> None:
    settings.BEHIND_PROXY = True
    settings.PROXY_COUNT = 1
    for n in range(30):
        _token(api, f"nobody{n}", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.2")

    # A client prepending its own address changes nothing: the proxy appends the real one last.
    same = _token(api, "nobody-x", "wrong", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    other = _token(api, "nobody-y", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.10", REMOTE_ADDR="10.0.0.2")

    assert same.status_code == 429 and other.status_code == 400


def test_the_admin_sign_in_goes_through_the_sign_in_page(db: None) -> None:
    response = Client().get("/admin/login/?next=/admin/discussions/")
    posted = Client().post("/admin/login/", {"username": "x", "password": "y"})
    offsite = Client().get("/admin/login/?next=https://evil.example/")

    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=%2Fadmin%2Fdiscussions%2F"
    assert posted.status_code == 405
    assert offsite["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_forty_wrong_admin_passwords_then_the_right_one_is_refused(db: None) -> None:
    admin = User.objects.create_superuser(username="root", email="root@example.org", password=PASSWORD)
    client = Client()
    for _ in range(40):
        _page_login(client, "root", "wrong")

    response = client.post("/accounts/login/?next=/admin/", {"login": "root", "password": PASSWORD})

    assert response.status_code == 429
    assert Client().get("/admin/").status_code == 302
    assert admin.pk  # the account itself is untouched


def test_counters_are_rows_in_the_database_without_redis(alice: User, settings: Any) -> None:
    settings.REDIS_URL = ""
    _fail(2)

    assert RateCounter.objects.filter(hits=2).count() >= 1
    row = RateCounter.objects.filter(hits=2).first()
    assert row is not None and "alice" not in row.key  # keys are hashes


def test_an_expired_window_starts_counting_again(alice: User) -> None:
    key = ratelimit._key("login-account", f"user:{alice.pk}")
    _fail(5)
    RateCounter.objects.filter(key=key).update(resets_at=int(time.time()) - 1)

    assert ratelimit.hit("login-account", f"user:{alice.pk}").hits == 1
    assert ratelimit.clear_expired() == 0  # the window was just restarted


def test_rates_come_from_the_settings_and_can_be_switched_off(alice: User, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login-account": None}

    assert _fail(12) == [200] * 12
