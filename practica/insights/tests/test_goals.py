"""Goal progress on hand-computed fixtures: a health window of 90 days ending 1 January 2027 (the one before ends
3 October 2026), with the metric values chosen by hand and the arithmetic written beside each expectation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practica.communities.models import Community, Goal
from practica.insights.goals import GoalProgress, goals_progress
from practica.insights.metrics import Health, Metric, Number, window_ending
from practica.lib.testing.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db

END = date(2027, 1, 1)  # 90 days: 2026-10-04 .. 2027-01-01
MARCH = date(2027, 3, 1)  # 59 days after END (30 in January + 28 in February + 1)


def health(**values: tuple[Number, Number]) -> Health:
    window = window_ending(END, 90)
    return Health(
        window=window, previous_window=window.previous(),
        metrics={name: Metric(value=v, previous=p) for name, (v, p) in values.items()}, levels={}, movement={},
    )


@pytest.fixture
def community() -> Community:
    return CommunityFactory.create(creator=UserFactory.create(), slug="wells")


def progress(community: Community, metric: str, target: str | None, due: date | None,
             **values: tuple[Number, Number]) -> GoalProgress:
    Goal.objects.filter(charter__community=community).delete()
    Goal.objects.create(
        charter=community.charter, description="A goal", metric=metric,
        target_value=Decimal(target) if target is not None else None, due_date=due,
    )
    return goals_progress(community=community, health=health(**values))[0]


# Reply coverage ("up": the target is a floor): 0.42 now, 0.33 before -> trend 0.09 / 90 = 0.001 a day (0.007 a
# week, "0.01"); projected to 1 March: 0.42 + 0.001 x 59 = 0.479.
@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("0.45", "on_track"),  # 0.479 >= 0.45
        ("0.52", "at_risk"),  # misses by 0.041, less than 10% of 0.52 (0.052)
        ("0.60", "off_track"),  # misses by 0.121, more than 0.06
    ],
)
def test_a_rising_share_is_projected_to_the_due_date_against_its_floor(
    community: Community, target: str, status: str
) -> None:
    result = progress(community, "reply_coverage_7d", target, MARCH, reply_coverage_7d=(0.42, 0.33))

    assert result.status == status
    assert result.trend_per_day == pytest.approx(0.001)
    assert result.projected == pytest.approx(0.479)
    assert (result.value, result.previous, result.label) == (0.42, 0.33, "Reply coverage (7 days)")
    shown_target = target.rstrip("0")
    assert result.reason == (
        f"At 0.42, rising 0.01 a week, projected 0.48 by 1 March 2027 against a target of {shown_target}."
    )


# Median first response hours ("down": the target is a ceiling): 10 now, 16 before -> -6 / 90 a day (-0.47 a
# week); projected to 31 January (30 days): 10 - 2 = 8.
@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("8", "on_track"),  # 8 <= 8
        ("7.5", "at_risk"),  # over by 0.5, less than 0.75
        ("6", "off_track"),  # over by 2, more than 0.6
    ],
)
def test_a_falling_time_is_on_track_when_it_stays_under_its_ceiling(
    community: Community, target: str, status: str
) -> None:
    result = progress(community, "median_first_response_hours", target, date(2027, 1, 31),
                      median_first_response_hours=(10, 16))

    assert result.status == status
    assert result.projected == pytest.approx(8)
    assert result.reason == (
        f"At 10, falling 0.47 a week, projected 8 by 31 January 2027 against a target of {target} (at most)."
    )


# Top-10 share ("none": the target is a point): on track within 10% of 0.5 (0.05), at risk within 20%.
@pytest.mark.parametrize(("value", "status"), [(0.52, "on_track"), (0.58, "at_risk"), (0.70, "off_track")])
def test_a_metric_with_no_better_direction_aims_at_its_target(community: Community, value: float, status: str) -> None:
    result = progress(community, "top10_share", "0.5", MARCH, top10_share=(value, value))

    assert result.status == status
    assert result.reason.startswith(f"At {value:g}, steady, projected {value:g} by 1 March 2027")


def test_a_goal_past_its_due_date_is_met(community: Community) -> None:
    result = progress(community, "reply_coverage_7d", "0.40", date(2026, 12, 1), reply_coverage_7d=(0.42, 0.33))

    assert (result.status, result.outcome, result.projected) == ("on_track", "met", None)
    assert result.reason == "Due 1 December 2026 and met: at 0.42 against a target of 0.4."


def test_a_goal_past_its_due_date_is_missed_over_its_ceiling(community: Community) -> None:
    result = progress(community, "unanswered", "5", END, unanswered=(12, 20))

    assert (result.status, result.outcome) == ("off_track", "missed")
    assert result.reason == "Due 1 January 2027 and missed: at 12 against a target of 5 (at most)."


def test_a_metric_without_data_is_not_measured_with_the_reason(community: Community) -> None:
    result = progress(community, "newcomer_reply_coverage_7d", "0.8", MARCH, newcomer_reply_coverage_7d=(None, 0.5))

    assert (result.status, result.value, result.projected) == ("not_measured", None, None)
    assert result.reason == "Newcomers answered (7 days) has no value in this window yet (nothing to measure it on)."


def test_a_goal_without_a_metric_is_not_measured(community: Community) -> None:
    result = progress(community, "", "3", MARCH)

    assert (result.status, result.metric) == ("not_measured", None)
    assert result.reason == "This goal names no metric Practica measures."


def test_a_metric_the_health_does_not_compute_is_not_measured(community: Community) -> None:
    result = progress(community, "meetings_held", "2", MARCH, mau=(3, 3))

    assert (result.status, result.metric) == ("not_measured", None)


def test_a_goal_without_a_target_is_not_measured_but_shows_its_value(community: Community) -> None:
    result = progress(community, "mau", None, MARCH, mau=(40, 31))

    assert (result.status, result.value) == ("not_measured", 40)
    assert result.reason == "At 40, rising 0.7 a week; the goal has no target to measure it against."  # 9/90*7


def test_without_a_previous_window_the_value_is_its_own_projection(community: Community) -> None:
    result = progress(community, "mau", "40", MARCH, mau=(38, None))

    assert (result.status, result.trend_per_day, result.projected) == ("at_risk", None, 38)  # misses by 2 < 4
    assert result.reason == (
        "At 38, with no earlier window to show a trend, projected 38 by 1 March 2027 against a target of 40."
    )


def test_without_a_due_date_the_current_value_is_compared(community: Community) -> None:
    result = progress(community, "mau", "40", None, mau=(41, 30))

    assert (result.status, result.projected) == ("on_track", 41)
    assert result.reason == "At 41, rising 0.86 a week, with no due date against a target of 40."  # 11/90*7


@pytest.mark.parametrize("goals", [5, 30])
def test_the_progress_of_every_goal_costs_one_query_in_the_charters_order(community: Community, goals: int) -> None:
    for position in reversed(range(goals)):
        Goal.objects.create(charter=community.charter, description=f"Goal {position}", metric="mau",
                            target_value=Decimal(10), due_date=MARCH, position=position)

    with CaptureQueriesContext(connection) as queries:
        result = goals_progress(community=community, health=health(mau=(12, 6)))

    assert len(queries) == 1
    assert [p.description for p in result] == [f"Goal {n}" for n in range(goals)]
    assert {p.status for p in result} == {"on_track"}
