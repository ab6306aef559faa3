"""Who may do what in a community: the viewer's access, and one rule per thing they may do, with its message.

``Access`` says what one person is in one community (member, role, network admin). Each ``Rule`` is a small
predicate over it and the refusal a person reads when it says no (the one form of ``practica/lib/permissions.py``).
Services call ``RULE.require(access)`` as a guard, selectors and templates read ``RULE(access)`` (through
``access.may.<rule>``) to show or hide a link, and the pages and the API ask the same rules (the API through
``practica.communities.api.permissions``). A rule written twice is a rule that drifts: add a rule here rather than
testing a role anywhere else.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState, Role, Visibility
from practica.lib.permissions import Rule as Rule

AnyUser = User | AnonymousUser


def is_network_admin(user: AnyUser) -> bool:
    """Network admins (superusers) may see and do everything in every community."""
    return bool(user.is_authenticated and user.is_superuser)


def membership_get(*, community: Community, user: AnyUser) -> Membership | None:
    """The person's membership of the community in any state (invited, requested, active, left...), if any."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(community=community, user=user).first()


class Access:
    """What one person is in one community, computed once per request (one query for the membership)."""

    def __init__(self, community: Community, user: AnyUser, membership: Membership | None = None) -> None:
        self.community = community
        self.user = user
        self.membership = membership if membership is not None else membership_get(community=community, user=user)
        self.is_admin = is_network_admin(user)

    @property
    def is_member(self) -> bool:
        return self.membership is not None and self.membership.state == MembershipState.ACTIVE

    @property
    def role(self) -> str | None:
        return self.membership.role if self.is_member and self.membership else None

    @property
    def can_read(self) -> bool:
        return self.community.visibility == Visibility.PUBLIC or self.is_member or self.is_admin

    @property
    def can_coordinate(self) -> bool:
        return self.role == Role.COORDINATOR or self.is_admin

    @property
    def is_core(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.CORE) or self.is_admin

    @property
    def can_invite(self) -> bool:
        return INVITE(self)

    @property
    def may(self) -> Permitted:
        """The rules as page flags: ``{% if access.may.see_history %}`` (names in ``RULES``)."""
        return Permitted(self)

    @property
    def can_join(self) -> bool:
        if not self.user.is_authenticated or self.is_member:
            return False
        if self.community.visibility == Visibility.PRIVATE:
            return False
        return not (self.membership and self.membership.state == MembershipState.REQUESTED)

    @property
    def has_pending_request(self) -> bool:
        return self.membership is not None and self.membership.state == MembershipState.REQUESTED

    @property
    def has_pending_invitation(self) -> bool:
        return self.membership is not None and self.membership.state == MembershipState.INVITED


def _coordinates(access: Access) -> bool:
    return access.can_coordinate


def _is_core(access: Access) -> bool:
    return access.is_core


COORDINATE = Rule(_coordinates, "Only coordinators can do this.")
EDIT_COMMUNITY = Rule(_coordinates, "Only coordinators can edit this community.")
EDIT_CHARTER = Rule(_coordinates, "Only coordinators can edit the charter.")
SEE_HISTORY = Rule(_is_core, "The history is for coordinators and core members.")
SEE_REQUESTS = Rule(_coordinates, "Only coordinators can see requests to join.")
DECIDE_REQUESTS = Rule(_coordinates, "Only coordinators can approve or decline requests.")
MANAGE_MEMBERS = Rule(_coordinates, "Only coordinators manage members.")
CHANGE_ROLES = Rule(_coordinates, "Only coordinators can change roles.")
REMOVE_MEMBERS = Rule(_coordinates, "Only coordinators can remove members.")
INVITE = Rule(_is_core, "Only coordinators and core members can invite.")
INVITE_WITH_ROLE = Rule(_coordinates, "Only coordinators can invite with a role other than member.")
MANAGE_INVITATIONS = Rule(_is_core, "Only coordinators and core members manage invitations.")
RECRUIT = Rule(_is_core, "Only coordinators and core members can recruit.")

# The community's health (the insights app's dashboard), here so that the community's pages can show the link;
# insights.permissions re-exports them. Health: coordinators, core members, sponsors and network admins, and every
# active member of a community that is not private (transparency); a refusal is a 404, never a 403 (selectors).
# People (who is on which level, who dropped out): coordinators and network admins; a 403 to who sees the health.
HEALTH_ROLES = (Role.COORDINATOR, Role.CORE, Role.SPONSOR)


def _sees_health(access: Access) -> bool:
    if access.is_admin:
        return True
    if not access.is_member:
        return False
    return access.role in HEALTH_ROLES or not access.community.is_private


SEE_HEALTH = Rule(_sees_health, "No such community.", hidden=True)
SEE_PEOPLE = Rule(_coordinates, "Only coordinators see who is behind these numbers.")


def _signed_in(user: AnyUser) -> bool:
    return bool(user.is_authenticated)


# What a person does before they have any access to a community: only signed in.
CREATE_COMMUNITY = Rule(_signed_in, "Sign in to create a community.")
JOIN = Rule(_signed_in, "Sign in to join.")
ACCEPT_INVITATION = Rule(_signed_in, "Sign in to accept the invitation.")

# The rules templates read as ``access.may.<name>``: the community's own, and those the apps above add with
# ``register`` (discussions' see_unheard, see_flags, start_thread; importers' import_content; audit's
# see_audit_log; notifications' manage_webhooks).
RULES: dict[str, Rule[[Access]]] = {
    "coordinate": COORDINATE,
    "edit_community": EDIT_COMMUNITY,
    "edit_charter": EDIT_CHARTER,
    "see_history": SEE_HISTORY,
    "see_requests": SEE_REQUESTS,
    "decide_requests": DECIDE_REQUESTS,
    "manage_members": MANAGE_MEMBERS,
    "change_roles": CHANGE_ROLES,
    "remove_members": REMOVE_MEMBERS,
    "invite": INVITE,
    "invite_with_role": INVITE_WITH_ROLE,
    "manage_invitations": MANAGE_INVITATIONS,
    "recruit": RECRUIT,
    "see_health": SEE_HEALTH,
    "see_people": SEE_PEOPLE,
}


def register(name: str, rule: Rule[[Access]]) -> None:
    """Offer a higher floor's rule over a community access to the pages as ``access.may.<name>`` (the community's
    navigation and overview show its links by it). Called from the app's ``AppConfig.ready()``."""
    if RULES.get(name, rule) is not rule:
        raise ImproperlyConfigured(f"Two rules are named {name!r} (see RULES in practica/communities/permissions.py).")
    RULES[name] = rule


class Permitted:
    """What the viewer may do, by rule name, for templates: ``access.may.invite`` is ``INVITE(access)``."""

    def __init__(self, access: Access) -> None:
        self._access = access

    def __getattr__(self, name: str) -> bool:
        rule = RULES.get(name)
        if rule is None:
            raise AttributeError(f"No rule named {name!r} (see RULES in practica/communities/permissions.py).")
        return rule(self._access)
