"""The communities REST API (../shared/API.md), from the three sides: coordinator, member, outsider."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.urls import resolve
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practica.accounts.models import User
from practica.communities import services
from practica.communities.models import (
    Community,
    CommunityChange,
    Invitation,
    Membership,
    MembershipState,
    Role,
    Visibility,
)
from practica.lib.testing.client import Api
from practica.lib.testing.factories import (
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)
from practica.lib.testing.queries import api_queries

pytestmark = pytest.mark.django_db

COMMUNITIES = "/api/v1/communities/"


def _url(community: Community | str, suffix: str = "") -> str:
    slug = community if isinstance(community, str) else community.slug
    return f"{COMMUNITIES}{slug}/{suffix}"


def _payload(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Well integrity",
        "slug": "wells",
        "domain": "Keeping wells safe over their whole life.",
        "topics": ["Well integrity", "Cementing"],
        "visibility": "members-only",
        "stage": "coalescing",
        "charter": {
            "purpose": "Fewer well failures.",
            "goals": [
                {"description": "Answer 80% of questions", "metric": "reply_coverage_7d", "target_value": "80",
                 "due_date": "2027-06-30"},
                {"description": "Meet every month"},
            ],
        },
    }
    data.update(overrides)
    return data


def _slugs(response: Any) -> set[str]:
    return {row["slug"] for row in response.json()["results"]}


def _member_id(community: Community, user: User) -> int:
    return Membership.objects.get(community=community, user=user).id


# --- Creation -------------------------------------------------------------------------------------


def test_creating_a_community_makes_the_creator_coordinator_and_stores_the_charter(api: Api, owner: User) -> None:
    response = api.as_user(owner).post(COMMUNITIES, _payload(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "wells"
    assert body["visibility"] == "members-only" and body["stage"] == "coalescing"
    assert body["topics"] == ["cementing", "well-integrity"]
    assert body["my_role"] == "coordinator" and body["member_count"] == 1
    assert body["charter"]["purpose"] == "Fewer well failures."
    goals = body["charter"]["goals"]
    assert [g["description"] for g in goals] == ["Answer 80% of questions", "Meet every month"]
    assert goals[0]["metric"] == "reply_coverage_7d" and goals[0]["due_date"] == "2027-06-30"
    assert float(goals[0]["target_value"]) == 80
    community = Community.objects.get(slug="wells")
    assert CommunityChange.objects.filter(community=community, actor=owner, summary="Created the community").exists()


@pytest.mark.parametrize("clashing_slug", ["wells", "Wells"])
def test_duplicate_slug_gives_a_field_error_and_creates_nothing(api: Api, owner: User, clashing_slug: str) -> None:
    assert api.as_user(owner).post(COMMUNITIES, _payload(), format="json").status_code == 201
    before = (Community.objects.count(), Membership.objects.count(), CommunityChange.objects.count())

    response = api.post(COMMUNITIES, _payload(name="Other wells", slug=clashing_slug), format="json")

    assert response.status_code == 400
    assert "This address is not available; choose another." in response.json()["slug"][0]
    assert (Community.objects.count(), Membership.objects.count(), CommunityChange.objects.count()) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "x" * 121}, "name"),
        ({"name": ""}, "name"),
        ({"domain": ""}, "domain"),
        ({"slug": "not a slug!"}, "slug"),
        ({"slug": "new"}, "slug"),
        ({"visibility": "secret"}, "visibility"),
        ({"stage": "dormant"}, "stage"),
        ({"topics": 7}, "topics"),
        ({"topics": ["t" * 65]}, "topics"),
        ({"organizations": ["no-such-org"]}, "organizations"),
        ({"charter": {"goals": [{"description": ""}]}}, "charter"),
    ],
)
def test_bad_community_fields_give_a_400_with_the_field_and_create_nothing(
    api: Api, owner: User, overrides: dict[str, Any], field: str
) -> None:
    response = api.as_user(owner).post(COMMUNITIES, _payload(**overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Community.objects.exists()


def test_a_goal_with_a_target_but_no_metric_gives_a_400(api: Api, owner: User) -> None:
    payload = _payload(charter={"goals": [{"description": "Grow", "target_value": "10"}]})

    response = api.as_user(owner).post(COMMUNITIES, payload, format="json")

    assert response.status_code == 400
    assert "metric" in response.json()["goals"][0]
    assert not Community.objects.exists()


def test_anonymous_create_gets_401(api: Api) -> None:
    response = api.post(COMMUNITIES, _payload(), format="json")

    assert response.status_code == 401
    assert not Community.objects.exists()


def test_malformed_json_gives_400_not_500(api: Api, owner: User) -> None:
    response = api.as_user(owner).post(COMMUNITIES, data='{"name": "Wells",', content_type="application/json")

    assert response.status_code == 400
    assert "detail" in response.json()
    assert not Community.objects.exists()


def test_a_json_list_instead_of_an_object_gives_400(api: Api, owner: User) -> None:
    response = api.as_user(owner).post(COMMUNITIES, data="[1, 2]", content_type="application/json")

    assert response.status_code == 400
    assert not Community.objects.exists()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(max_size=130),
    slug=st.one_of(st.text(max_size=70), st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)),
    domain=st.text(max_size=200),
    topics=st.lists(st.text(max_size=70), max_size=4),
)
def test_random_community_input_gives_201_or_400_and_a_400_leaves_nothing(
    api: Api, owner: User, name: str, slug: str, domain: str, topics: list[str]
) -> None:
    payload = {"name": name, "slug": slug, "domain": domain, "topics": topics}
    # Each example runs in its own savepoint, rolled back at the end, so examples do not see each other.
    with transaction.atomic():
        before = Community.objects.count()
        response = api.as_user(owner).post(COMMUNITIES, payload, format="json")
        after = Community.objects.count()
        transaction.set_rollback(True)

    assert response.status_code in (201, 400), (response.status_code, payload)
    if response.status_code == 400:
        assert after == before
        assert isinstance(response.json(), dict) and response.json()
    else:
        assert after == before + 1
        assert response.json()["slug"] == slug.strip().lower()


@pytest.mark.parametrize(
    "query",
    ["q=%00", "q=wells%00", "topic=%00", "organization=%00", "visibility=%00"],
)
def test_nul_characters_in_directory_filters_do_not_cause_a_500(
    api: Api, public_community: Community, query: str
) -> None:
    # PostgreSQL refuses NUL in text; such requests get a clear 400 before reaching any query.
    response = api.get(f"{COMMUNITIES}?{query}")

    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


@pytest.mark.parametrize("param", ["q", "role", "organization", "discipline", "expertise", "location"])
def test_nul_characters_in_member_filters_do_not_cause_a_500(
    api: Api, public_community: Community, param: str
) -> None:
    response = api.get(f"{_url(public_community, 'members/')}?{param}=%00")

    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


# --- Update ---------------------------------------------------------------------------------------


def test_coordinator_patches_and_the_history_shows_old_and_new_values(
    api: Api, owner: User, community: Community
) -> None:
    old_domain = community.domain

    response = api.as_user(owner).patch(
        _url(community), {"domain": "Only producing wells.", "stage": "maturing",
                          "charter": {"goals": [{"description": "Meet monthly"}]}}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["domain"] == "Only producing wells."
    assert response.json()["charter"]["goals"][0]["description"] == "Meet monthly"
    history = api.get(_url(community, "history/")).json()["results"]
    assert history[0]["changes"]["goals"][1][0]["description"] == "Meet monthly"
    assert history[1]["changes"] == {"domain": [old_domain, "Only producing wells."], "stage": ["potential", "maturing"]}
    assert history[1]["actor"] == "owner"


def test_a_partial_patch_leaves_other_fields_alone(api: Api, owner: User, members_only_community: Community) -> None:
    response = api.as_user(owner).patch(_url(members_only_community), {"stage": "maturing"}, format="json")

    assert response.status_code == 200
    members_only_community.refresh_from_db()
    assert members_only_community.visibility == Visibility.MEMBERS_ONLY
    assert sorted(t.slug for t in members_only_community.topics.all()) == ["drilling", "well-integrity"]


def test_member_gets_403_on_patch(api: Api, member: User, community: Community) -> None:
    response = api.as_user(member).patch(_url(community), {"name": "Hijacked"}, format="json")

    assert response.status_code == 403
    community.refresh_from_db()
    assert community.name != "Hijacked"


def test_outsider_gets_404_on_patch_of_private_community(api: Api, outsider: User, private_community: Community) -> None:
    response = api.as_user(outsider).patch(_url(private_community), {"name": "Hijacked"}, format="json")

    assert response.status_code == 404
    private_community.refresh_from_db()
    assert private_community.name != "Hijacked"


def test_patch_with_unknown_visibility_gives_400_and_changes_nothing(
    api: Api, owner: User, community: Community
) -> None:
    response = api.as_user(owner).patch(_url(community), {"visibility": "secret", "name": "New"}, format="json")

    assert response.status_code == 400
    assert "visibility" in response.json()
    community.refresh_from_db()
    assert (community.visibility, community.name) == (Visibility.PUBLIC, "Public Wells")


def test_patch_with_a_bad_topic_changes_nothing(api: Api, owner: User, community: Community) -> None:
    response = api.as_user(owner).patch(_url(community), {"name": "Renamed", "topics": ["!!!"]}, format="json")

    assert response.status_code == 400
    community.refresh_from_db()
    assert community.name == "Public Wells"


def test_member_cannot_read_the_history(api: Api, member: User, community: Community) -> None:
    assert api.as_user(member).get(_url(community, "history/")).status_code == 403


# --- Visibility from three sides ------------------------------------------------------------------


def test_anyone_reads_a_public_community_anonymous_too(api: Api, outsider: User, public_community: Community) -> None:
    for user in (None, outsider):
        api.as_user(user)
        detail = api.get(_url(public_community))
        members = api.get(_url(public_community, "members/"))
        assert detail.status_code == 200 and detail.json()["slug"] == "public-wells"
        assert members.status_code == 200
        assert {m["username"] for m in members.json()["results"]} == {"owner", "member"}


def test_outsider_sees_a_members_only_community_but_not_its_members(
    api: Api, outsider: User, members_only_community: Community
) -> None:
    api.as_user(outsider)

    assert api.get(_url(members_only_community)).status_code == 200
    assert "members-wells" in _slugs(api.get(COMMUNITIES))
    assert api.get(_url(members_only_community, "members/")).status_code == 404


def test_anonymous_cannot_read_members_of_a_members_only_community(
    api: Api, members_only_community: Community
) -> None:
    assert api.get(_url(members_only_community, "members/")).status_code == 404


def test_member_reads_members_of_a_members_only_community(
    api: Api, member: User, members_only_community: Community
) -> None:
    response = api.as_user(member).get(_url(members_only_community, "members/"))

    assert response.status_code == 200
    assert {m["username"] for m in response.json()["results"]} == {"owner", "member"}


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("get", "members/"), ("post", "join/"), ("post", "leave/"), ("get", "history/"),
     ("get", "recruits/"), ("post", "invitations/"), ("get", "requests/")],
)
def test_outsider_gets_404_on_private_community(
    api: Api, outsider: User, private_community: Community, method: str, suffix: str
) -> None:
    api.as_user(outsider)
    url = _url(private_community, suffix)
    response = api.get(url) if method == "get" else api.post(url, {}, format="json")

    assert response.status_code == 404
    assert not Membership.objects.filter(community=private_community, user=outsider).exists()


def test_anonymous_gets_404_on_private_community(api: Api, private_community: Community) -> None:
    assert api.get(_url(private_community)).status_code == 404
    assert api.get(_url(private_community, "members/")).status_code == 404


def test_private_community_is_missing_from_outsiders_list_but_in_members_list(
    api: Api, outsider: User, member: User, public_community: Community, members_only_community: Community,
    private_community: Community,
) -> None:
    assert _slugs(api.as_user(outsider).get(COMMUNITIES)) == {"public-wells", "members-wells"}
    assert _slugs(api.as_user(None).get(COMMUNITIES)) == {"public-wells", "members-wells"}
    assert _slugs(api.as_user(member).get(COMMUNITIES)) == {"public-wells", "members-wells", "private-wells"}


def test_private_community_is_missing_from_a_persons_communities_for_an_outsider(
    api: Api, outsider: User, member: User, public_community: Community, private_community: Community
) -> None:
    seen_by_outsider = api.as_user(outsider).get("/api/v1/people/member/").json()["communities"]
    seen_by_member = api.as_user(member).get("/api/v1/people/member/").json()["communities"]

    assert [c["slug"] for c in seen_by_outsider] == ["public-wells"]
    assert sorted(c["slug"] for c in seen_by_member) == ["private-wells", "public-wells"]


def test_directory_filters_by_topic_and_search(api: Api, owner: User, public_community: Community) -> None:
    CommunityFactory(creator=owner, name="Maths teaching", slug="maths", topics=["Algebra"])

    assert _slugs(api.get(COMMUNITIES, {"topic": "algebra"})) == {"maths"}
    # "well" matches the name and a topic: the community is still listed once.
    assert [r["slug"] for r in api.get(COMMUNITIES, {"q": "well"}).json()["results"]] == ["public-wells"]
    assert _slugs(api.get(COMMUNITIES, {"q": "drilling"})) == {"public-wells"}



@pytest.mark.parametrize("flag", ["on", "true", "1", "yes"])
def test_directory_reads_mine_as_the_page_checkbox_sends_it(
    api: Api, outsider: User, public_community: Community, flag: str
) -> None:
    CommunityFactory(creator=outsider, name="Own circle", slug="own-circle")
    client = api.as_user(outsider)

    # The page's checkbox sends ``mine=on``; the API read only ``1`` and ``true`` and listed everything else.
    assert _slugs(client.get(COMMUNITIES, {"mine": flag})) == {"own-circle"}
    assert _slugs(client.get(COMMUNITIES, {"mine": "0"})) == {"own-circle", "public-wells"}
    assert _slugs(client.get(COMMUNITIES, {"mine": "false"})) == {"own-circle", "public-wells"}


@pytest.mark.parametrize(
    ("query", "field"),
    [({"visibility": "everyone"}, "visibility"), ({"mine": "maybe"}, "mine"), ({"q": "w" * 201}, "q")],
)
def test_directory_answers_400_naming_the_filter_that_does_not_parse(
    api: Api, public_community: Community, query: dict[str, str], field: str
) -> None:
    # An unknown visibility listed nothing at all, and an over-long search was cut short silently.
    response = api.get(COMMUNITIES, query)

    assert response.status_code == 400
    assert response.json()[field]


# --- Membership -----------------------------------------------------------------------------------


def test_joining_a_public_community_makes_an_active_member(
    api: Api, outsider: User, public_community: Community
) -> None:
    response = api.as_user(outsider).post(_url(public_community, "join/"))

    assert response.status_code == 200
    assert response.json() == {"community": "public-wells", "role": "member", "state": "active"}
    assert "outsider" in {m["username"] for m in api.get(_url(public_community, "members/")).json()["results"]}


def test_anonymous_join_gets_401(api: Api, public_community: Community) -> None:
    assert api.post(_url(public_community, "join/")).status_code == 401
    assert Membership.objects.filter(community=public_community).count() == 2


def test_join_request_approved_by_the_coordinator(
    api: Api, owner: User, outsider: User, members_only_community: Community
) -> None:
    requested = api.as_user(outsider).post(_url(members_only_community, "join/"), {"message": "I drill."}, format="json")
    assert requested.json()["state"] == "requested"
    assert api.get(_url(members_only_community, "members/")).status_code == 404

    pending = api.as_user(owner).get(_url(members_only_community, "requests/")).json()["results"]
    assert [p["username"] for p in pending] == ["outsider"]
    approved = api.post(_url(members_only_community, f"requests/{pending[0]['membership_id']}/approve/"))

    assert approved.status_code == 200 and approved.json()["state"] == "active"
    assert api.as_user(outsider).get(_url(members_only_community, "members/")).status_code == 200


def test_join_request_declined_by_the_coordinator(
    api: Api, owner: User, outsider: User, members_only_community: Community
) -> None:
    api.as_user(outsider).post(_url(members_only_community, "join/"))
    request_id = _member_id(members_only_community, outsider)

    response = api.as_user(owner).post(_url(members_only_community, f"requests/{request_id}/decline/"))

    assert response.status_code == 200 and response.json()["state"] == "declined"
    assert api.as_user(outsider).get(_url(members_only_community, "members/")).status_code == 404


def test_requester_cannot_approve_their_own_request(
    api: Api, outsider: User, members_only_community: Community
) -> None:
    api.as_user(outsider).post(_url(members_only_community, "join/"))
    own_id = _member_id(members_only_community, outsider)

    response = api.post(_url(members_only_community, f"requests/{own_id}/approve/"))

    assert response.status_code in (403, 404)
    assert Membership.objects.get(pk=own_id).state == MembershipState.REQUESTED


def test_member_cannot_approve_requests(
    api: Api, member: User, outsider: User, members_only_community: Community
) -> None:
    api.as_user(outsider).post(_url(members_only_community, "join/"))
    request_id = _member_id(members_only_community, outsider)

    response = api.as_user(member).post(_url(members_only_community, f"requests/{request_id}/approve/"))

    assert response.status_code == 403
    assert Membership.objects.get(pk=request_id).state == MembershipState.REQUESTED


def test_acting_on_another_communitys_member_is_404_and_changes_nothing(
    api: Api, owner: User, public_community: Community
) -> None:
    other = CommunityFactory(visibility=Visibility.MEMBERS_ONLY)
    foreign_member = MembershipFactory(community=other, role=Role.MEMBER)
    foreign_request = MembershipFactory(community=other, state=MembershipState.REQUESTED)
    api.as_user(owner)

    responses = [
        api.patch(_url(public_community, f"members/{foreign_member.id}/"), {"role": "coordinator"}, format="json"),
        api.delete(_url(public_community, f"members/{foreign_member.id}/")),
        api.post(_url(public_community, f"requests/{foreign_request.id}/approve/")),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    foreign_member.refresh_from_db()
    foreign_request.refresh_from_db()
    assert (foreign_member.role, foreign_member.state) == (Role.MEMBER, MembershipState.ACTIVE)
    assert foreign_request.state == MembershipState.REQUESTED


def test_joining_twice_is_idempotent(api: Api, outsider: User, public_community: Community) -> None:
    api.as_user(outsider)
    first = api.post(_url(public_community, "join/"))
    second = api.post(_url(public_community, "join/"))

    assert first.json() == second.json() == {"community": "public-wells", "role": "member", "state": "active"}
    assert Membership.objects.filter(community=public_community, user=outsider).count() == 1


def test_member_leaves(api: Api, member: User, public_community: Community) -> None:
    response = api.as_user(member).post(_url(public_community, "leave/"))

    assert response.status_code == 200 and response.json()["state"] == "left"
    assert "member" not in {m["username"] for m in api.get(_url(public_community, "members/")).json()["results"]}


def test_leaving_without_being_a_member_gives_400(api: Api, outsider: User, public_community: Community) -> None:
    response = api.as_user(outsider).post(_url(public_community, "leave/"))

    assert response.status_code == 400
    assert "not a member" in response.json()["detail"]


def test_last_coordinator_cannot_leave_until_another_exists(
    api: Api, owner: User, member: User, public_community: Community
) -> None:
    api.as_user(owner)
    refused = api.post(_url(public_community, "leave/"))
    assert refused.status_code == 400
    assert "last coordinator" in refused.json()["detail"]
    assert Membership.objects.get(community=public_community, user=owner).state == MembershipState.ACTIVE

    promoted = api.patch(
        _url(public_community, f"members/{_member_id(public_community, member)}/"), {"role": "coordinator"},
        format="json",
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "coordinator"

    assert api.post(_url(public_community, "leave/")).json()["state"] == "left"


def test_last_coordinator_cannot_demote_themself_until_another_exists(
    api: Api, owner: User, member: User, public_community: Community
) -> None:
    api.as_user(owner)
    own = _url(public_community, f"members/{_member_id(public_community, owner)}/")

    refused = api.patch(own, {"role": "member"}, format="json")
    assert refused.status_code == 400
    assert "last coordinator" in refused.json()["role"][0]
    assert Membership.objects.get(community=public_community, user=owner).role == Role.COORDINATOR

    api.patch(_url(public_community, f"members/{_member_id(public_community, member)}/"), {"role": "coordinator"},
              format="json")
    assert api.patch(own, {"role": "member"}, format="json").json()["role"] == "member"


def test_role_change_to_an_unknown_role_gives_400(
    api: Api, owner: User, member: User, public_community: Community
) -> None:
    response = api.as_user(owner).patch(
        _url(public_community, f"members/{_member_id(public_community, member)}/"), {"role": "overlord"}, format="json"
    )

    assert response.status_code == 400
    assert "role" in response.json()
    assert Membership.objects.get(community=public_community, user=member).role == Role.MEMBER


def test_member_cannot_change_roles(api: Api, member: User, public_community: Community) -> None:
    response = api.as_user(member).patch(
        _url(public_community, f"members/{_member_id(public_community, member)}/"), {"role": "coordinator"},
        format="json",
    )

    assert response.status_code == 403
    assert Membership.objects.get(community=public_community, user=member).role == Role.MEMBER


def test_coordinator_removes_a_member(api: Api, owner: User, member: User, public_community: Community) -> None:
    response = api.as_user(owner).delete(_url(public_community, f"members/{_member_id(public_community, member)}/"))

    assert response.status_code == 204
    assert Membership.objects.get(community=public_community, user=member).state == MembershipState.REMOVED


def test_member_cannot_remove_the_coordinator(api: Api, owner: User, member: User, public_community: Community) -> None:
    response = api.as_user(member).delete(_url(public_community, f"members/{_member_id(public_community, owner)}/"))

    assert response.status_code == 403
    assert Membership.objects.get(community=public_community, user=owner).state == MembershipState.ACTIVE


def test_members_list_filters_by_role_and_expertise(
    api: Api, owner: User, member: User, public_community: Community
) -> None:
    member.profile.expertise.set(public_community.topics.filter(slug="drilling"))

    coordinators = api.get(_url(public_community, "members/"), {"role": "coordinator"}).json()["results"]
    drillers = api.get(_url(public_community, "members/"), {"expertise": "drilling"}).json()["results"]

    assert [m["username"] for m in coordinators] == ["owner"]
    assert [m["username"] for m in drillers] == ["member"]
    assert drillers[0]["expertise"] == ["drilling"] and drillers[0]["role"] == "member"


@pytest.mark.parametrize(
    ("query", "field"),
    [({"role": "chair"}, "role"), ({"expertise": "e" * 65}, "expertise"), ({"q": "n" * 101}, "q")],
)
def test_members_list_answers_400_naming_the_filter_that_does_not_parse(
    api: Api, public_community: Community, query: dict[str, str], field: str
) -> None:
    # An unknown role listed nobody, and over-long words were cut short silently (the page lists everyone).
    response = api.get(_url(public_community, "members/"), query)

    assert response.status_code == 400
    assert response.json()[field]


def test_members_list_of_a_private_community_is_missing_for_an_outsider_whatever_the_filter(
    api: Api, outsider: User, private_community: Community
) -> None:
    response = api.as_user(outsider).get(_url(private_community, "members/"), {"role": "chair"})

    assert response.status_code == 404


# --- Invitations ----------------------------------------------------------------------------------


def _invite(api: Api, community: Community, **data: Any) -> Any:
    return api.post(_url(community, "invitations/"), data, format="json")


def test_email_invitation_sends_a_working_link_that_makes_an_active_member(
    api: Api, owner: User, private_community: Community, mailoutbox: list, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        created = _invite(api.as_user(owner), private_community, email="newcomer@example.org", role="core")
    assert created.status_code == 201

    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["newcomer@example.org"]
    link = re.search(r"https?://\S+", mailoutbox[0].body)
    assert link is not None
    match = resolve(urlsplit(link.group(0)).path)
    assert match.view_name == "communities:invitation"

    newcomer = UserFactory(email="newcomer@example.org")
    accepted = api.as_user(newcomer).post("/api/v1/invitations/accept/", {"token": match.kwargs["token"]}, format="json")

    assert accepted.status_code == 200
    assert accepted.json() == {"community": "private-wells", "role": "core", "state": "active"}
    assert api.get(_url(private_community)).status_code == 200


def test_tampered_invitation_token_gives_404_with_a_message(
    api: Api, owner: User, outsider: User, private_community: Community
) -> None:
    token = _invite(api.as_user(owner), private_community).json()["token"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = api.as_user(outsider).post("/api/v1/invitations/accept/", {"token": tampered}, format="json")

    assert response.status_code == 404
    assert "not valid" in response.json()["detail"]
    assert not Membership.objects.filter(community=private_community, user=outsider).exists()


def test_expired_invitation_gives_410_with_a_message(
    api: Api, owner: User, outsider: User, private_community: Community
) -> None:
    created = _invite(api.as_user(owner), private_community).json()
    Invitation.objects.filter(pk=created["id"]).update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    response = api.as_user(outsider).post("/api/v1/invitations/accept/", {"token": created["token"]}, format="json")

    assert response.status_code == 410
    assert "expired" in response.json()["detail"]
    assert not Membership.objects.filter(community=private_community, user=outsider).exists()


def test_used_up_single_use_invitation_gives_410(
    api: Api, owner: User, outsider: User, private_community: Community
) -> None:
    token = _invite(api.as_user(owner), private_community, max_uses=1).json()["token"]
    first = UserFactory()
    assert api.as_user(first).post("/api/v1/invitations/accept/", {"token": token}, format="json").status_code == 200

    response = api.as_user(outsider).post("/api/v1/invitations/accept/", {"token": token}, format="json")

    assert response.status_code == 410
    assert "already been used" in response.json()["detail"]
    assert not Membership.objects.filter(community=private_community, user=outsider).exists()


def test_revoked_invitation_gives_410(api: Api, owner: User, outsider: User, private_community: Community) -> None:
    created = _invite(api.as_user(owner), private_community).json()
    services.invitation_revoke(community=private_community, actor=owner, invitation_id=created["id"])

    response = api.as_user(outsider).post("/api/v1/invitations/accept/", {"token": created["token"]}, format="json")

    assert response.status_code == 410
    assert "withdrawn" in response.json()["detail"]
    assert not Membership.objects.filter(community=private_community, user=outsider).exists()


def test_a_multi_use_link_admits_several_people(api: Api, owner: User, private_community: Community) -> None:
    token = _invite(api.as_user(owner), private_community, max_uses=2).json()["token"]

    states = [
        api.as_user(UserFactory()).post("/api/v1/invitations/accept/", {"token": token}, format="json").status_code
        for _ in range(3)
    ]

    assert states == [200, 200, 410]
    assert Membership.objects.filter(community=private_community, state=MembershipState.ACTIVE).count() == 4


def test_plain_member_gets_403_when_inviting(api: Api, member: User, public_community: Community) -> None:
    response = _invite(api.as_user(member), public_community, email="x@example.org")

    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_core_member_cannot_invite_a_coordinator(api: Api, member: User, public_community: Community) -> None:
    Membership.objects.filter(community=public_community, user=member).update(role=Role.CORE)

    refused = _invite(api.as_user(member), public_community, role="coordinator")
    allowed = _invite(api, public_community, role="member")

    assert refused.status_code == 403
    assert allowed.status_code == 201
    assert list(Invitation.objects.values_list("role", flat=True)) == ["member"]


def test_invitation_with_an_unknown_role_gives_400(api: Api, owner: User, public_community: Community) -> None:
    response = _invite(api.as_user(owner), public_community, role="overlord")

    assert response.status_code == 400 and "role" in response.json()
    assert not Invitation.objects.exists()


# --- Recruitment ----------------------------------------------------------------------------------


def test_recruits_lists_matching_non_members_and_one_click_invites_them(
    api: Api, owner: User, member: User, public_community: Community
) -> None:
    driller = UserFactory(username="driller", expertise=["Drilling", "Cooking"])
    member.profile.expertise.set(public_community.topics.all())
    api.as_user(owner)

    recruits = api.get(_url(public_community, "recruits/"))
    assert recruits.status_code == 200
    assert [r["username"] for r in recruits.json()] == ["driller"]
    assert recruits.json()[0]["matching_topics"] == ["drilling"]

    invited = api.post(_url(public_community, "recruits/"), {"user_id": driller.id}, format="json")
    assert invited.status_code == 201
    assert invited.json() == {"community": "public-wells", "role": "member", "state": "invited"}
    assert api.get(_url(public_community, "recruits/")).json() == []

    services.invitation_respond(community=public_community, user=driller, accept=True)
    assert Membership.objects.get(community=public_community, user=driller).state == MembershipState.ACTIVE


def test_member_gets_403_on_recruits(api: Api, member: User, public_community: Community) -> None:
    assert api.as_user(member).get(_url(public_community, "recruits/")).status_code == 403


def test_recruiting_an_unknown_person_gives_400(api: Api, owner: User, public_community: Community) -> None:
    response = api.as_user(owner).post(_url(public_community, "recruits/"), {"user_id": 987654}, format="json")

    assert response.status_code == 400 and "user_id" in response.json()


# --- Pagination and query counts ------------------------------------------------------------------


def test_page_size_is_capped_at_100(api: Api, owner: User) -> None:
    Community.objects.bulk_create(
        Community(name=f"Community {i:03}", slug=f"c-{i}", domain="Domain.") for i in range(105)
    )

    response = api.get(COMMUNITIES, {"page_size": 1000})

    assert response.status_code == 200
    assert response.json()["count"] == 105
    assert len(response.json()["results"]) == 100
    assert response.json()["next"] is not None


def _make_communities(count: int, owner: User) -> None:
    org = OrganizationFactory()
    for i in range(count):
        community = CommunityFactory(creator=owner, topics=[f"Topic {i}", "Shared"], organizations=[org])
        MembershipFactory(community=community)
    # Communities without any active member (for example set up by a network admin) are listed too.
    Community.objects.bulk_create(
        [Community(name=f"Empty {i}", slug=f"empty-{count}-{i}", domain="Domain.") for i in range(2)]
    )


def _count_queries(api: Api, url: str, expected_rows: int, **params: Any) -> int:
    response, sqls = api_queries(api, url, {"page_size": 100, **params})
    assert response.status_code == 200
    assert len(response.json()["results"]) == expected_rows
    return len(sqls)


def test_community_list_costs_the_same_queries_for_5_and_50_rows(api: Api, owner: User, member: User) -> None:
    api.as_user(member)
    _make_communities(5, owner)
    with_5 = _count_queries(api, COMMUNITIES, 7)
    _make_communities(45, owner)
    with_50 = _count_queries(api, COMMUNITIES, 54)

    assert with_5 == with_50, (with_5, with_50)


def test_anonymous_community_list_costs_the_same_queries_for_5_and_50_rows(api: Api, owner: User) -> None:
    _make_communities(5, owner)
    with_5 = _count_queries(api, COMMUNITIES, 7)
    _make_communities(45, owner)
    with_50 = _count_queries(api, COMMUNITIES, 54)

    assert with_5 == with_50, (with_5, with_50)


def _add_members(community: Community, count: int) -> None:
    for i in range(count):
        org = OrganizationFactory()
        user = UserFactory(organization=org, discipline=f"Discipline {i % 3}", expertise=["Drilling", f"Skill {i}"])
        MembershipFactory(community=community, user=user, role=[Role.MEMBER, Role.CORE, Role.SPONSOR][i % 3])


def test_members_list_costs_the_same_queries_for_5_and_50_rows(
    api: Api, member: User, members_only_community: Community
) -> None:
    api.as_user(member)
    url = _url(members_only_community, "members/")
    _add_members(members_only_community, 3)  # with the owner and the member: 5 rows
    with_5 = _count_queries(api, url, 5)
    _add_members(members_only_community, 45)
    with_50 = _count_queries(api, url, 50)

    assert with_5 == with_50, (with_5, with_50)


def test_community_list_query_count(api: Api, member: User, public_community: Community,
                                    django_assert_num_queries: Any) -> None:
    api.as_user(member)
    # 1: page count, 2: page of communities with member counts and own role, 3: topics, 4: organisations.
    with django_assert_num_queries(4):
        response = api.get(COMMUNITIES)

    assert [row["slug"] for row in response.json()["results"]] == ["public-wells"]


def test_members_list_query_count(api: Api, member: User, public_community: Community,
                                  django_assert_num_queries: Any) -> None:
    api.as_user(member)
    # A first read of the day also records the reader's activity (insights): read once, then count.
    api.get(_url(public_community, "members/"))
    # 1: community, 2: caller's membership, 3: page count, 4: page of members with profile and organisation,
    # 5: their expertise.
    with django_assert_num_queries(5):
        response = api.get(_url(public_community, "members/"))

    assert [row["username"] for row in response.json()["results"]] == ["owner", "member"]


def test_community_detail_query_count(api: Api, member: User, public_community: Community,
                                      django_assert_max_num_queries: Any) -> None:
    api.as_user(member)
    # community (visibility check), annotated community with charter, topics, organisations, goals.
    with django_assert_max_num_queries(5):
        response = api.get(_url(public_community))

    assert response.json()["my_role"] == "member"
