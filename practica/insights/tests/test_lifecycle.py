"""The lifecycle stage suggestion (rules in practica/insights/lifecycle.py) on hand-built health figures, its
panel, and the coordinator's confirmation or override in the pages and the API, from every side."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community, CommunityChange, Stage
from practica.communities.permissions import Access
from practica.discussions.models import Post, Thread
from practica.insights.lifecycle import lifecycle_panel, stage_summary, suggest_stage
from practica.insights.metrics import Health, Metric, Number, window_ending
from practica.lib.testing.client import Api, page_client, page_html
from practica.lib.testing.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db

END = date(2027, 1, 1)


def health(contributors: tuple[Number, Number] = (12, 12), members: int = 30, coverage: Number = 0.8,
           new: Number = 2, **more: tuple[Number, Number]) -> Health:
    window = window_ending(END, 90)
    metrics = {
        "contributors": Metric(*contributors),
        "participation_active": Metric(members, members),
        "reply_coverage_7d": Metric(coverage, coverage),
        "new_contributors": Metric(new, new),
        **{name: Metric(*values) for name, values in more.items()},
    }
    return Health(window=window, previous_window=window.previous(), metrics=metrics, levels={}, movement={})


def aged(community: Community, days: int) -> Community:
    community.created_at = datetime(2027, 1, 1, tzinfo=UTC) - timedelta(days=days)
    return community


def test_a_handful_of_people_is_a_potential_community(community: Community) -> None:
    result = suggest_stage(community=aged(community, 400), health=health(members=4))

    assert result.stage == Stage.POTENTIAL
    assert result.reasons[0] == (
        "4 members and 12 contributors in the last 90 days (a core group needs at least 5 members and 3 "
        "contributors)."
    )


def test_one_member_is_one_member(community: Community) -> None:
    result = suggest_stage(community=aged(community, 1), health=health(contributors=(1, 0), members=1))

    assert result.reasons[0].startswith("1 member and 1 contributor in the last 90 days")


def test_a_young_community_with_a_core_group_is_coalescing(community: Community) -> None:
    result = suggest_stage(community=aged(community, 100), health=health())

    assert result.stage == Stage.COALESCING
    assert result.reasons[0] == "It is 100 days old (younger than 180 days)."


def test_an_older_community_with_few_contributors_is_coalescing(community: Community) -> None:
    result = suggest_stage(community=aged(community, 400), health=health(contributors=(6, 6)))

    assert result.stage == Stage.COALESCING
    assert result.reasons[0] == "6 contributors in the last 90 days (fewer than 10)."


def test_a_grown_community_short_of_stewardship_is_maturing_and_says_what_is_missing(community: Community) -> None:
    result = suggest_stage(community=aged(community, 400), health=health(coverage=0.6))

    assert result.stage == Stage.MATURING
    assert result.reasons[:3] == [
        "12 contributors in the last 90 days (10 or more).",
        "It is 400 days old (180 days or more).",
        "Not yet stewardship: younger than 730 days; reply coverage 0.6 is under 0.75.",
    ]


def test_an_established_responsive_renewing_community_is_in_stewardship(community: Community) -> None:
    result = suggest_stage(community=aged(community, 800), health=health(contributors=(12, 14)))

    assert result.stage == Stage.STEWARDSHIP  # 12 >= 0.75 x 14 = 10.5
    assert "Reply coverage 0.8 (0.75 or more), 2 new contributors, and its contributors held (14 before)." in result.reasons


def test_stewardship_needs_published_knowledge_where_it_is_measured(community: Community) -> None:
    result = suggest_stage(community=aged(community, 800), health=health(knowledge_published=(0, 3)))

    assert result.stage == Stage.MATURING
    assert result.reasons[2] == "Not yet stewardship: no knowledge published in the window."


def test_an_established_community_whose_contributors_halved_is_transforming(community: Community) -> None:
    result = suggest_stage(community=aged(community, 400), health=health(contributors=(5, 10)))

    assert result.stage == Stage.TRANSFORMATION
    assert result.reasons[0] == "Contributors fell from 10 to 5 between the last two 90-day windows (half or fewer)."


def test_the_history_says_whether_the_stage_followed_the_suggestion() -> None:
    assert stage_summary(old="coalescing", new="maturing", suggested="maturing") == (
        "Stage: coalescing → maturing (suggested by the health metrics)"
    )
    assert stage_summary(old="coalescing", new="potential", suggested="maturing") == (
        "Stage: coalescing → potential (set by a coordinator; the health metrics suggested maturing)"
    )


@pytest.mark.parametrize(("who", "form"), [("owner", True), ("member", False)])
def test_the_panel_shows_the_suggestion_and_the_form_only_to_coordinators(
    who: str, form: bool, request: pytest.FixtureRequest, community: Community
) -> None:
    panel = lifecycle_panel(community=aged(community, 100), health=health(), access=Access(community, request.getfixturevalue(who)))

    html = render_to_string("insights/_lifecycle.html", {"lifecycle": panel})

    assert "Stage now: <strong>Potential</strong>. The health metrics suggest: <strong>Coalescing</strong>." in html
    assert "It is 100 days old (younger than 180 days)." in html
    assert ('name="stage"' in html) is form


# --- Confirming or overriding: the page ------------------------------------------------------------------------


def _stage_url(community: Community) -> str:
    return f"/communities/{community.slug}/health/stage/"


def test_a_coordinator_sets_the_stage_and_the_history_says_it_was_suggested(owner: User, community: Community) -> None:
    # A new community with one member and no contribution: the metrics suggest "potential"; it is "potential".
    community.stage = Stage.COALESCING
    community.save()

    response = page_client(owner).post(_stage_url(community), {"stage": "potential"})

    assert response.status_code == 302
    community.refresh_from_db()
    assert community.stage == Stage.POTENTIAL
    change = CommunityChange.objects.get(community=community, summary__startswith="Stage:")
    assert change.summary == "Stage: coalescing → potential (suggested by the health metrics)"
    assert change.changes == {"stage": ["coalescing", "potential"]}


def test_a_coordinator_overrides_the_suggestion(owner: User, community: Community) -> None:
    page_client(owner).post(_stage_url(community), {"stage": "maturing"})

    change = CommunityChange.objects.get(community=community, summary__startswith="Stage:")
    assert change.summary == "Stage: potential → maturing (set by a coordinator; the health metrics suggested potential)"


def test_a_bad_stage_is_refused_with_a_message_and_changes_nothing(owner: User, community: Community) -> None:
    response = page_client(owner).post(_stage_url(community), {"stage": "dormant"})

    assert response.status_code == 400
    assert "Select a valid choice" in page_html(response)
    community.refresh_from_db()
    assert community.stage == Stage.POTENTIAL
    assert not CommunityChange.objects.filter(community=community, summary__startswith="Stage:").exists()


@pytest.mark.parametrize(
    ("who", "place", "status"),
    [("member", "public_community", 403), ("outsider", "public_community", 403),
     ("member", "private_community", 403), ("outsider", "private_community", 404)],
)
def test_only_coordinators_set_the_stage(who: str, place: str, status: int, request: pytest.FixtureRequest) -> None:
    community: Community = request.getfixturevalue(place)

    response = page_client(request.getfixturevalue(who)).post(_stage_url(community), {"stage": "maturing"})

    assert response.status_code == status
    community.refresh_from_db()
    assert community.stage == Stage.POTENTIAL


def test_the_anonymous_visitor_is_sent_to_sign_in(client: object, community: Community) -> None:
    response = page_client(None).post(_stage_url(community), {"stage": "maturing"})

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _threads(community: Community, author: User, count: int) -> None:
    now = timezone.now()
    for n in range(count):
        thread = Thread.objects.create(community=community, author=author, title=f"T{n}", created_at=now,
                                       last_activity_at=now)
        Post.objects.create(thread=thread, author=author, is_opening=True, body_source="x", body_html="x",
                            created_at=now)


def test_setting_the_stage_costs_the_same_queries_for_5_and_50_threads(owner: User, community: Community) -> None:
    counts = []
    for threads, stage in ((5, "maturing"), (45, "coalescing")):
        _threads(community, owner, threads)
        with CaptureQueriesContext(connection) as queries:
            assert page_client(owner).post(_stage_url(community), {"stage": stage}).status_code == 302
        counts.append(len(queries))

    assert counts[0] == counts[1]


# --- Confirming or overriding: the API -------------------------------------------------------------------------


def test_a_coordinator_sets_the_stage_through_the_api(api: Api, owner: User, community: Community) -> None:
    response = api.as_user(owner).post(_api(community), {"stage": "maturing"}, format="json")

    assert response.status_code == 200, response.content
    assert_matches_schema(response)
    body = response.json()
    assert (body["stage"], body["suggested"]) == ("maturing", "potential")
    assert body["reasons"][0].startswith("2 members and 0 contributors in the last 90 days")
    assert CommunityChange.objects.filter(
        community=community, summary="Stage: potential → maturing (set by a coordinator; the health metrics suggested potential)"
    ).exists()


def _api(community: Community) -> str:
    return f"/api/v1/communities/{community.slug}/health/stage/"


def test_the_api_refuses_a_bad_stage_with_a_400(api: Api, owner: User, community: Community) -> None:
    response = api.as_user(owner).post(_api(community), {"stage": "dormant"}, format="json")

    assert response.status_code == 400
    assert "stage" in response.json()
    community.refresh_from_db()
    assert community.stage == Stage.POTENTIAL


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("outsider", 404)])
def test_only_coordinators_set_the_stage_of_a_private_community_through_the_api(
    who: str, status: int, request: pytest.FixtureRequest, api: Api, private_community: Community
) -> None:
    response = api.as_user(request.getfixturevalue(who)).post(_api(private_community), {"stage": "maturing"}, format="json")

    assert response.status_code == status
    private_community.refresh_from_db()
    assert private_community.stage == Stage.POTENTIAL
