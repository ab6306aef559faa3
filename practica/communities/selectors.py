"""Permission-scoped reads of communities and memberships.

Every page and API endpoint reads communities through these functions, so a private community answers 404
the same way everywhere to those who may not see it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from practica.accounts.models import User
from practica.communities.models import (
    Community,
    CommunityChange,
    Invitation,
    Membership,
    MembershipState,
    Role,
    Visibility,
)

# Access and AnyUser are re-exported: the content apps read a viewer's access through selectors.
from practica.communities.permissions import Access as Access
from practica.communities.permissions import AnyUser as AnyUser
from practica.communities.permissions import is_network_admin
from practica.lib import activity
from practica.lib.permissions import Rule
from practica.people.models import Organization
from practica.topics.models import Topic

ACTIVE = MembershipState.ACTIVE


def without_nul(value: str) -> str:
    """Filter text as the database can take it: PostgreSQL refuses NUL characters (a 500 otherwise)."""
    return value.replace("\x00", "")


def communities_visible_to(user: AnyUser) -> QuerySet[Community]:
    """Communities whose existence the user may know: public and members-only ones, and private ones they are in."""
    qs = Community.objects.all()
    if is_network_admin(user):
        return qs
    if not user.is_authenticated:
        return qs.exclude(visibility=Visibility.PRIVATE)
    # Invited people may see a private community's page, to accept or decline.
    is_member = Membership.objects.filter(
        community=OuterRef("pk"), user=user, state__in=[ACTIVE, MembershipState.INVITED]
    )
    return qs.filter(~Q(visibility=Visibility.PRIVATE) | Exists(is_member))


def communities_readable_by(user: AnyUser) -> QuerySet[Community]:
    """Communities whose content (threads, knowledge, events, members) the user may read."""
    qs = Community.objects.all()
    if is_network_admin(user):
        return qs
    if not user.is_authenticated:
        return qs.filter(visibility=Visibility.PUBLIC)
    is_member = Membership.objects.filter(community=OuterRef("pk"), user=user, state=ACTIVE)
    return qs.filter(Q(visibility=Visibility.PUBLIC) | Exists(is_member))


def communities_coordinated_by(user: AnyUser) -> QuerySet[Community]:
    """Communities where the user passes the coordinators' rules (``Access.can_coordinate`` for every community at
    once): those they coordinate, and every one for a network admin."""
    qs = Community.objects.all()
    if is_network_admin(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    coordinates = Membership.objects.filter(community=OuterRef("pk"), user=user, state=ACTIVE, role=Role.COORDINATOR)
    return qs.filter(Exists(coordinates))


def community_get_for_user(*, slug: str, user: AnyUser) -> Community:
    """The community with this slug if the user may know it exists, else 404."""
    community = communities_visible_to(user).select_related("charter").filter(slug__iexact=slug).first()
    if community is None:
        raise Http404("No such community.")
    return community


def community_access(*, community: Community, user: AnyUser) -> Access:
    access = Access(community, user)
    if access.can_read:
        activity.read(community=community, user=user)  # recorded after a successful GET (lib/activity.py)
    return access


def community_get_readable(*, slug: str, user: AnyUser) -> tuple[Community, Access]:
    """The community and the user's access if they may read its content; 404 otherwise."""
    community = community_get_for_user(slug=slug, user=user)
    access = Access(community, user)
    if not access.can_read:
        raise Http404("No such community.")
    activity.read(community=community, user=user)  # recorded after a successful GET (lib/activity.py)
    return community, access


def community_get_allowed(*, slug: str, user: AnyUser, rule: Rule[[Access]]) -> tuple[Community, Access]:
    """The community and the user's access if ``rule`` lets them act in it: 404 if they may not read it (it may
    as well not exist), 403 with the rule's message if they read it but may not do this."""
    community, access = community_get_readable(slug=slug, user=user)
    rule.require(access)
    return community, access


def topics_visible_to(user: AnyUser) -> QuerySet[Topic]:
    """Topics of the communities the user may know exist, by name (the directory's topic filter)."""
    return Topic.objects.filter(communities__in=communities_visible_to(user)).distinct().order_by("name")


def topics_with_counts(*, user: AnyUser, q: str = "") -> QuerySet[Topic]:
    """Topics in use by communities the user may know exist, with how many of those communities use each
    (``community_count``), by name; ``q`` filters by name or slug. One query."""
    visible = communities_visible_to(user).values("pk")
    qs = Topic.objects.filter(communities__in=visible)
    q = without_nul(q)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(slug__icontains=q))
    return qs.annotate(community_count=Count("communities", distinct=True)).order_by("name", "slug")


def topic_get_for_user(*, slug: str, user: AnyUser) -> tuple[Topic, QuerySet[Community]]:
    """A topic some community the user may know of uses, and those communities by name; 404 otherwise (a topic
    only a private community uses says something of it)."""
    communities = communities_visible_to(user).filter(topics__slug=slug).order_by("name")
    topic = Topic.objects.filter(slug=slug, communities__in=communities.values("pk")).first()
    if topic is None:
        raise Http404("No such topic.")
    return topic, communities


def community_directory(
    *,
    user: AnyUser,
    q: str = "",
    topic: str = "",
    organization: str = "",
    visibility: str = "",
    mine: bool = False,
) -> QuerySet[Community]:
    """The community directory for this user: visible communities with member counts, topics and own role.

    Costs a fixed number of queries whatever the number of rows (one, plus one for topics).
    """
    q, topic, organization, visibility = (without_nul(v) for v in (q, topic, organization, visibility))
    qs = communities_visible_to(user)
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(domain__icontains=q) | Q(topics__name__icontains=q) | Q(topics__slug__iexact=q)
        ).distinct()
    if topic:
        qs = qs.filter(topics__slug=topic)
    if organization:
        qs = qs.filter(organizations__slug=organization)
    if visibility:
        qs = qs.filter(visibility=visibility)
    qs = qs.annotate(
        active_members=Count("memberships", filter=Q(memberships__state=ACTIVE), distinct=True),
    )
    if user.is_authenticated:
        mine_qs = Membership.objects.filter(community=OuterRef("pk"), user=user)
        qs = qs.annotate(
            my_state=Subquery(mine_qs.values("state")[:1]),
            my_role=Subquery(mine_qs.values("role")[:1]),
        )
        if mine:
            qs = qs.filter(my_state=ACTIVE)
    return qs.prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("name")),
        Prefetch("organizations", queryset=Organization.objects.order_by("name")),
    ).order_by("name")


def members_list(
    *,
    community: Community,
    role: str = "",
    organization: str = "",
    discipline: str = "",
    expertise: str = "",
    location: str = "",
    q: str = "",
) -> QuerySet[Membership]:
    """Active members of a community with their background, filtered. Callers check read access first."""
    qs = Membership.objects.filter(community=community, state=ACTIVE)
    qs = members_filter(
        qs, role=role, organization=organization, discipline=discipline, expertise=expertise, location=location, q=q
    )
    return (
        qs.select_related("user", "user__profile", "user__profile__organization")
        .prefetch_related(Prefetch("user__profile__expertise", queryset=Topic.objects.order_by("name")))
        .order_by("role", "user__profile__display_name", "user__username")
        .distinct()
    )


def members_filter(
    queryset: QuerySet[Membership],
    *,
    role: str = "",
    organization: str = "",
    discipline: str = "",
    expertise: str = "",
    location: str = "",
    q: str = "",
) -> QuerySet[Membership]:
    """Narrow memberships (``members_list``'s) by role, organisation (slug or words of its name), discipline,
    expertise (topic slug or words of its name), location and name (``filters.MemberFilterSet``'s parameters)."""
    role, organization, discipline, expertise, location, q = (
        without_nul(v) for v in (role, organization, discipline, expertise, location, q)
    )
    qs = queryset
    if role:
        qs = qs.filter(role=role)
    if organization:
        qs = qs.filter(
            Q(user__profile__organization__slug=organization)
            | Q(user__profile__organization__name__icontains=organization)
        )
    if discipline:
        qs = qs.filter(user__profile__discipline__icontains=discipline)
    if expertise:
        qs = qs.filter(
            Q(user__profile__expertise__slug=expertise) | Q(user__profile__expertise__name__icontains=expertise)
        )
    if location:
        qs = qs.filter(user__profile__location__icontains=location)
    if q:
        qs = qs.filter(
            Q(user__username__icontains=q)
            | Q(user__profile__display_name__icontains=q)
            | Q(user__profile__job_title__icontains=q)
        )
    return qs


ROLE_ORDER = {Role.COORDINATOR: 0, Role.CORE: 1, Role.SPONSOR: 2, Role.MEMBER: 3}


def member_facets(*, community: Community) -> dict[str, Any]:
    """Counts by organisation, discipline and role: who is in the room (three queries)."""
    active = Membership.objects.filter(community=community, state=ACTIVE)
    return {
        "organizations": list(
            active.exclude(user__profile__organization=None)
            .values("user__profile__organization__slug", "user__profile__organization__name")
            .annotate(n=Count("id"))
            .order_by("-n", "user__profile__organization__name")
        ),
        "disciplines": list(
            active.exclude(user__profile__discipline="")
            .values("user__profile__discipline")
            .annotate(n=Count("id"))
            .order_by("-n", "user__profile__discipline")
        ),
        "roles": {row["role"]: row["n"] for row in active.values("role").annotate(n=Count("id"))},
    }


def pending_requests(*, community: Community) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(community=community, state=MembershipState.REQUESTED)
        .select_related("user", "user__profile", "user__profile__organization")
        .order_by("created_at")
    )


def pending_invitations(*, community: Community) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(community=community, state=MembershipState.INVITED)
        .select_related("user", "user__profile", "invited_by")
        .order_by("-created_at")
    )


def open_invitations(*, community: Community) -> QuerySet[Invitation]:
    return Invitation.objects.filter(community=community, revoked_at=None).select_related("created_by")


def community_history(*, community: Community) -> QuerySet[CommunityChange]:
    return CommunityChange.objects.filter(community=community).select_related("actor", "actor__profile")


def community_leaders(*, community: Community) -> QuerySet[Membership]:
    """Coordinators and sponsors, shown on the community page."""
    return (
        Membership.objects.filter(community=community, state=ACTIVE, role__in=[Role.COORDINATOR, Role.SPONSOR])
        .select_related("user", "user__profile", "user__profile__organization")
        .order_by("role", "user__username")
    )


def recruitment_candidates(*, community: Community, limit: int = 50) -> QuerySet[User]:
    """People who may belong here: registered, not active or invited, whose expertise or discipline matches
    the community's topics. Best matches first."""
    topic_ids = list(community.topics.values_list("id", flat=True))
    topic_names = list(community.topics.values_list("name", flat=True))
    if not topic_ids:
        return User.objects.none()
    discipline_match = Q()
    for name in topic_names:
        discipline_match |= Q(profile__discipline__icontains=name)
    excluded = Membership.objects.filter(
        community=community,
        state__in=[MembershipState.ACTIVE, MembershipState.INVITED, MembershipState.REQUESTED],
    ).values("user_id")
    return (
        User.objects.filter(is_active=True)
        .exclude(id__in=excluded)
        .exclude(email="")
        .filter(Q(profile__expertise__in=topic_ids) | discipline_match)
        .annotate(
            matching_topics=Count("profile__expertise", filter=Q(profile__expertise__in=topic_ids), distinct=True)
        )
        .select_related("profile", "profile__organization")
        .prefetch_related(
            Prefetch("profile__expertise", queryset=Topic.objects.filter(id__in=topic_ids).order_by("name"))
        )
        .order_by("-matching_topics", "username")
        .distinct()[:limit]
    )


def user_communities(*, user: User, viewer: AnyUser) -> QuerySet[Membership]:
    """Active memberships of a person, limited to communities the viewer may know exist."""
    visible = communities_visible_to(viewer).values("id")
    return (
        Membership.objects.filter(user=user, state=ACTIVE, community__in=visible)
        .select_related("community")
        .order_by("community__name")
    )


def my_invitations(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, state=MembershipState.INVITED).select_related("community", "invited_by")
