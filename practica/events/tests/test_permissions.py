"""events.permissions from every side: the coordinator, a core member who organises, a member, an outsider and the
anonymous visitor of a private community; the guards refuse with the rule's message, and the personal calendar's
query keeps the same rule as its predicate."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from practica.accounts.models import User
from practica.communities.models import Community, Role
from practica.communities.selectors import Access
from practica.events import permissions, services
from practica.events.models import Event
from practica.events.tests.conftest import soon
from practica.lib.testing.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(private_community: Community) -> User:
    person = UserFactory.create(username="organiser")
    MembershipFactory.create(community=private_community, user=person, role=Role.CORE)
    return person


@pytest.fixture
def meeting(private_community: Community, organiser: User, make_event: Callable[..., Event]) -> Event:
    return make_event(private_community, organiser=organiser, start=soon(days=-1), end=soon(days=-1, hour=19))


def test_who_may_do_what_with_an_event_of_a_private_community(
    private_community: Community, owner: User, organiser: User, member: User, outsider: User, meeting: Event
) -> None:
    def rights(user: User | AnonymousUser) -> tuple[bool, ...]:
        access = Access(private_community, user)
        return (
            permissions.may_read(access),
            permissions.may_create(access),
            permissions.may_manage(meeting, access),
            permissions.may_rsvp(access),
            permissions.in_personal_calendar(access),
        )

    assert rights(owner) == (True, True, True, True, True)  # the coordinator
    assert rights(organiser) == (True, True, True, True, True)  # a core member, organiser of this one
    assert rights(member) == (True, False, False, True, True)
    assert rights(outsider) == (False, False, False, False, False)
    assert rights(AnonymousUser()) == (False, False, False, False, False)


def test_another_core_member_organises_events_but_does_not_manage_someone_elses(
    private_community: Community, meeting: Event
) -> None:
    other = UserFactory.create()
    MembershipFactory.create(community=private_community, user=other, role=Role.CORE)
    access = Access(private_community, other)
    assert permissions.may_create(access) and not permissions.may_manage(meeting, access)
    with pytest.raises(PermissionDenied, match=permissions.MANAGE_REFUSED):
        permissions.may_manage.require(meeting, access)


def test_an_action_is_changed_by_its_owner_the_organiser_or_a_coordinator_only(
    private_community: Community, owner: User, organiser: User, member: User, outsider: User, meeting: Event
) -> None:
    action = services.action_create(
        event=meeting, actor=organiser, original_start=None, text="Log twice", owner_username="member"
    )
    other = UserFactory.create()
    MembershipFactory.create(community=private_community, user=other, role=Role.MEMBER)
    for person in (member, organiser, owner):
        assert permissions.may_change_action(action, meeting, Access(private_community, person))
    with pytest.raises(PermissionDenied, match=permissions.ACTION_CHANGE_REFUSED):
        permissions.may_change_action.require(action, meeting, Access(private_community, other))
    with pytest.raises(Http404):  # an outsider learns nothing, not even that it exists
        permissions.may_change_action.require(action, meeting, Access(private_community, outsider))


def test_the_personal_calendar_holds_the_communities_its_predicate_admits(
    private_community: Community, community: Community, owner: User, member: User, outsider: User
) -> None:
    for person in (owner, member, outsider):
        listed = set(permissions.personal_calendar_communities(person))
        admitted = {c for c in (private_community, community) if permissions.in_personal_calendar(Access(c, person))}
        assert listed == admitted
    assert set(permissions.personal_calendar_communities(member)) == {private_community, community}
    assert not permissions.personal_calendar_communities(outsider).exists()  # reading a public one is not enough
    assert not permissions.personal_calendar_communities(AnonymousUser()).exists()
