"""Services and selectors for communities, charters, membership, invitations and recruitment."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from practica.accounts.models import User
from practica.communities import selectors, services
from practica.communities.models import (
    Charter,
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
from practica.lib.testing.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db


def _create(creator: User, **overrides: object) -> Community:
    fields: dict[str, object] = {
        "creator": creator,
        "name": "Well integrity",
        "slug": "wells",
        "domain": "Keeping wells safe over their whole life.",
    }
    fields.update(overrides)
    return services.community_create(**fields)  # type: ignore[arg-type]


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- Creation -------------------------------------------------------------------------------------


def test_creator_becomes_the_active_coordinator(owner: User) -> None:
    community = _create(owner)

    membership = Membership.objects.get(community=community, user=owner)
    assert (membership.role, membership.state) == (Role.COORDINATOR, MembershipState.ACTIVE)
    assert membership.joined_at is not None
    assert selectors.community_access(community=community, user=owner).can_coordinate


def test_creation_stores_the_charter_with_its_goals(owner: User) -> None:
    community = _create(
        owner,
        purpose="Fewer well failures.",
        goals=[
            services.GoalData(description="Answer most questions", metric="reply_coverage_7d",
                              target_value=Decimal("0.8"), due_date=dt.date(2027, 6, 30)),
            services.GoalData(description="Meet monthly"),
        ],
        topics="Well integrity, Cementing",
    )

    charter = Charter.objects.get(community=community)
    assert charter.purpose == "Fewer well failures."
    goals = list(charter.goals.all())
    assert [g.description for g in goals] == ["Answer most questions", "Meet monthly"]
    assert goals[0].is_measurable and goals[0].target_value == Decimal("0.8")
    assert goals[0].due_date == dt.date(2027, 6, 30)
    assert not goals[1].is_measurable
    assert sorted(t.slug for t in community.topics.all()) == ["cementing", "well-integrity"]


def test_creation_is_recorded_in_the_history(owner: User) -> None:
    community = _create(owner, topics=["Cementing"])

    change = CommunityChange.objects.get(community=community)
    assert change.actor == owner
    assert change.summary == "Created the community"
    assert change.changes == {"name": [None, "Well integrity"], "topics": [None, ["cementing"]]}


@pytest.mark.parametrize("clashing_slug", ["wells", "Wells", "WELLS"])
def test_duplicate_slug_gives_a_field_error_and_creates_nothing(owner: User, clashing_slug: str) -> None:
    _create(owner, slug="wells")
    before = (Community.objects.count(), Membership.objects.count(), CommunityChange.objects.count())

    with pytest.raises(ValidationError) as exc:
        _create(owner, name="Another", slug=clashing_slug)

    assert "This address is not available; choose another." in _errors(exc)["slug"][0]
    assert (Community.objects.count(), Membership.objects.count(), CommunityChange.objects.count()) == before


def test_over_long_name_gives_a_field_error_and_creates_nothing(owner: User) -> None:
    with pytest.raises(ValidationError) as exc:
        _create(owner, name="x" * 121)

    assert "name" in _errors(exc)
    assert not Community.objects.exists()


def test_a_name_of_120_characters_is_accepted(owner: User) -> None:
    assert _create(owner, name="x" * 120).name == "x" * 120


@pytest.mark.parametrize("domain", ["", "   "])
def test_empty_domain_gives_a_field_error(owner: User, domain: str) -> None:
    with pytest.raises(ValidationError) as exc:
        _create(owner, domain=domain)

    assert "domain" in _errors(exc)
    assert not Community.objects.exists()


@pytest.mark.parametrize("slug", ["new", "api", "admin", "invitations"])
def test_reserved_slug_is_refused(owner: User, slug: str) -> None:
    with pytest.raises(ValidationError) as exc:
        _create(owner, slug=slug)

    assert "not available" in _errors(exc)["slug"][0]
    assert not Community.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("visibility", "secret"), ("stage", "dormant")])
def test_unknown_visibility_or_stage_is_refused(owner: User, field: str, value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        _create(owner, **{field: value})

    assert value in _errors(exc)[field][0]
    assert not Community.objects.exists()


def test_an_invalid_topic_rolls_back_the_whole_creation(owner: User) -> None:
    with pytest.raises(ValidationError) as exc:
        _create(owner, topics=["Cementing", "t" * 65])

    assert "topics" in _errors(exc)
    assert not Community.objects.exists()
    assert not Membership.objects.exists()


def test_a_target_value_without_a_metric_is_refused(owner: User) -> None:
    with pytest.raises(ValidationError) as exc:
        _create(owner, goals=[services.GoalData(description="Grow", target_value=Decimal(10))])

    assert "metric" in _errors(exc)["goals"][0]
    assert not Goal.objects.exists()


# --- Update ---------------------------------------------------------------------------------------


def test_coordinator_edits_and_every_change_is_in_the_history(community: Community, owner: User) -> None:
    old_domain = community.domain

    services.community_update(
        community=community, actor=owner, domain="Only integrity of producing wells.", stage=Stage.MATURING,
        topics=["Cementing"],
    )

    community.refresh_from_db()
    assert community.stage == Stage.MATURING
    latest = selectors.community_history(community=community).first()
    assert latest is not None and latest.actor == owner
    assert latest.changes == {
        "domain": [old_domain, "Only integrity of producing wells."],
        "stage": [Stage.POTENTIAL, Stage.MATURING],
        "topics": [["drilling", "well-integrity"], ["cementing"]],
    }


def test_an_update_that_changes_nothing_records_nothing(community: Community, owner: User) -> None:
    before = CommunityChange.objects.filter(community=community).count()

    services.community_update(community=community, actor=owner, name=community.name)

    assert CommunityChange.objects.filter(community=community).count() == before


def test_charter_changes_are_in_the_history_with_old_and_new_values(community: Community, owner: User) -> None:
    services.charter_update(
        community=community, actor=owner, purpose="Safer wells.", goals=[services.GoalData(description="Meet")]
    )

    latest = selectors.community_history(community=community).first()
    assert latest is not None
    assert latest.changes["purpose"] == ["", "Safer wells."]
    assert latest.changes["goals"][0] == []
    assert latest.changes["goals"][1][0]["description"] == "Meet"


def test_member_cannot_edit_the_community(community: Community, member: User) -> None:
    with pytest.raises(PermissionDenied):
        services.community_update(community=community, actor=member, name="Hijacked")

    community.refresh_from_db()
    assert community.name != "Hijacked"


def test_member_cannot_edit_the_charter(community: Community, member: User) -> None:
    with pytest.raises(PermissionDenied):
        services.charter_update(community=community, actor=member, purpose="Hijacked")

    assert Charter.objects.get(community=community).purpose == ""


def test_renaming_the_slug_to_another_communitys_slug_in_other_case_is_refused(
    community: Community, owner: User
) -> None:
    CommunityFactory(creator=owner, slug="cementing")

    with pytest.raises(ValidationError) as exc:
        services.community_update(community=community, actor=owner, slug="Cementing")

    assert "slug" in _errors(exc)
    community.refresh_from_db()
    assert community.slug == "public-wells"


def test_unknown_fields_are_refused_by_the_update(community: Community, owner: User) -> None:
    with pytest.raises(ValidationError):
        services.community_update(community=community, actor=owner, created_by=None)


# --- Visibility (selectors) -----------------------------------------------------------------------


def test_outsider_gets_404_on_private_community(private_community: Community, outsider: User) -> None:
    with pytest.raises(Http404):
        selectors.community_get_for_user(slug=private_community.slug, user=outsider)


def test_member_sees_private_community(private_community: Community, member: User) -> None:
    assert selectors.community_get_for_user(slug=private_community.slug, user=member) == private_community


def test_outsider_sees_members_only_community_exists_but_cannot_read_it(
    members_only_community: Community, outsider: User
) -> None:
    assert selectors.community_get_for_user(slug=members_only_community.slug, user=outsider)
    with pytest.raises(Http404):
        selectors.community_get_readable(slug=members_only_community.slug, user=outsider)


def test_directory_hides_private_communities_from_outsiders(
    public_community: Community, members_only_community: Community, private_community: Community,
    outsider: User, member: User,
) -> None:
    assert {c.slug for c in selectors.community_directory(user=outsider)} == {"public-wells", "members-wells"}
    assert {c.slug for c in selectors.community_directory(user=member)} == {
        "public-wells", "members-wells", "private-wells",
    }


def test_directory_annotates_member_count_and_own_role(public_community: Community, owner: User) -> None:
    row = selectors.community_directory(user=owner).get(pk=public_community.pk)

    assert row.active_members == 2  # type: ignore[attr-defined]
    assert (row.my_state, row.my_role) == (MembershipState.ACTIVE, Role.COORDINATOR)  # type: ignore[attr-defined]


# --- Membership -----------------------------------------------------------------------------------


def test_joining_a_public_community_makes_an_active_member(public_community: Community, outsider: User) -> None:
    membership = services.community_join(community=public_community, user=outsider)

    assert (membership.state, membership.role) == (MembershipState.ACTIVE, Role.MEMBER)


def test_joining_members_only_makes_a_request_the_coordinator_approves(
    members_only_community: Community, owner: User, outsider: User, mailoutbox: list, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request = services.community_join(community=members_only_community, user=outsider, message="I drill.")
    assert request.state == MembershipState.REQUESTED
    assert [m.to for m in mailoutbox] == [[owner.email]]
    assert list(selectors.pending_requests(community=members_only_community)) == [request]

    approved = services.membership_decide(
        community=members_only_community, actor=owner, membership_id=request.id, approve=True
    )

    assert approved.state == MembershipState.ACTIVE
    assert selectors.community_access(community=members_only_community, user=outsider).can_read


def test_coordinator_declines_a_request(members_only_community: Community, owner: User, outsider: User) -> None:
    request = services.community_join(community=members_only_community, user=outsider)

    services.membership_decide(community=members_only_community, actor=owner, membership_id=request.id, approve=False)

    request.refresh_from_db()
    assert request.state == MembershipState.DECLINED
    assert not selectors.community_access(community=members_only_community, user=outsider).can_read


def test_nobody_approves_their_own_request(members_only_community: Community, outsider: User) -> None:
    admin = UserFactory(is_superuser=True)
    own = services.community_join(community=members_only_community, user=admin)
    assert own.state == MembershipState.REQUESTED

    with pytest.raises(PermissionDenied):
        services.membership_decide(community=members_only_community, actor=admin, membership_id=own.id, approve=True)

    own.refresh_from_db()
    assert own.state == MembershipState.REQUESTED


def test_requester_cannot_approve_their_own_request(members_only_community: Community, outsider: User) -> None:
    own = services.community_join(community=members_only_community, user=outsider)

    with pytest.raises(PermissionDenied):
        services.membership_decide(
            community=members_only_community, actor=outsider, membership_id=own.id, approve=True
        )

    own.refresh_from_db()
    assert own.state == MembershipState.REQUESTED


def test_acting_on_another_communitys_member_is_404_and_changes_nothing(
    public_community: Community, owner: User
) -> None:
    other = CommunityFactory(visibility=Visibility.MEMBERS_ONLY)
    stranger = UserFactory()
    foreign = services.community_join(community=other, user=stranger)

    with pytest.raises(Http404):
        services.membership_decide(community=public_community, actor=owner, membership_id=foreign.id, approve=True)
    with pytest.raises(Http404):
        services.membership_set_role(
            community=public_community, actor=owner, membership_id=foreign.id, role=Role.CORE
        )
    with pytest.raises(Http404):
        services.membership_remove(community=public_community, actor=owner, membership_id=foreign.id)

    foreign.refresh_from_db()
    assert (foreign.state, foreign.role) == (MembershipState.REQUESTED, Role.MEMBER)


def test_joining_twice_is_idempotent(public_community: Community, outsider: User) -> None:
    first = services.community_join(community=public_community, user=outsider)
    history = CommunityChange.objects.filter(community=public_community).count()

    second = services.community_join(community=public_community, user=outsider)

    assert second.pk == first.pk and second.state == MembershipState.ACTIVE
    assert Membership.objects.filter(community=public_community, user=outsider).count() == 1
    assert CommunityChange.objects.filter(community=public_community).count() == history


def test_requesting_twice_keeps_one_pending_request(members_only_community: Community, outsider: User) -> None:
    services.community_join(community=members_only_community, user=outsider)
    again = services.community_join(community=members_only_community, user=outsider)

    assert again.state == MembershipState.REQUESTED
    assert selectors.pending_requests(community=members_only_community).count() == 1


def test_joining_a_private_community_is_404(private_community: Community, outsider: User) -> None:
    with pytest.raises(Http404):
        services.community_join(community=private_community, user=outsider)

    assert not Membership.objects.filter(community=private_community, user=outsider).exists()


def test_member_leaves(public_community: Community, member: User) -> None:
    services.community_leave(community=public_community, user=member)

    assert Membership.objects.get(community=public_community, user=member).state == MembershipState.LEFT
    assert member not in [m.user for m in selectors.members_list(community=public_community)]


def test_last_coordinator_cannot_leave_until_another_exists(
    public_community: Community, owner: User, member: User, membership_of
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.community_leave(community=public_community, user=owner)
    assert "last coordinator" in exc.value.messages[0]
    assert membership_of(public_community, owner).state == MembershipState.ACTIVE

    services.membership_set_role(
        community=public_community, actor=owner, membership_id=membership_of(public_community, member).id,
        role=Role.COORDINATOR,
    )
    services.community_leave(community=public_community, user=owner)

    assert membership_of(public_community, owner).state == MembershipState.LEFT


def test_last_coordinator_cannot_demote_themself_until_another_exists(
    public_community: Community, owner: User, member: User, membership_of
) -> None:
    own_id = membership_of(public_community, owner).id
    with pytest.raises(ValidationError) as exc:
        services.membership_set_role(community=public_community, actor=owner, membership_id=own_id, role=Role.MEMBER)
    assert "last coordinator" in _errors(exc)["role"][0]
    assert membership_of(public_community, owner).role == Role.COORDINATOR

    services.membership_set_role(
        community=public_community, actor=owner, membership_id=membership_of(public_community, member).id,
        role=Role.COORDINATOR,
    )
    services.membership_set_role(community=public_community, actor=owner, membership_id=own_id, role=Role.MEMBER)

    assert membership_of(public_community, owner).role == Role.MEMBER


def test_role_change_is_recorded_with_old_and_new_role(
    public_community: Community, owner: User, member: User, membership_of
) -> None:
    services.membership_set_role(
        community=public_community, actor=owner, membership_id=membership_of(public_community, member).id,
        role=Role.CORE,
    )

    latest = selectors.community_history(community=public_community).first()
    assert latest is not None and latest.changes == {"role": [Role.MEMBER, Role.CORE]}


def test_unknown_role_is_refused(public_community: Community, owner: User, member: User, membership_of) -> None:
    with pytest.raises(ValidationError) as exc:
        services.membership_set_role(
            community=public_community, actor=owner, membership_id=membership_of(public_community, member).id,
            role="overlord",
        )

    assert "role" in _errors(exc)
    assert membership_of(public_community, member).role == Role.MEMBER


def test_member_cannot_change_roles(public_community: Community, member: User, membership_of) -> None:
    with pytest.raises(PermissionDenied):
        services.membership_set_role(
            community=public_community, actor=member, membership_id=membership_of(public_community, member).id,
            role=Role.COORDINATOR,
        )

    assert membership_of(public_community, member).role == Role.MEMBER


def test_coordinator_removes_a_member(public_community: Community, owner: User, member: User, membership_of) -> None:
    services.membership_remove(
        community=public_community, actor=owner, membership_id=membership_of(public_community, member).id
    )

    assert membership_of(public_community, member).state == MembershipState.REMOVED
    assert not selectors.community_access(community=public_community, user=member).is_member


def test_member_cannot_remove_anyone(public_community: Community, owner: User, member: User, membership_of) -> None:
    with pytest.raises(PermissionDenied):
        services.membership_remove(
            community=public_community, actor=member, membership_id=membership_of(public_community, owner).id
        )

    assert membership_of(public_community, owner).state == MembershipState.ACTIVE


# --- Invitations ----------------------------------------------------------------------------------


def test_email_invitation_is_sent_after_commit_with_a_link(
    private_community: Community, owner: User, mailoutbox: list, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(community=private_community, actor=owner, email="new@example.org")

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new@example.org"]
    # The token is signed with the time: check that the link in the email opens this invitation.
    prefix = services.invitation_url(invitation).rsplit("/invitations/", 1)[0] + "/invitations/"
    sent = re.search(re.escape(prefix) + r"([^/\s]+)/", mailoutbox[0].body)
    assert sent is not None
    assert services.invitation_from_token(sent.group(1)) == invitation


def test_accepting_an_invitation_makes_an_active_member_with_the_invited_role(
    private_community: Community, owner: User, outsider: User
) -> None:
    invitation = services.invitation_create(community=private_community, actor=owner, role=Role.CORE)

    membership = services.invitation_accept(token=services.invitation_token(invitation), user=outsider)

    assert (membership.state, membership.role) == (MembershipState.ACTIVE, Role.CORE)
    invitation.refresh_from_db()
    assert invitation.use_count == 1


def test_tampered_invitation_token_is_rejected(private_community: Community, owner: User, outsider: User) -> None:
    token = services.invitation_token(services.invitation_create(community=private_community, actor=owner))

    with pytest.raises(services.InvitationInvalid) as exc:
        services.invitation_accept(token=token[:-2] + ("AA" if not token.endswith("AA") else "BB"), user=outsider)

    assert exc.value.status == 404
    assert not Membership.objects.filter(community=private_community, user=outsider).exists()


def test_expired_invitation_is_gone(private_community: Community, owner: User, outsider: User) -> None:
    invitation = services.invitation_create(community=private_community, actor=owner)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    with pytest.raises(services.InvitationInvalid) as exc:
        services.invitation_accept(token=services.invitation_token(invitation), user=outsider)

    assert exc.value.status == 410
    assert "expired" in exc.value.message
    assert not Membership.objects.filter(community=private_community, user=outsider).exists()


def test_only_coordinators_and_core_members_invite(public_community: Community, member: User) -> None:
    with pytest.raises(PermissionDenied):
        services.invitation_create(community=public_community, actor=member, email="x@example.org")

    assert not Invitation.objects.exists()


def test_core_member_invites_members_but_not_coordinators(
    public_community: Community, owner: User, member: User, membership_of
) -> None:
    Membership.objects.filter(pk=membership_of(public_community, member).pk).update(role=Role.CORE)

    with pytest.raises(PermissionDenied):
        services.invitation_create(community=public_community, actor=member, role=Role.COORDINATOR)
    invitation = services.invitation_create(community=public_community, actor=member, role=Role.MEMBER)

    assert list(Invitation.objects.all()) == [invitation]


@pytest.mark.parametrize(("field", "kwargs"), [("days", {"days": 0}), ("days", {"days": 91}),
                                               ("max_uses", {"max_uses": 0})])
def test_invitation_lifetime_and_uses_are_bounded(
    public_community: Community, owner: User, field: str, kwargs: dict[str, int]
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.invitation_create(community=public_community, actor=owner, **kwargs)

    assert field in _errors(exc)
    assert not Invitation.objects.exists()


# --- Recruitment ----------------------------------------------------------------------------------


def test_recruitment_suggests_matching_non_members_only(public_community: Community, member: User) -> None:
    driller = UserFactory(expertise=["Well Integrity"])
    by_discipline = UserFactory(discipline="Drilling engineering")
    UserFactory(expertise=["Baking"])
    member.profile.expertise.set(public_community.topics.all())
    no_email = UserFactory(email="", expertise=["Drilling"])

    found = list(selectors.recruitment_candidates(community=public_community))

    assert driller in found and by_discipline in found
    assert member not in found and no_email not in found
    assert len(found) == 2


def test_recruit_invitation_then_acceptance_makes_an_active_member(public_community: Community, owner: User) -> None:
    driller = UserFactory(expertise=["Drilling"])

    invited = services.member_invite(community=public_community, actor=owner, user=driller)
    assert invited.state == MembershipState.INVITED
    assert driller not in selectors.recruitment_candidates(community=public_community)

    accepted = services.invitation_respond(community=public_community, user=driller, accept=True)

    assert (accepted.state, accepted.role) == (MembershipState.ACTIVE, Role.MEMBER)


def test_invited_person_may_decline(private_community: Community, owner: User, outsider: User) -> None:
    services.member_invite(community=private_community, actor=owner, user=outsider)
    assert selectors.community_get_for_user(slug=private_community.slug, user=outsider)

    declined = services.invitation_respond(community=private_community, user=outsider, accept=False)

    assert declined.state == MembershipState.DECLINED
    with pytest.raises(Http404):
        selectors.community_get_for_user(slug=private_community.slug, user=outsider)


def test_inviting_an_active_member_is_refused(public_community: Community, owner: User, member: User) -> None:
    with pytest.raises(ValidationError):
        services.member_invite(community=public_community, actor=owner, user=member)

    assert Membership.objects.get(community=public_community, user=member).state == MembershipState.ACTIVE


def test_person_profile_lists_only_communities_the_viewer_may_see(
    public_community: Community, private_community: Community, member: User, outsider: User
) -> None:
    seen_by_outsider = {m.community.slug for m in selectors.user_communities(user=member, viewer=outsider)}
    seen_by_member = {m.community.slug for m in selectors.user_communities(user=member, viewer=member)}

    assert seen_by_outsider == {"public-wells"}
    assert seen_by_member == {"public-wells", "private-wells"}

