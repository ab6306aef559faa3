"""Invitation links sent before the tokens moved to ``practica/lib/signing.py`` keep working."""

from __future__ import annotations

import pytest
from django.core import signing as django_signing

from practica.accounts.models import User
from practica.communities import services
from practica.communities.models import Community, MembershipState

pytestmark = pytest.mark.django_db

OLD_SALT = "practica.communities.invitation"


def test_an_invitation_link_made_the_old_way_still_opens_and_is_accepted(
    private_community: Community, owner: User, outsider: User
) -> None:
    invitation = services.invitation_create(community=private_community, actor=owner)
    old = django_signing.dumps(invitation.pk, salt=OLD_SALT)

    assert services.invitation_from_token(old) == invitation
    membership = services.invitation_accept(token=old, user=outsider)
    assert membership.state == MembershipState.ACTIVE


def test_an_invitation_link_made_now_carries_the_invitation_under_the_same_salt(
    private_community: Community, owner: User
) -> None:
    invitation = services.invitation_create(community=private_community, actor=owner)

    assert django_signing.loads(services.invitation_token(invitation), salt=OLD_SALT) == invitation.pk


def test_a_token_signed_for_another_purpose_is_no_invitation(private_community: Community, owner: User) -> None:
    invitation = services.invitation_create(community=private_community, actor=owner)
    other = django_signing.dumps(invitation.pk, salt="practica.events.calendar-feed")

    with pytest.raises(services.InvitationInvalid):
        services.invitation_from_token(other)
