"""The demo charters' goals bind to metrics of the insights catalogue (or to none), as real goals must."""

from __future__ import annotations

from practica.demo.network import COMMUNITIES
from practica.insights.catalogue import CATALOGUE


def test_every_demo_goal_names_a_catalogue_metric_or_none() -> None:
    metrics = [goal.metric for spec in COMMUNITIES for goal in spec.goals]

    assert set(metrics) - {""} <= set(CATALOGUE)
    assert "reply_coverage_7d" in metrics


def test_a_demo_goal_without_a_metric_has_no_target() -> None:
    assert all(goal.target_value is None for spec in COMMUNITIES for goal in spec.goals if not goal.metric)
