"""The notifications of communities, the floor below: a join request tells the coordinators. Communities cannot
word its notifications in a ``notifications.py`` of its own (it lies below this app), so it offers a hook
(``practica/communities/hooks.py``) that ``NotificationsConfig.ready()`` plugs :func:`join_requested` into; the
hook runs it once the request commits. The content apps word theirs in their own ``notifications.py``
(``practica/discussions/notifications.py``, ...)."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState, Role
from practica.notifications.models import Kind
from practica.notifications.services import notify

__all__ = ["join_requested"]


@transaction.atomic
def join_requested(community_id: int, user_id: int) -> None:
    community = Community.objects.filter(pk=community_id).first()
    user = User.objects.filter(pk=user_id).first()
    if community is None or user is None:
        return
    coordinators = [
        m.user
        for m in Membership.objects.filter(
            community=community, state=MembershipState.ACTIVE, role=Role.COORDINATOR
        ).select_related("user")
    ]
    notify(
        recipients=coordinators,
        kind=Kind.JOIN_REQUEST,
        subject=f"{user.display_name} asks to join {community.name}",
        url=reverse("communities:requests", kwargs={"slug": community.slug}),
        community=community,
        actor=user,
        target=user,
    )
