"""The network view's page ``/network/health/`` and its CSV exports, for each kind of viewer."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from practica.accounts.models import User
from practica.communities.models import Community
from practica.insights import network
from practica.insights.tests.network_world import DAYS, END, Net, build_net, more_communities
from practica.lib.testing.client import field_errors, page_client, page_html
from practica.lib.testing.queries import page_queries

pytestmark = pytest.mark.django_db

PAGE = "/network/health/"
CSV = "/network/health/communities.csv"
BROKERS = "/network/health/brokers.csv"
WINDOW = f"?days={DAYS}&end={END.isoformat()}"


@pytest.fixture
def net() -> Net:
    return build_net()


def _get(user: User | None, url: str) -> Any:
    return page_client(user).get(url)


def _rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_anonymous_visitor_is_sent_to_sign_in(net: Net) -> None:
    for url in (PAGE, CSV, BROKERS):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_the_view_does_not_exist_for_someone_who_sees_no_communitys_health(net: Net) -> None:
    for url in (PAGE, CSV, BROKERS):
        assert _get(net.people["out"], url).status_code == 404, url


def test_a_network_admin_sees_every_community_and_the_brokers(net: Net) -> None:
    response = _get(net.people["admin"], PAGE + "?days=30&end=" + END.isoformat())
    html = page_html(response)
    assert response.status_code == 200
    for name in ("Wells", "Pipes", "Vault", "Quiet"):
        assert f">{name}</a>" in html
    assert 'id="network-brokers-h"' in html and ">ben</a>" in html


def test_a_sponsor_sees_their_private_community_without_brokers(net: Net) -> None:
    html = page_html(_get(net.people["sam"], PAGE + WINDOW))
    assert ">Vault</a>" in html
    assert ">Wells</a>" not in html
    assert "network-brokers-h" not in html


def test_a_coordinator_sees_their_community_and_no_brokers(net: Net) -> None:
    html = page_html(_get(net.people["col"], PAGE + WINDOW))
    assert ">Pipes</a>" in html and ">Vault</a>" not in html
    assert "network-brokers-h" not in html
    assert _get(net.people["col"], BROKERS).status_code == 403


def test_a_plain_member_sees_the_public_community_but_not_the_private_one_they_are_in(net: Net) -> None:
    response = _get(net.people["mem"], PAGE + WINDOW)
    html = page_html(response)
    assert response.status_code == 200
    assert ">Wells</a>" in html
    assert "Vault" not in html  # not its name, not its numbers
    exported = _get(net.people["mem"], CSV + WINDOW)
    assert [row["slug"] for row in _rows(exported)] == ["wells"]
    assert "vault" not in exported.content.decode().lower()
    assert _get(net.people["mem"], BROKERS).status_code == 403


def test_fading_communities_are_highlighted_with_the_reason(net: Net) -> None:
    html = page_html(_get(net.people["admin"], PAGE + WINDOW))
    assert '<tr id="community-quiet" class="fading">' in html
    assert "Contributions down 100% (4 → 0)" in html
    assert '<tr id="community-wells">' in html


def test_every_column_sorts_both_ways(net: Net) -> None:
    admin = page_client(net.people["admin"])
    for key in network.SORT_KEYS:
        html = page_html(admin.get(PAGE + WINDOW + f"&sort={key}"))
        assert f'aria-sort="ascending"><a href="?days={DAYS}&amp;end={END.isoformat()}&amp;sort=-{key}"' in html, key
        assert admin.get(PAGE + WINDOW + f"&sort=-{key}").status_code == 200


def test_sorting_by_contributors_descending_puts_the_busiest_first(net: Net) -> None:
    exported = _get(net.people["admin"], CSV + WINDOW + "&sort=-contributors")
    assert [row["slug"] for row in _rows(exported)] == ["wells", "vault", "pipes", "quiet"]  # 8, 3, 2, 0
    html = page_html(_get(net.people["admin"], PAGE + WINDOW + "&sort=-contributors"))
    assert html.index('id="community-wells"') < html.index('id="community-quiet"')


@pytest.mark.parametrize(
    ("query", "field"),
    [("?sort=password", "sort"), ("?days=7", "days"), ("?days=abc", "days"), ("?end=yesterday", "end"),
     ("?end=1970-01-15", "end"), ("?end=9999-12-31", "end"), ("?end=2026-02-30", "end")],
)
def test_a_wrong_window_or_sort_shows_the_default_page_with_a_message_and_the_csv_a_400(
    net: Net, query: str, field: str
) -> None:
    response = _get(net.people["admin"], PAGE + query)
    assert response.status_code == 200
    assert field_errors(page_html(response), field)
    assert f"(UTC, {network.DEFAULT_DAYS} days)" in page_html(response)  # the default window
    refused = _get(net.people["admin"], CSV + query)
    assert refused.status_code == 400 and field in refused.content.decode()


def test_the_communities_csv_has_every_headline_number_and_its_previous_value(net: Net) -> None:
    response = _get(net.people["admin"], CSV + WINDOW)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    wells = next(row for row in _rows(response) if row["slug"] == "wells")
    assert (wells["contributors"], wells["contributors_previous"], wells["members"]) == ("8", "2", "8")
    assert wells["reply_coverage_7d"] == "0.4" and wells["fading"] == "no"
    assert wells["organisations"] == "Org A; Org B"
    quiet = next(row for row in _rows(response) if row["slug"] == "quiet")
    assert quiet["fading"] == "yes" and "Contributors down 100%" in quiet["fading_reasons"]


def test_the_brokers_csv_lists_who_bridges_which_communities(net: Net) -> None:
    rows = _rows(_get(net.people["admin"], BROKERS + WINDOW))
    assert [(r["username"], r["communities"], r["bridges"]) for r in rows] == [
        ("ben", "3", "pipes (3); wells (3); vault (1)")
    ]


def test_a_community_name_that_looks_like_a_formula_is_quoted_in_the_csv(net: Net) -> None:
    Community.objects.filter(pk=net.wells.pk).update(name="=HYPERLINK(\"http://x\")")
    wells = next(row for row in _rows(_get(net.people["admin"], CSV + WINDOW)) if row["slug"] == "wells")
    assert wells["name"] == "'=HYPERLINK(\"http://x\")"


@pytest.mark.parametrize("viewer", ["admin", "ben"])
def test_the_page_costs_the_same_queries_for_2_and_12more_communities(net: Net, viewer: str) -> None:
    client = page_client(net.people[viewer])
    more_communities(net, 0, 2)
    small_response, small = page_queries(client, PAGE + WINDOW)
    more_communities(net, 2, 12)
    large_response, large = page_queries(client, PAGE + WINDOW)
    assert len(small) == len(large), "\n".join(large)
    assert page_html(large_response).count('<tr id="community-') == (16 if viewer == "admin" else 14)
    assert small_response.status_code == 200


def test_the_home_page_links_to_the_view_for_those_who_see_some_health(net: Net) -> None:
    for name, shown in (("mem", True), ("sam", True), ("admin", True), ("out", False)):
        html = page_html(_get(net.people[name], "/"))
        assert ('href="/network/health/"' in html) is shown, name


def test_a_new_window_can_end_today(net: Net) -> None:
    today = datetime.now(UTC).date()
    assert _get(net.people["admin"], PAGE + f"?days=365&end={today.isoformat()}").status_code == 200
    tomorrow = today + timedelta(days=1)
    assert _get(net.people["admin"], CSV + f"?end={tomorrow.isoformat()}").status_code == 400
