"""The shared counters behind every rate limit, in both stores: the database (no Redis) and a real redis-server."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from practica.accounts import ratelimit
from practica.accounts.models import RateCounter
from practica.lib.rates import Rate, parse_rates

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["database", "redis"])
def store(request: pytest.FixtureRequest, settings: Any) -> str:
    if request.param == "redis":
        settings.REDIS_URL = request.getfixturevalue("redis_url")
    else:
        settings.REDIS_URL = ""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "post": Rate(3, 60)}
    return str(request.param)


def test_hits_are_allowed_up_to_the_limit_then_refused_with_the_time_left(store: str) -> None:
    verdicts = [ratelimit.hit("post", "user:1") for _ in range(5)]

    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert [v.hits for v in verdicts] == [1, 2, 3, 4, 5]
    assert all(55 <= v.retry_after <= 61 for v in verdicts[3:])
    assert ratelimit.hit("post", "user:2").allowed  # another person's counter


def test_look_counts_nothing(store: str) -> None:
    for _ in range(3):
        assert ratelimit.look("post", "user:1").allowed
    ratelimit.hit("post", "user:1")
    assert ratelimit.look("post", "user:1").hits == 1


def test_a_block_lasts_at_least_what_was_asked_and_reset_ends_it(store: str) -> None:
    ratelimit.block("login-account", "user:1", 90)
    ratelimit.block("login-account", "user:1", 30)  # a shorter block does not shorten it

    assert 85 <= ratelimit.blocked_for("login-account", "user:1") <= 91
    ratelimit.reset("login-account", "user:1")
    assert ratelimit.blocked_for("login-account", "user:1") == 0


def test_concurrent_hits_are_all_counted(store: str, settings: Any) -> None:
    if store == "database":
        pytest.skip("The test transaction keeps other connections out; the gunicorn suites count across processes.")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "post": Rate(1000, 60)}

    def hammer() -> None:
        for _ in range(25):
            ratelimit.hit("post", "user:7")

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert ratelimit.look("post", "user:7").hits == 200


def test_the_database_keeps_a_hash_not_who_was_counted(settings: Any) -> None:
    settings.REDIS_URL = ""
    ratelimit.hit("search-anonymous", "address:203.0.113.5")

    row = RateCounter.objects.get()
    assert "203.0.113.5" not in row.key and row.key.startswith("search-anonymous:") and row.hits == 1


def test_rates_parse_and_a_wrong_one_stops_start_up() -> None:
    assert Rate.parse("30/15m") == Rate(30, 900) and Rate.parse("10/h") == Rate(10, 3600)
    assert parse_rates("post=60/10m,search=off")["post"] == Rate(60, 600)
    assert parse_rates("search=off")["search"] is None
    for wrong in ("post=lots", "nonsense=1/m", "post=0/m", "post=5/10y"):
        with pytest.raises(ImproperlyConfigured):
            parse_rates(wrong)


def test_a_scope_that_does_not_exist_is_an_error_not_a_switched_off_limit() -> None:
    with pytest.raises(KeyError):
        ratelimit.hit("posts", "user:1")


@pytest.mark.parametrize(
    ("remote", "forwarded", "behind_proxy", "expected"),
    [
        ("192.0.2.1", "", False, "192.0.2.1"),
        ("192.0.2.1", "203.0.113.9", False, "192.0.2.1"),  # the header is ignored without a proxy
        ("10.0.0.2", "203.0.113.9", True, "203.0.113.9"),
        ("10.0.0.2", "6.6.6.6, 203.0.113.9", True, "203.0.113.9"),  # what the client sent itself comes first
        ("2001:db8::1", "", False, "2001:db8::/64"),
        ("::ffff:192.0.2.7", "", False, "192.0.2.7"),
    ],
)
def test_the_client_address(rf: Any, settings: Any, remote: str, forwarded: str, behind_proxy: bool, expected: str) -> None:
    settings.BEHIND_PROXY = behind_proxy
    settings.PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert ratelimit.client_address(request) == expected


def test_ended_windows_are_swept_from_the_database_now_and_then(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.REDIS_URL = ""
    ratelimit.hit("post", "user:1")
    RateCounter.objects.update(resets_at=0)  # an ended window
    monkeypatch.setattr(ratelimit, "CLEANUP_ONE_IN", 1)  # this hit is the one in a thousand

    ratelimit.hit("post", "user:2")

    assert list(RateCounter.objects.values_list("hits", flat=True)) == [1]
    assert ratelimit.look("post", "user:1").hits == 0
