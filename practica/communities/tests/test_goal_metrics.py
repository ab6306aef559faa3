"""Charter goals bind to a metric of the insights catalogue (a choice, not free text): the service, the charter
page, the API and the data migration that bound the free-text goals written before."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from practica.accounts.models import User
from practica.communities import goal_metrics, services
from practica.communities.models import Charter, Community, CommunityChange, Goal
from practica.insights.catalogue import CATALOGUE
from practica.lib.testing.client import Api, page_client, page_html
from practica.lib.testing.factories import CommunityFactory
from practica.lib.testing.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db

migration = importlib.import_module("practica.communities.migrations.0002_goal_metrics_from_catalogue")


def _charter_data(metric: str, **overrides: str) -> dict[str, str]:
    data = {
        "purpose": "Safer wells.",
        "goals-TOTAL_FORMS": "1",
        "goals-INITIAL_FORMS": "0",
        "goals-0-description": "Answer every question",
        "goals-0-metric": metric,
        "goals-0-target_value": "0.8",
        "goals-0-due_date": "2030-06-30",
    }
    data.update(overrides)
    return data


def test_the_registry_offers_every_catalogue_metric_with_its_label() -> None:
    assert goal_metrics.choices() == [(name, info.label) for name, info in CATALOGUE.items()]
    assert goal_metrics.label("reply_coverage_7d") == "Reply coverage (7 days)"
    assert goal_metrics.label("answered_share") is None


def test_the_service_refuses_a_metric_the_catalogue_does_not_have(owner: User, community: Community) -> None:
    with pytest.raises(ValidationError) as exc:
        services.charter_update(
            community=community, actor=owner,
            goals=[services.GoalData(description="Grow", metric="answered_share", target_value=Decimal(1))],
        )

    assert "“answered_share” is not a metric Practica measures" in exc.value.message_dict["goals"][0]
    assert not Goal.objects.filter(charter__community=community).exists()


def test_the_service_keeps_a_catalogue_metric(owner: User, community: Community) -> None:
    services.charter_update(
        community=community, actor=owner,
        goals=[services.GoalData(description="Grow", metric=" mau ", target_value=Decimal(40))],
    )

    assert Goal.objects.get(charter__community=community).metric == "mau"


def test_the_charter_page_offers_the_metrics_as_a_select_with_their_labels(
    owner: User, community: Community
) -> None:
    html = page_html(page_client(owner).get(f"/communities/{community.slug}/charter/"))

    assert '<select name="goals-0-metric"' in html
    assert '<option value="reply_coverage_7d">Reply coverage (7 days)</option>' in html
    assert '<option value="" selected>Not measured</option>' in html


def test_the_charter_page_saves_a_goal_bound_to_a_metric(owner: User, community: Community) -> None:
    response = page_client(owner).post(f"/communities/{community.slug}/charter/", _charter_data("reply_coverage_7d"))

    assert response.status_code == 302
    goal = Goal.objects.get(charter__community=community)
    assert (goal.metric, goal.target_value, goal.due_date) == ("reply_coverage_7d", Decimal("0.8"), dt.date(2030, 6, 30))


def test_the_charter_page_refuses_an_unknown_metric_with_a_message_and_writes_nothing(
    owner: User, community: Community
) -> None:
    response = page_client(owner).post(f"/communities/{community.slug}/charter/", _charter_data("answered_share"))

    assert response.status_code == 400
    assert "Select a valid choice" in page_html(response)
    assert not Goal.objects.filter(charter__community=community).exists()
    assert Charter.objects.get(community=community).purpose == ""


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("outsider", 404)])
def test_only_coordinators_edit_the_goals_of_a_private_community(
    who: str, status: int, request: pytest.FixtureRequest, private_community: Community
) -> None:
    user = request.getfixturevalue(who)

    response = page_client(user).post(f"/communities/{private_community.slug}/charter/", _charter_data("mau"))

    assert response.status_code == status
    assert not Goal.objects.filter(charter__community=private_community).exists()


def test_the_community_page_shows_the_metric_label_and_not_measured(owner: User, community: Community) -> None:
    services.charter_update(
        community=community, actor=owner,
        goals=[
            services.GoalData(description="Answer everyone", metric="reply_coverage_7d", target_value=Decimal("0.9")),
            services.GoalData(description="Be kind"),
        ],
    )

    html = page_html(page_client(owner).get(f"/communities/{community.slug}/"))

    assert "Measure: Reply coverage (7 days) · target 0.9" in html
    assert "Not measured" in html


def test_the_api_refuses_an_unknown_metric_with_a_400_and_a_message(api: Api, owner: User, community: Community) -> None:
    payload = {"charter": {"goals": [{"description": "Grow", "metric": "answered_share", "target_value": "1"}]}}

    response = api.as_user(owner).patch(f"/api/v1/communities/{community.slug}/", payload, format="json")

    assert response.status_code == 400
    assert "“answered_share” is not a metric Practica measures" in str(response.json())
    assert not Goal.objects.filter(charter__community=community).exists()
    assert not CommunityChange.objects.filter(community=community, summary__startswith="Changed the charter").exists()


def test_the_api_binds_a_goal_to_a_catalogue_metric(api: Api, owner: User, community: Community) -> None:
    payload = {"charter": {"goals": [{"description": "Grow", "metric": "mau", "target_value": "40"},
                                     {"description": "Be kind", "metric": ""}]}}

    response = api.as_user(owner).patch(f"/api/v1/communities/{community.slug}/", payload, format="json")

    assert response.status_code == 200, response.content
    assert_matches_schema(response)
    assert [g["metric"] for g in response.json()["charter"]["goals"]] == ["mau", ""]


# --- The data migration ---------------------------------------------------------------------------------------


def test_every_metric_the_migration_maps_to_is_in_the_catalogue() -> None:
    assert {name for name, _ in migration.CATALOGUE} <= set(CATALOGUE)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("reply_coverage_7d", "reply_coverage_7d"),
        ("Reply Coverage 7D", "reply_coverage_7d"),
        ("reply coverage (7 days)", "reply_coverage_7d"),
        ("  Monthly active people ", "mau"),
        ("new-threads", "new_threads"),
        ("answered_questions_share", None),
        ("", None),
    ],
)
def test_a_metric_text_maps_to_the_catalogue_name_it_names(text: str, name: str | None) -> None:
    assert migration.metric_for(text) == name


def test_the_data_migration_binds_matching_goals_and_keeps_the_others_text_in_the_description(owner: User) -> None:
    community = CommunityFactory.create(creator=owner, slug="legacy")
    charter = community.charter
    rows: list[dict[str, Any]] = [
        {"description": "Answer people", "metric": "Reply coverage (7 days)", "target_value": Decimal("0.8")},
        {"description": "Grow", "metric": "monthly_active_people", "target_value": Decimal(40)},
        {"description": "Fewer errors", "metric": "medication_errors_per_month", "target_value": Decimal("12.5"),
         "due_date": dt.date(2030, 6, 30)},
        {"description": "x" * 500, "metric": "reviews"},
        {"description": "Be kind", "metric": ""},
        {"description": "Already bound", "metric": "mau"},
    ]
    goals = [Goal.objects.create(charter=charter, position=i, **row) for i, row in enumerate(rows)]

    migration.bind_goals_to_catalogue(apps, None)

    after = {g.pk: g for g in Goal.objects.filter(charter=charter)}
    answer, grow, errors, long, kind, bound = (after[g.pk] for g in goals)
    assert (answer.metric, answer.description, answer.target_value) == ("reply_coverage_7d", "Answer people", Decimal("0.8"))
    assert grow.metric == "mau"
    assert errors.metric == ""
    assert errors.description == "Fewer errors (measured as: medication_errors_per_month)"
    assert (errors.target_value, errors.due_date) == (Decimal("12.5"), dt.date(2030, 6, 30))
    assert long.metric == "" and len(long.description) == 500
    assert long.description.endswith("… (measured as: reviews)")
    assert (kind.metric, kind.description) == ("", "Be kind")
    assert (bound.metric, bound.description) == ("mau", "Already bound")
    assert errors.metric_label == "Not measured" and answer.metric_label == "Reply coverage (7 days)"
