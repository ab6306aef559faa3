"""``GET /api/v1/communities/{slug}/health/history/?metric=NAME``: a metric's daily series, JSON or CSV, for whoever
sees the community's health; 404 for everyone else."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from practica.accounts.models import User
from practica.communities.models import Community, Role
from practica.insights.history import metric_history
from practica.insights.metrics import METRICS
from practica.insights.models import HealthSnapshot
from practica.insights.services import utc_today
from practica.lib.testing.client import Api
from practica.lib.testing.content import person
from practica.lib.testing.factories import UserFactory
from practica.lib.testing.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db

LAST = date(2026, 3, 31)


def url(community: Community, **query: str) -> str:
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/api/v1/communities/{community.slug}/health/history/" + (f"?{params}" if params else "")


def snapshots(community: Community, days: int, last: date = LAST) -> None:
    """``days`` snapshots ending with ``last``: ``dau`` is the day of the month, ``dau_mau`` undefined on Sundays."""
    HealthSnapshot.objects.bulk_create([
        HealthSnapshot(
            community=community, day=day,
            values={**dict.fromkeys(METRICS, 0), "dau": day.day, "dau_mau": None if day.weekday() == 6 else 0.5},
        )
        for day in (last - timedelta(days=offset) for offset in range(days))
    ])


def test_a_coordinator_reads_a_metrics_daily_values(api: Api, owner: User, community: Community) -> None:
    snapshots(community, 5)
    response = api.as_user(owner).get(url(community, metric="dau", start="2026-03-28", end="2026-03-30"))
    assert response.status_code == 200
    assert_matches_schema(response)
    assert response.json() == {
        "metric": "dau", "label": "Daily active people", "unit": "people", "window_days": 30,
        "start": "2026-03-28", "end": "2026-03-30",
        "points": [{"day": "2026-03-28", "value": 28.0}, {"day": "2026-03-29", "value": 29.0},
                   {"day": "2026-03-30", "value": 30.0}],
    }


def test_without_dates_the_whole_history_up_to_today_is_read(api: Api, owner: User, community: Community) -> None:
    snapshots(community, 3)
    body = api.as_user(owner).get(url(community, metric="dau_mau")).json()
    assert body["start"] == "2026-03-29" and body["end"] == utc_today().isoformat()
    assert [point["value"] for point in body["points"]] == [None, 0.5, 0.5]  # 29 March 2026 is a Sunday


def test_a_member_of_a_public_community_sees_the_history(api: Api, member: User, community: Community) -> None:
    snapshots(community, 2)
    response = api.as_user(member).get(url(community, metric="dau"))
    assert response.status_code == 200
    assert len(response.json()["points"]) == 2


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_whoever_is_not_a_member_gets_404_on_a_public_community(
    who: str, api: Api, outsider: User, community: Community
) -> None:
    snapshots(community, 2)
    api.as_user(outsider if who == "outsider" else None)
    assert api.get(url(community, metric="dau")).status_code == 404
    assert api.get(url(community, metric="dau", format="csv")).status_code == 404


def test_in_a_private_community_a_sponsor_sees_and_a_member_without_a_role_gets_404(
    api: Api, owner: User, member: User, outsider: User, private_community: Community
) -> None:
    snapshots(private_community, 2)
    sponsor = person("sponsor", private_community, Role.SPONSOR)
    core = person("core", private_community, Role.CORE)
    admin = UserFactory.create(username="admin", is_superuser=True)
    for allowed in (owner, sponsor, core, admin):
        assert api.as_user(allowed).get(url(private_community, metric="dau")).status_code == 200, allowed
    for refused in (member, outsider):
        assert api.as_user(refused).get(url(private_community, metric="dau")).status_code == 404, refused
        assert api.get(url(private_community, metric="dau", format="csv")).status_code == 404, refused
    # The same answer as for a community that does not exist.
    missing = api.as_user(member).get("/api/v1/communities/nowhere/health/history/?metric=dau")
    refused_body = api.as_user(member).get(url(private_community, metric="dau")).json()
    assert missing.status_code == 404 and missing.json() == refused_body


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({}, "metric", "required"),
        ({"metric": "happiness"}, "metric", "not a valid choice"),
        ({"metric": "dau", "start": "last week"}, "start", "Date has wrong format"),
        ({"metric": "dau", "end": "2026-02-30"}, "end", "Date has wrong format"),
        ({"metric": "dau", "start": "2026-03-02", "end": "2026-03-01"}, "start", "comes after the end"),
    ],
)
def test_bad_input_is_a_400_with_a_message(
    query: dict[str, str], field: str, message: str, api: Api, owner: User, community: Community
) -> None:
    response = api.as_user(owner).get(url(community, **query))
    assert response.status_code == 400
    assert message in response.json()[field][0]


def test_the_csv_has_a_row_per_day_with_the_same_values(api: Api, owner: User, community: Community) -> None:
    snapshots(community, 3)
    response = api.as_user(owner).get(url(community, metric="dau_mau", format="csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="public-wells-dau_mau-history.csv"' in response["Content-Disposition"]
    assert response.content.decode() == "day,dau_mau\n2026-03-29,\n2026-03-30,0.5\n2026-03-31,0.5\n"


def test_a_bad_csv_request_is_a_400_with_a_message(api: Api, owner: User, community: Community) -> None:
    response = api.as_user(owner).get(url(community, metric="happiness", format="csv"))
    assert response.status_code == 400
    assert response.content.decode().startswith("field,message\nmetric,")


@pytest.mark.parametrize("days", [5, 50])
def test_the_history_costs_the_same_queries_for_5_and_50_days(
    days: int, api: Api, owner: User, community: Community, django_assert_num_queries: Any
) -> None:
    snapshots(community, days)
    api.as_user(owner)
    api.get(url(community, metric="dau"))  # a first read of the day also records the reader's activity
    # The community, the caller's membership, the snapshots' values of the metric.
    with django_assert_num_queries(3):
        response = api.get(url(community, metric="dau"))
    assert len(response.json()["points"]) == days


def test_the_series_reads_one_value_per_day_between_two_days(community: Community) -> None:
    snapshots(community, 10)
    points = metric_history(community=community, metric="dau", start=date(2026, 3, 25), end=date(2026, 3, 27))
    assert [(point.day.day, point.value) for point in points] == [(25, 25), (26, 26), (27, 27)]
    with pytest.raises(ValueError, match="No metric named"):
        metric_history(community=community, metric="happiness")
