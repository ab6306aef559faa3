"""Who may see a community's health and the people behind it: the selectors every surface reads through."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from practica.accounts.models import User
from practica.communities.models import Community, Role
from practica.communities.permissions import RULES, Access
from practica.insights import permissions
from practica.insights.selectors import health_get_allowed, health_people_allowed
from practica.lib.testing.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _with_role(community: Community, role: str) -> User:
    person = UserFactory.create(username=f"{role}-{community.slug}")
    MembershipFactory.create(community=community, user=person, role=role)
    return person


def test_the_insights_rules_are_the_communities_rules_by_name() -> None:
    assert permissions.SEE_HEALTH is RULES["see_health"]
    assert permissions.SEE_PEOPLE is RULES["see_people"]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CORE, Role.SPONSOR])
def test_coordinators_core_members_and_sponsors_see_a_private_communitys_health(
    private_community: Community, role: str
) -> None:
    person = _with_role(private_community, role)
    community, access = health_get_allowed(slug=private_community.slug, user=person)
    assert community == private_community and access.may.see_health


def test_a_plain_member_of_a_private_community_gets_404(private_community: Community, member: User) -> None:
    with pytest.raises(Http404):
        health_get_allowed(slug=private_community.slug, user=member)


def test_a_plain_member_of_a_public_or_members_only_community_sees_the_numbers(
    public_community: Community, members_only_community: Community, member: User
) -> None:
    for community in (public_community, members_only_community):
        assert health_get_allowed(slug=community.slug, user=member)[0] == community


def test_an_outsider_and_the_anonymous_visitor_get_404_even_for_a_public_community(
    public_community: Community, private_community: Community, outsider: User
) -> None:
    for community in (public_community, private_community):
        for person in (outsider, AnonymousUser()):
            with pytest.raises(Http404):
                health_get_allowed(slug=community.slug, user=person)


def test_a_network_admin_sees_a_private_communitys_health_and_people(private_community: Community) -> None:
    admin = User.objects.create_superuser("root", "root@example.org", "x")
    assert health_people_allowed(slug=private_community.slug, user=admin)[0] == private_community


def test_only_coordinators_see_the_people_others_who_see_the_numbers_get_403(
    public_community: Community, owner: User, member: User
) -> None:
    assert health_people_allowed(slug=public_community.slug, user=owner)[0] == public_community
    core = _with_role(public_community, Role.CORE)
    for person in (member, core, _with_role(public_community, Role.SPONSOR)):
        with pytest.raises(PermissionDenied):
            health_people_allowed(slug=public_community.slug, user=person)


def test_the_page_flags_follow_the_rules(private_community: Community, owner: User, member: User) -> None:
    assert Access(private_community, owner).may.see_people
    assert not Access(private_community, member).may.see_health
