"""The server-rendered community pages, seen from every side: coordinator (``owner``), ``member``, ``outsider``
and the anonymous visitor.

The services have their own tests; these check what a person sees and what a page lets them do.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, cast

import pytest
from django.test import Client
from django.utils import timezone

from practica.accounts.models import User
from practica.communities import services
from practica.communities.models import (
    Community,
    CommunityChange,
    Goal,
    Invitation,
    Membership,
    MembershipState,
    Role,
    Stage,
    Visibility,
)
from practica.lib.testing.client import field_errors, page_client, page_html
from practica.lib.testing.factories import (
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)
from practica.lib.testing.queries import page_queries
from practica.people.models import Organization

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


# --- Helpers --------------------------------------------------------------------------------------


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _add(
    community: Community, user: User, role: str = Role.MEMBER, state: str = MembershipState.ACTIVE
) -> Membership:
    return cast(Membership, MembershipFactory(community=community, user=user, role=role, state=state))


def _state(community: Community, user: User) -> tuple[str, str] | None:
    membership = Membership.objects.filter(community=community, user=user).first()
    return (membership.state, membership.role) if membership else None


def _url(community: Community, page: str = "") -> str:
    return f"/communities/{community.slug}/{page + '/' if page else ''}"


@pytest.fixture
def core(owner: User, public_community: Community, private_community: Community) -> User:
    """A core member of the public and the private community (may invite, may not coordinate)."""
    person = cast(User, UserFactory(username="core"))
    _add(public_community, person, Role.CORE)
    _add(private_community, person, Role.CORE)
    return person


@pytest.fixture
def org() -> Organization:
    return cast(Organization, OrganizationFactory(name="Norsk Boring", slug="norsk-boring"))


# --- Directory ------------------------------------------------------------------------------------


def test_directory_lists_public_and_members_only_communities_but_not_private_ones_to_anonymous(
    client: Client,
    public_community: Community,
    members_only_community: Community,
    private_community: Community,
) -> None:
    html = page_html(client.get("/communities/"))

    assert "Public Wells" in html
    assert "Members Wells" in html
    assert "Private Wells" not in html
    assert "private-wells" not in html


def test_directory_hides_private_community_from_outsider_whatever_the_filter(
    outsider: User, public_community: Community, private_community: Community
) -> None:
    client = page_client(outsider)

    for query in ("", "?q=private", "?q=wells", "?topic=well-integrity", "?visibility=private", "?mine=on"):
        response = client.get("/communities/" + query)
        assert response.status_code == 200, query
        assert "Private Wells" not in page_html(response), query
    # The search itself works: the public community with the same topic is found.
    assert "Public Wells" in page_html(client.get("/communities/?topic=well-integrity"))



def test_directory_reads_mine_as_the_api_does(outsider: User, public_community: Community) -> None:
    CommunityFactory(creator=outsider, name="Own circle", slug="own-circle")
    client = page_client(outsider)

    assert "Public Wells" not in page_html(client.get("/communities/?mine=on"))
    # ``mine=0`` is no, as the API reads it (the checkbox widget took any text but "false" for yes).
    assert "Public Wells" in page_html(client.get("/communities/?mine=0"))
    # A flag that does not parse lists the whole directory, as any bad filter does on the page.
    assert "Public Wells" in page_html(client.get("/communities/?mine=maybe"))


@pytest.mark.parametrize("side", ["owner", "member"])
def test_directory_shows_private_community_to_its_members(
    side: str, request: pytest.FixtureRequest, private_community: Community
) -> None:
    client = page_client(request.getfixturevalue(side))

    assert "Private Wells" in page_html(client.get("/communities/"))
    assert "Private Wells" in page_html(client.get("/communities/?q=private"))
    assert "Private Wells" in page_html(client.get("/communities/?visibility=private"))


def test_directory_filters_by_search_topic_organisation_and_visibility(
    owner: User, org: Organization
) -> None:
    other_org = OrganizationFactory(name="Oslo Skole", slug="oslo-skole")
    CommunityFactory(
        creator=owner,
        name="Patient safety",
        slug="patient-safety",
        topics=["Medication errors"],
        organizations=[other_org],
        domain="Learning from incidents on the ward.",
    )
    CommunityFactory(
        creator=owner,
        name="Maths teaching",
        slug="maths-teaching",
        topics=["Algebra"],
        visibility=Visibility.MEMBERS_ONLY,
        domain="Teaching mathematics in secondary school.",
    )
    CommunityFactory(
        creator=owner,
        name="Well integrity",
        slug="well-integrity",
        topics=["Cementing"],
        organizations=[org],
        domain="Barriers over the life of a well.",
    )
    client = page_client(None)

    def names(query: str) -> set[str]:
        html = page_html(client.get("/communities/" + query))
        return {name for name in ("Patient safety", "Maths teaching", "Well integrity") if name in html}

    assert names("") == {"Patient safety", "Maths teaching", "Well integrity"}
    assert names("?q=patient") == {"Patient safety"}
    assert names("?q=algebra") == {"Maths teaching"}  # matches a topic name
    assert names("?q=secondary+school") == {"Maths teaching"}  # matches the domain statement
    assert names("?topic=cementing") == {"Well integrity"}
    assert names("?organization=norsk-boring") == {"Well integrity"}
    assert names("?organization=oslo-skole") == {"Patient safety"}
    assert names("?visibility=members-only") == {"Maths teaching"}
    assert names("?q=patient&visibility=members-only") == set()


def test_directory_answers_htmx_with_the_results_partial_only(
    client: Client, public_community: Community
) -> None:
    partial = client.get("/communities/?q=public", headers=HTMX)
    full = client.get("/communities/?q=public")

    assert partial.status_code == 200
    assert "<html" not in page_html(partial)
    assert "Public Wells" in page_html(partial)
    assert "1 community" in page_html(partial)
    assert "<html" in page_html(full)
    assert 'id="directory-results"' in page_html(full)
    assert "Public Wells" in page_html(full)


# --- Query counts ---------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> tuple[int, str, list[str]]:
    response, sqls = page_queries(client, url, warm_up=False)
    assert response.status_code == 200
    return len(sqls), page_html(response), sqls


def _assert_same_count(few: tuple[int, str, list[str]], many: tuple[int, str, list[str]]) -> None:
    assert few[0] == many[0], "The query count grows with the rows:\n" + "\n".join(many[2])


def _make_communities(creator: User, org: Organization, start: int, stop: int) -> None:
    for i in range(start, stop):
        community = CommunityFactory(
            creator=creator,
            name=f"Practice {i:02d}",
            slug=f"practice-{i:02d}",
            topics=[f"Topic {i}", "Shared topic"],
            organizations=[org],
            visibility=[Visibility.PUBLIC, Visibility.MEMBERS_ONLY, Visibility.PRIVATE][i % 3],
        )
        if i % 2:
            _add(community, creator.__class__.objects.get(username="member"))


def test_directory_costs_the_same_queries_for_5_and_for_50_communities(
    owner: User, member: User, org: Organization
) -> None:
    client = page_client(member)
    _make_communities(owner, org, 0, 5)
    client.get("/communities/")  # warm up the session (the time zone is stored on the first request)

    few = _queries(client, "/communities/")
    _make_communities(owner, org, 5, 50)
    many = _queries(client, "/communities/")

    _assert_same_count(few, many)
    assert "Practice 04" in few[1]
    assert "Topic 4" in few[1]
    # 50 communities, of which the private ones are visible only where the member is in them.
    visible = (
        Community.objects.exclude(visibility=Visibility.PRIVATE).count()
        + Community.objects.filter(visibility=Visibility.PRIVATE, memberships__user=member).count()
    )
    assert f"{visible} communities" in many[1]
    assert len(re.findall(r'class="card community-card"', many[1])) == 24  # one page
    assert "you: member" in many[1]


def test_directory_costs_the_same_queries_for_anonymous_visitors_with_5_and_50_communities(
    owner: User, member: User, org: Organization
) -> None:
    client = page_client(None)
    _make_communities(owner, org, 0, 5)

    few = _queries(client, "/communities/")
    _make_communities(owner, org, 5, 50)
    many = _queries(client, "/communities/")

    _assert_same_count(few, many)
    assert len(re.findall(r'class="card community-card"', many[1])) == 24


def _make_members(community: Community, org: Organization, start: int, stop: int) -> None:
    for i in range(start, stop):
        person = UserFactory(
            username=f"practitioner{i:02d}",
            organization=org if i % 2 else OrganizationFactory(name=f"Org {i}", slug=f"org-{i}"),
            discipline=f"Discipline {i % 4}",
            expertise=[f"Skill {i}", "Cementing"],
        )
        _add(community, person, [Role.MEMBER, Role.CORE, Role.SPONSOR][i % 3])


@pytest.mark.parametrize("side", ["owner", "member"])
def test_member_directory_costs_the_same_queries_for_5_and_for_50_members(
    side: str, request: pytest.FixtureRequest, public_community: Community, org: Organization
) -> None:
    client = page_client(request.getfixturevalue(side))
    url = _url(public_community, "members")
    _make_members(public_community, org, 0, 5)
    client.get(url)

    few = _queries(client, url)
    _make_members(public_community, org, 5, 50)
    many = _queries(client, url)

    _assert_same_count(few, many)
    assert "Skill 3" in few[1]
    assert "Norsk Boring" in few[1]
    assert "52 members" in many[1]  # 50, the owner and the member
    assert len(re.findall(r'class="name"', many[1])) == 30  # one page of rows


def test_home_page_costs_the_same_queries_for_5_and_for_50_memberships(
    owner: User, member: User, org: Organization
) -> None:
    client = page_client(member)
    client.get("/")
    _make_communities(owner, org, 0, 10)  # the member is in every second one: 5

    few = _queries(client, "/")
    _make_communities(owner, org, 10, 100)  # 50
    many = _queries(client, "/")

    _assert_same_count(few, many)
    assert few[1].count("you: member") == 5
    assert many[1].count("you: member") == 50
    assert "Practice 99" in many[1]


# --- The community page ---------------------------------------------------------------------------


def test_anonymous_visitor_reads_a_public_community_page(client: Client, public_community: Community) -> None:
    response = client.get(_url(public_community))

    assert response.status_code == 200
    html = page_html(response)
    assert "Public Wells" in html
    assert public_community.domain in html
    assert "Sign in to join" in html
    assert _url(public_community, "edit") not in html


def test_outsider_sees_a_members_only_community_domain_and_charter_but_not_its_members(
    owner: User, outsider: User, members_only_community: Community
) -> None:
    services.charter_update(
        community=members_only_community,
        actor=owner,
        purpose="Fewer well control incidents.",
        goals=[services.GoalData(description="Publish ten lessons learned")],
    )
    client = page_client(outsider)

    page = client.get(_url(members_only_community))
    members = client.get(_url(members_only_community, "members"))

    assert page.status_code == 200
    html = page_html(page)
    assert members_only_community.domain in html
    assert "Fewer well control incidents." in html
    assert "Publish ten lessons learned" in html
    assert "Request to join" in html
    assert _url(members_only_community, "members") not in html  # no link to a page they cannot read
    assert members.status_code == 404


@pytest.mark.parametrize("side", ["outsider", None])
def test_private_community_page_is_404_for_outsider_and_anonymous(
    side: str | None, request: pytest.FixtureRequest, private_community: Community
) -> None:
    client = page_client(request.getfixturevalue(side) if side else None)

    for page in ("", "members", "history"):
        response = client.get(_url(private_community, page))
        assert response.status_code == 404, page
        assert "Private Wells" not in page_html(response)


def test_member_reads_the_private_community_page_and_its_members(
    member: User, owner: User, private_community: Community
) -> None:
    client = page_client(member)

    page = client.get(_url(private_community))
    members = client.get(_url(private_community, "members"))

    assert page.status_code == 200
    assert "Private Wells" in page_html(page)
    assert members.status_code == 200
    assert owner.username in page_html(members)


def test_invited_person_sees_the_private_page_with_accept_and_decline(
    owner: User, outsider: User, private_community: Community
) -> None:
    services.member_invite(community=private_community, actor=owner, user=outsider)
    client = page_client(outsider)

    html = page_html(client.get(_url(private_community)))
    assert "Private Wells" in html
    assert "Accept invitation" in html
    assert "Decline" in html

    response = client.post(_url(private_community, "invitation/respond"), {"accept": "1"}, follow=True)
    assert _state(private_community, outsider) == (MembershipState.ACTIVE, Role.MEMBER)
    assert "Welcome to Private Wells!" in _messages(response)


def test_invited_person_declines_and_loses_sight_of_the_private_community(
    owner: User, outsider: User, private_community: Community
) -> None:
    services.member_invite(community=private_community, actor=owner, user=outsider)
    client = page_client(outsider)

    response = client.post(_url(private_community, "invitation/respond"), {"accept": "0"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _state(private_community, outsider) == (MembershipState.DECLINED, Role.MEMBER)
    assert client.get(_url(private_community)).status_code == 404


# --- Creating a community -------------------------------------------------------------------------


def _create_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Patient safety",
        "slug": "patient-safety",
        "domain": "Learning from incidents on the ward.",
        "out_of_scope": "Staffing disputes.",
        "topics": "Medication errors, Handover",
        "visibility": Visibility.PUBLIC,
        "stage": Stage.COALESCING,
        "charter-purpose": "Fewer harmful incidents.",
        "goals-TOTAL_FORMS": "2",
        "goals-INITIAL_FORMS": "0",
        "goals-MIN_NUM_FORMS": "0",
        "goals-MAX_NUM_FORMS": "1000",
        "goals-0-description": "Halve medication errors",
        "goals-0-metric": "unanswered",
        "goals-0-target_value": "12.5",
        "goals-0-due_date": "2030-06-30",
        "goals-1-description": "",
    }
    data.update(overrides)
    return data


def test_anonymous_visitor_is_sent_to_sign_in_to_create_a_community(client: Client) -> None:
    for response in (client.get("/communities/new/"), client.post("/communities/new/", _create_data())):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/communities/new/")
    assert not Community.objects.exists()


def test_signed_in_person_creates_a_community_with_a_charter_goal(outsider: User) -> None:
    client = page_client(outsider)
    assert client.get("/communities/new/").status_code == 200

    response = client.post("/communities/new/", _create_data())

    assert response.status_code == 302
    assert response["Location"] == "/communities/patient-safety/"
    community = Community.objects.get(slug="patient-safety")
    assert community.stage == Stage.COALESCING
    assert sorted(t.slug for t in community.topics.all()) == ["handover", "medication-errors"]
    assert community.charter.purpose == "Fewer harmful incidents."
    goal = Goal.objects.get(charter__community=community)
    assert (goal.description, goal.metric, goal.target_value, goal.due_date) == (
        "Halve medication errors",
        "unanswered",
        Decimal("12.5"),
        dt.date(2030, 6, 30),
    )
    assert _state(community, outsider) == (MembershipState.ACTIVE, Role.COORDINATOR)
    page = page_html(client.get(response["Location"]))
    assert "Halve medication errors" in page
    assert "You are its coordinator" in page


@pytest.mark.parametrize("slug", ["public-wells", "Public-Wells"])
def test_duplicate_slug_is_refused_next_to_the_slug_field_and_nothing_is_created(
    slug: str, outsider: User, public_community: Community
) -> None:
    before = (Community.objects.count(), Membership.objects.count(), Goal.objects.count())

    response = page_client(outsider).post("/communities/new/", _create_data(slug=slug))

    assert response.status_code == 400
    assert "This address is not available; choose another." in field_errors(page_html(response), "slug")
    assert (Community.objects.count(), Membership.objects.count(), Goal.objects.count()) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("domain", "", "This field is required."),
        ("name", "", "This field is required."),
        ("name", "x" * 121, "at most 120 characters"),
        ("slug", "no spaces allowed", "Enter a valid"),
        ("visibility", "secret", "Select a valid choice"),
    ],
)
def test_bad_fields_are_refused_with_field_errors_and_nothing_is_created(
    field: str, value: str, message: str, outsider: User
) -> None:
    response = page_client(outsider).post("/communities/new/", _create_data(**{field: value}))

    assert response.status_code == 400
    assert message in field_errors(page_html(response), field)
    assert not Community.objects.exists()
    assert not Goal.objects.exists()


def test_goal_with_a_target_but_no_description_is_refused(outsider: User) -> None:
    response = page_client(outsider).post(
        "/communities/new/", _create_data(**{"goals-0-description": "", "goals-0-target_value": "10"})
    )

    assert response.status_code == 400
    assert "Describe the goal this objective measures." in page_html(response)
    assert not Community.objects.exists()


def test_goal_with_a_target_but_no_metric_is_refused_with_a_message(outsider: User) -> None:
    response = page_client(outsider).post("/communities/new/", _create_data(**{"goals-0-metric": ""}))

    assert response.status_code == 400
    assert "a target value needs a metric" in page_html(response)
    assert not Community.objects.exists()


def test_reserved_slug_is_refused(outsider: User) -> None:
    response = page_client(outsider).post("/communities/new/", _create_data(slug="new"))

    assert response.status_code == 400
    assert "not available" in field_errors(page_html(response), "slug")
    assert not Community.objects.exists()


# --- Coordinator pages: edit, charter, history, requests, invitations, recruit ----------------------

COORDINATOR_PAGES = ["edit", "charter", "requests"]
CORE_PAGES = ["invitations", "recruit"]
ALL_PAGES = [*COORDINATOR_PAGES, "history", *CORE_PAGES]


@pytest.mark.parametrize("page", ALL_PAGES)
@pytest.mark.parametrize("which", ["public_community", "private_community", "members_only_community"])
def test_coordinator_opens_every_management_page(
    page: str, which: str, request: pytest.FixtureRequest, owner: User
) -> None:
    community = request.getfixturevalue(which)

    response = page_client(owner).get(_url(community, page))

    assert response.status_code == 200
    assert community.name in page_html(response)


@pytest.mark.parametrize("page", ALL_PAGES)
@pytest.mark.parametrize("which", ["public_community", "private_community"])
def test_member_is_forbidden_every_management_page(
    page: str, which: str, request: pytest.FixtureRequest, member: User
) -> None:
    community = request.getfixturevalue(which)

    assert page_client(member).get(_url(community, page)).status_code == 403


@pytest.mark.parametrize("page", ALL_PAGES)
def test_core_member_may_invite_recruit_and_read_history_but_not_coordinate(
    page: str, core: User, public_community: Community, private_community: Community
) -> None:
    expected = 403 if page in COORDINATOR_PAGES else 200
    for community in (public_community, private_community):
        assert page_client(core).get(_url(community, page)).status_code == expected, (page, community.slug)


@pytest.mark.parametrize("page", ALL_PAGES)
@pytest.mark.parametrize("which", ["private_community", "members_only_community"])
def test_outsider_gets_404_on_management_pages_of_a_community_they_cannot_read(
    page: str, which: str, request: pytest.FixtureRequest, outsider: User
) -> None:
    community = request.getfixturevalue(which)

    response = page_client(outsider).get(_url(community, page))

    assert response.status_code == 404
    if community.is_private:
        assert community.name not in page_html(response)


@pytest.mark.parametrize("page", ALL_PAGES)
def test_outsider_is_forbidden_management_pages_of_a_public_community(
    page: str, outsider: User, public_community: Community
) -> None:
    assert page_client(outsider).get(_url(public_community, page)).status_code == 403


@pytest.mark.parametrize("page", [*COORDINATOR_PAGES, *CORE_PAGES])
def test_anonymous_visitor_is_sent_to_sign_in_for_management_pages(
    page: str, client: Client, public_community: Community
) -> None:
    response = client.get(_url(public_community, page))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_member_cannot_edit_by_posting_either(member: User, public_community: Community) -> None:
    response = page_client(member).post(
        _url(public_community, "edit"),
        {
            "name": "Hijacked",
            "slug": "public-wells",
            "domain": "x",
            "visibility": "public",
            "stage": "potential",
        },
    )

    assert response.status_code == 403
    public_community.refresh_from_db()
    assert public_community.name == "Public Wells"


def _edit_data(community: Community, **overrides: str) -> dict[str, str]:
    data = {
        "name": community.name,
        "slug": community.slug,
        "domain": community.domain,
        "out_of_scope": community.out_of_scope,
        "topics": "Well integrity, Drilling",
        "visibility": community.visibility,
        "stage": community.stage,
    }
    data.update(overrides)
    return data


def test_editing_records_history_with_old_and_new_values(owner: User, public_community: Community) -> None:
    client = page_client(owner)
    assert "Public Wells" in page_html(client.get(_url(public_community, "edit")))

    response = client.post(
        _url(public_community, "edit"),
        _edit_data(public_community, name="Well barriers", stage=Stage.MATURING),
    )

    assert response.status_code == 302
    public_community.refresh_from_db()
    assert (public_community.name, public_community.stage) == ("Well barriers", Stage.MATURING)
    change = CommunityChange.objects.filter(community=public_community).first()
    assert change is not None
    assert change.actor == owner
    html = page_html(client.get(_url(public_community, "history")))
    assert "Changed name, stage" in html
    assert "<del>Public Wells</del> → <ins>Well barriers</ins>" in html
    assert "<del>potential</del> → <ins>maturing</ins>" in html


def test_editing_to_an_existing_slug_is_refused_next_to_the_field(
    owner: User, public_community: Community, members_only_community: Community
) -> None:
    response = page_client(owner).post(
        _url(public_community, "edit"), _edit_data(public_community, slug="Members-Wells")
    )

    assert response.status_code == 400
    assert "This address is not available; choose another." in field_errors(page_html(response), "slug")
    public_community.refresh_from_db()
    assert public_community.slug == "public-wells"


@pytest.mark.parametrize("organization", ["99999999999999999999", "9223372036854775808", "²", "abc"])
def test_an_organisation_that_cannot_exist_is_refused_next_to_the_field(
    owner: User, public_community: Community, organization: str
) -> None:
    response = page_client(owner).post(
        _url(public_community, "edit"), {**_edit_data(public_community, name="Renamed"), "organizations": organization}
    )

    assert response.status_code == 400
    assert field_errors(page_html(response), "organizations")
    public_community.refresh_from_db()
    assert public_community.name == "Public Wells"


def test_editing_the_charter_replaces_goals_and_is_kept_in_the_history(
    owner: User, public_community: Community
) -> None:
    client = page_client(owner)
    data = {
        "purpose": "Safer wells for everyone.",
        "goals-TOTAL_FORMS": "1",
        "goals-INITIAL_FORMS": "0",
        "goals-0-description": "Review every barrier failure",
        "goals-0-metric": "accepted_answer_rate",
        "goals-0-target_value": "20",
    }

    response = client.post(_url(public_community, "charter"), data)

    assert response.status_code == 302
    assert list(
        Goal.objects.filter(charter__community=public_community).values_list("description", flat=True)
    ) == ["Review every barrier failure"]
    assert "Safer wells for everyone." in page_html(client.get(_url(public_community)))
    assert "Changed the charter purpose and goals" in page_html(client.get(_url(public_community, "history")))


# --- Joining, requests, leaving, roles ------------------------------------------------------------


def test_outsider_joins_a_public_community_by_post(outsider: User, public_community: Community) -> None:
    client = page_client(outsider)
    assert "Join</button>" in page_html(client.get(_url(public_community)))

    response = client.post(_url(public_community, "join"), follow=True)

    assert _state(public_community, outsider) == (MembershipState.ACTIVE, Role.MEMBER)
    assert "Welcome to Public Wells!" in _messages(response)
    assert "You are member" in page_html(response)


def test_outsider_cannot_join_a_private_community(outsider: User, private_community: Community) -> None:
    response = page_client(outsider).post(_url(private_community, "join"))

    assert response.status_code == 404
    assert _state(private_community, outsider) is None


def test_joining_a_members_only_community_sends_a_request_that_the_coordinator_approves(
    owner: User, outsider: User, members_only_community: Community
) -> None:
    response = page_client(outsider).post(
        _url(members_only_community, "join"), {"message": "I run cement jobs offshore."}, follow=True
    )

    assert _state(members_only_community, outsider) == (MembershipState.REQUESTED, Role.MEMBER)
    assert "Request pending" in page_html(response)
    assert "Your request is sent. A coordinator will review it." in _messages(response)

    coordinator = page_client(owner)
    requests_page = page_html(coordinator.get(_url(members_only_community, "requests")))
    assert "I run cement jobs offshore." in requests_page
    membership = Membership.objects.get(community=members_only_community, user=outsider)
    approve_url = _url(members_only_community, f"requests/{membership.id}/approve")
    assert approve_url in requests_page

    response = coordinator.post(approve_url, follow=True)

    assert _state(members_only_community, outsider) == (MembershipState.ACTIVE, Role.MEMBER)
    assert "outsider's request is approved." in _messages(response)
    assert "No pending requests." in page_html(response)
    assert page_client(outsider).get(_url(members_only_community, "members")).status_code == 200


def test_coordinator_declines_a_request(
    owner: User, outsider: User, members_only_community: Community
) -> None:
    membership = services.community_join(community=members_only_community, user=outsider)

    response = page_client(owner).post(
        _url(members_only_community, f"requests/{membership.id}/decline"), follow=True
    )

    assert _state(members_only_community, outsider) == (MembershipState.DECLINED, Role.MEMBER)
    assert "outsider's request is declined." in _messages(response)


def test_member_cannot_approve_a_request(
    member: User, outsider: User, members_only_community: Community
) -> None:
    membership = services.community_join(community=members_only_community, user=outsider)

    response = page_client(member).post(_url(members_only_community, f"requests/{membership.id}/approve"))

    assert response.status_code == 403
    assert _state(members_only_community, outsider) == (MembershipState.REQUESTED, Role.MEMBER)


def test_nobody_approves_their_own_request(members_only_community: Community) -> None:
    # A network admin may coordinate any community, but not let themself in.
    admin = UserFactory(username="netadmin", is_superuser=True, is_staff=True)
    membership = services.community_join(community=members_only_community, user=admin)

    response = page_client(admin).post(_url(members_only_community, f"requests/{membership.id}/approve"))

    assert response.status_code == 403
    assert _state(members_only_community, admin) == (MembershipState.REQUESTED, Role.MEMBER)


def test_unknown_decision_is_404(owner: User, outsider: User, members_only_community: Community) -> None:
    membership = services.community_join(community=members_only_community, user=outsider)

    response = page_client(owner).post(_url(members_only_community, f"requests/{membership.id}/maybe"))

    assert response.status_code == 404
    assert _state(members_only_community, outsider) == (MembershipState.REQUESTED, Role.MEMBER)


def test_a_membership_of_another_community_is_404_and_nothing_changes(
    owner: User, outsider: User, public_community: Community, members_only_community: Community
) -> None:
    # The owner coordinates both communities; the request belongs to members-only, the URL to public.
    request_ = services.community_join(community=members_only_community, user=outsider)
    stranger_community = CommunityFactory(name="Elsewhere", slug="elsewhere")
    other_member = _add(stranger_community, outsider)
    client = page_client(owner)

    responses = [
        client.post(_url(public_community, f"requests/{request_.id}/approve")),
        client.post(_url(public_community, f"members/{other_member.id}/role"), {"role": Role.COORDINATOR}),
        client.post(_url(public_community, f"members/{other_member.id}/remove")),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert _state(members_only_community, outsider) == (MembershipState.REQUESTED, Role.MEMBER)
    assert _state(stranger_community, outsider) == (MembershipState.ACTIVE, Role.MEMBER)


def test_member_leaves_a_community(member: User, public_community: Community) -> None:
    response = page_client(member).post(_url(public_community, "leave"), follow=True)

    assert _state(public_community, member) == (MembershipState.LEFT, Role.MEMBER)
    assert "You are no longer in Public Wells." in _messages(response)


def test_last_coordinator_cannot_leave_and_is_told_why(owner: User, public_community: Community) -> None:
    response = page_client(owner).post(_url(public_community, "leave"), follow=True)

    assert response.status_code == 200
    assert any("last coordinator" in m for m in _messages(response))
    assert "last coordinator" in page_html(response)
    assert _state(public_community, owner) == (MembershipState.ACTIVE, Role.COORDINATOR)


def test_coordinator_changes_a_members_role_from_the_member_page(
    owner: User, member: User, public_community: Community
) -> None:
    client = page_client(owner)
    membership = Membership.objects.get(community=public_community, user=member)
    members_page = page_html(client.get(_url(public_community, "members")))
    assert _url(public_community, f"members/{membership.id}/role") in members_page

    response = client.post(
        _url(public_community, f"members/{membership.id}/role"), {"role": Role.CORE}, follow=True
    )

    assert _state(public_community, member) == (MembershipState.ACTIVE, Role.CORE)
    assert "member is now core member." in _messages(response)
    assert response.redirect_chain[-1][0] == _url(public_community, "members")


def test_unknown_role_is_refused_with_a_message_and_nothing_changes(
    owner: User, member: User, public_community: Community
) -> None:
    membership = Membership.objects.get(community=public_community, user=member)

    response = page_client(owner).post(
        _url(public_community, f"members/{membership.id}/role"), {"role": "overlord"}, follow=True
    )

    assert response.status_code == 200
    assert "Choose one of the roles: coordinator, core, member, sponsor." in _messages(response)
    assert _state(public_community, member) == (MembershipState.ACTIVE, Role.MEMBER)


def test_last_coordinator_cannot_demote_themself(owner: User, public_community: Community) -> None:
    membership = Membership.objects.get(community=public_community, user=owner)

    response = page_client(owner).post(
        _url(public_community, f"members/{membership.id}/role"), {"role": Role.MEMBER}, follow=True
    )

    assert any("last coordinator" in m for m in _messages(response))
    assert _state(public_community, owner) == (MembershipState.ACTIVE, Role.COORDINATOR)


def test_coordinator_removes_a_member_from_the_member_page(
    owner: User, member: User, public_community: Community
) -> None:
    membership = Membership.objects.get(community=public_community, user=member)
    client = page_client(owner)

    response = client.post(_url(public_community, f"members/{membership.id}/remove"), follow=True)

    assert _state(public_community, member) == (MembershipState.REMOVED, Role.MEMBER)
    assert "member is removed from the community." in _messages(response)
    assert "/people/member/" not in page_html(response)


@pytest.mark.parametrize("action", ["role", "remove"])
def test_member_cannot_change_roles_or_remove_people(
    action: str, member: User, owner: User, public_community: Community
) -> None:
    membership = Membership.objects.get(community=public_community, user=owner)

    response = page_client(member).post(
        _url(public_community, f"members/{membership.id}/{action}"), {"role": "member"}
    )

    assert response.status_code == 403
    assert _state(public_community, owner) == (MembershipState.ACTIVE, Role.COORDINATOR)


@pytest.mark.parametrize(
    "path",
    [
        "join",
        "leave",
        "invitation/respond",
        "requests/1/approve",
        "members/1/role",
        "members/1/remove",
        "invitations/1/revoke",
    ],
)
def test_post_only_endpoints_answer_405_to_get(path: str, owner: User, public_community: Community) -> None:
    assert page_client(owner).get(_url(public_community, path)).status_code == 405


def test_directory_and_community_page_answer_405_to_post(owner: User, public_community: Community) -> None:
    client = page_client(owner)

    assert client.post("/communities/").status_code == 405
    assert client.post(_url(public_community)).status_code == 405
    assert client.post(_url(public_community, "members")).status_code == 405


# --- Invitations ----------------------------------------------------------------------------------


def _invitation_path(text: str) -> str:
    match = re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", text)
    assert match, text
    return match.group(1)


def test_email_invitation_sends_a_link_that_lets_a_signed_in_person_join_with_the_role(
    owner: User,
    outsider: User,
    private_community: Community,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = page_client(owner).post(
            _url(private_community, "invitations"),
            {"email": "newcomer@example.org", "role": Role.CORE, "days": "7", "max_uses": "1"},
            follow=True,
        )

    assert "Invitation sent to newcomer@example.org." in _messages(response)
    assert "newcomer@example.org" in page_html(response)  # listed under open invitations
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["newcomer@example.org"]
    assert "Private Wells" in mailoutbox[0].subject
    path = _invitation_path(mailoutbox[0].body)

    anonymous_view = Client().get(path)
    assert anonymous_view.status_code == 200
    assert "You are invited to Private Wells" in page_html(anonymous_view)
    assert "Create an account" in page_html(anonymous_view)

    client = page_client(outsider)
    assert "Accept and join" in page_html(client.get(path))
    response = client.post(path)

    assert response.status_code == 302
    assert response["Location"] == _url(private_community)
    assert _state(private_community, outsider) == (MembershipState.ACTIVE, Role.CORE)
    assert Invitation.objects.get().use_count == 1
    assert client.get(_url(private_community)).status_code == 200


def test_anonymous_visitor_accepting_an_invitation_is_sent_to_sign_in(
    owner: User, private_community: Community
) -> None:
    invitation = services.invitation_create(community=private_community, actor=owner, max_uses=5)
    path = _invitation_path(services.invitation_url(invitation))

    response = Client().post(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"
    assert Invitation.objects.get().use_count == 0


def test_invitation_link_without_email_is_shown_once_created(
    owner: User, public_community: Community
) -> None:
    response = page_client(owner).post(
        _url(public_community, "invitations"),
        {"email": "", "role": Role.MEMBER, "days": "14", "max_uses": "3"},
    )

    assert response.status_code == 200
    assert "Your invitation link is ready." in page_html(response)
    invitation = Invitation.objects.get()
    assert invitation.max_uses == 3
    # The token is signed with the time (signing.dumps): compare what the link opens, not its text, or the test
    # fails whenever the page and this line fall on either side of a second.
    prefix = services.invitation_url(invitation).rsplit("/invitations/", 1)[0] + "/invitations/"
    shown = re.search(re.escape(prefix) + r"([^/\s\"<]+)/", page_html(response))
    assert shown is not None
    assert services.invitation_from_token(shown.group(1)) == invitation


def test_core_member_cannot_invite_as_coordinator(core: User, public_community: Community) -> None:
    response = page_client(core).post(
        _url(public_community, "invitations"),
        {"email": "x@example.org", "role": Role.COORDINATOR, "days": "7", "max_uses": "1"},
    )

    assert response.status_code == 400
    assert "Only coordinators can invite with a role other than member." in field_errors(
        page_html(response), "role"
    )
    assert not Invitation.objects.exists()


def test_tampered_invitation_link_is_404_with_a_clear_message(
    owner: User, private_community: Community
) -> None:
    invitation = services.invitation_create(community=private_community, actor=owner, max_uses=5)
    token = services.invitation_token(invitation)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    response = Client().get(f"/invitations/{tampered}/")

    assert response.status_code == 404
    assert "This invitation link is not valid. Check that you copied all of it." in page_html(response)
    assert "Private Wells" not in page_html(response)


def test_expired_invitation_link_is_410_with_a_clear_message(
    owner: User, outsider: User, private_community: Community
) -> None:
    invitation = services.invitation_create(community=private_community, actor=owner, max_uses=5)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    path = _invitation_path(services.invitation_url(invitation))
    client = page_client(outsider)

    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        assert "This invitation link has expired. Ask for a new one." in page_html(response)
    assert _state(private_community, outsider) is None


def test_used_up_invitation_link_is_410(owner: User, outsider: User, private_community: Community) -> None:
    invitation = services.invitation_create(community=private_community, actor=owner, max_uses=1)
    path = _invitation_path(services.invitation_url(invitation))
    first = UserFactory(username="first")
    assert page_client(first).post(path).status_code == 302

    response = page_client(outsider).post(path)

    assert response.status_code == 410
    assert "This invitation has already been used." in page_html(response)
    assert _state(private_community, outsider) is None
    assert _state(private_community, first) == (MembershipState.ACTIVE, Role.MEMBER)


def test_coordinator_withdraws_an_invitation_and_its_link_stops_working(
    owner: User, outsider: User, private_community: Community
) -> None:
    invitation = services.invitation_create(community=private_community, actor=owner, max_uses=5)
    path = _invitation_path(services.invitation_url(invitation))
    client = page_client(owner)
    page = page_html(client.get(_url(private_community, "invitations")))
    revoke_url = _url(private_community, f"invitations/{invitation.id}/revoke")
    assert revoke_url in page

    response = client.post(revoke_url, follow=True)

    assert "The invitation is withdrawn." in _messages(response)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    refused = page_client(outsider).post(path)
    assert refused.status_code == 410
    assert "This invitation has been withdrawn." in page_html(refused)
    assert _state(private_community, outsider) is None


def test_member_cannot_withdraw_an_invitation(
    owner: User, member: User, private_community: Community
) -> None:
    invitation = services.invitation_create(community=private_community, actor=owner, max_uses=5)

    response = page_client(member).post(_url(private_community, f"invitations/{invitation.id}/revoke"))

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_invitation_of_another_community_cannot_be_withdrawn_here(
    owner: User, public_community: Community, private_community: Community
) -> None:
    invitation = services.invitation_create(community=private_community, actor=owner, max_uses=5)

    response = page_client(owner).post(_url(public_community, f"invitations/{invitation.id}/revoke"))

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- Recruitment ----------------------------------------------------------------------------------


@pytest.fixture
def candidate(org: Organization) -> User:
    return cast(
        User,
        UserFactory(
            username="cementer",
            expertise=["Well integrity", "Cementing"],
            organization=org,
            discipline="Drilling",
        ),
    )


def test_recruit_page_lists_people_whose_expertise_matches_the_topics(
    owner: User, member: User, outsider: User, candidate: User, public_community: Community
) -> None:
    html = page_html(page_client(owner).get(_url(public_community, "recruit")))

    assert "/people/cementer/" in html
    assert "Norsk Boring" in html
    assert "Well integrity" in html
    assert "/people/outsider/" not in html  # no matching expertise
    assert "/people/member/" not in html  # already a member


def test_recruiting_by_htmx_post_answers_with_the_invited_row(
    owner: User, candidate: User, public_community: Community
) -> None:
    response = page_client(owner).post(_url(public_community, "recruit"), {"user_id": candidate.id}, headers=HTMX)

    assert response.status_code == 200
    html = page_html(response)
    assert "<html" not in html
    assert f'id="candidate-{candidate.id}"' in html
    assert "is invited" in html
    assert _state(public_community, candidate) == (MembershipState.INVITED, Role.MEMBER)


@pytest.mark.parametrize("user_id", ["abc", "²", "99999999999999999999", "-1", "", "1.5"])
def test_recruiting_someone_who_cannot_exist_says_so(owner: User, public_community: Community, user_id: str) -> None:
    response = page_client(owner).post(_url(public_community, "recruit"), {"user_id": user_id}, follow=True)

    assert response.status_code == 200
    assert "That person does not exist." in _messages(response)


def test_recruiting_without_htmx_redirects_back_and_the_person_is_no_longer_a_candidate(
    owner: User, candidate: User, public_community: Community
) -> None:
    client = page_client(owner)

    response = client.post(_url(public_community, "recruit"), {"user_id": candidate.id}, follow=True)

    assert response.redirect_chain[-1][0] == _url(public_community, "recruit")
    assert "cementer is invited." in _messages(response)
    assert "/people/cementer/" not in page_html(response)
    assert _state(public_community, candidate) == (MembershipState.INVITED, Role.MEMBER)


def test_recruiting_an_unknown_person_says_so(owner: User, public_community: Community) -> None:
    response = page_client(owner).post(_url(public_community, "recruit"), {"user_id": "999999"}, follow=True)

    assert "That person does not exist." in _messages(response)
    assert Membership.objects.filter(community=public_community).count() == 2


def test_member_cannot_recruit(member: User, candidate: User, public_community: Community) -> None:
    response = page_client(member).post(_url(public_community, "recruit"), {"user_id": candidate.id})

    assert response.status_code == 403
    assert _state(public_community, candidate) is None


@pytest.mark.parametrize("who", ["owner", "member", "outsider", "anonymous"])
def test_a_readable_community_page_offers_search_and_who_knows_within_it(
    request: Any, who: str, public_community: Community, members_only_community: Community
) -> None:
    user = None if who == "anonymous" else request.getfixturevalue(who)
    client = page_client(user)
    public = client.get(f"/communities/{public_community.slug}/").content.decode()
    assert f'<input type="hidden" name="community" value="{public_community.slug}">' in public
    assert f'href="/experts/?community={public_community.slug}">Who knows?</a>' in public
    members_only = client.get(f"/communities/{members_only_community.slug}/").content.decode()
    reads = who in ("owner", "member")
    assert (f'name="community" value="{members_only_community.slug}"' in members_only) is reads
    assert ('placeholder="Search this community…"' in members_only) is reads
