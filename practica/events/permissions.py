"""Who may do what with a community's events: one small predicate per right, each with the message a refusal
gives.

Everything here reads the viewer's ``Access`` to the event's community (``communities.selectors.Access``, computed
once per request) and, where the right depends on it, the event or the action, in the one form of
``practica/lib/permissions.py``. The services call ``rule.require(...)`` as their guard before they write; the
selectors turn ``rule(...)`` into the pages' flags (``selectors.event_flags``); the page views refuse early with the
same guards, and the API with ``events.api.permissions``, which wraps them.

Reading is not a right one is refused with a message: whoever may not read the community gets the same 404 as
for an event that does not exist (``may_read``, hidden), so a private community's events never leak; every other
rule asks it first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from practica.communities.models import Community, MembershipState
from practica.communities.selectors import Access, AnyUser, communities_readable_by
from practica.lib.permissions import Decision, decides, first_refusal, rule

if TYPE_CHECKING:
    from practica.events.models import ActionItem, Event

NOT_FOUND = "No such event."
CREATE_REFUSED = "Only coordinators and core members organise this community's events."
MANAGE_REFUSED = "Only the organiser or a coordinator can do this."
EDIT_REFUSED = "Only the organiser or a coordinator can edit this event."
RSVP_REFUSED = "Join this community to answer invitations to its meetings."
ACTION_CHANGE_REFUSED = "Only the action's owner, the organiser or a coordinator can change it."


@rule(NOT_FOUND, hidden=True)
def may_read(access: Access) -> bool:
    """Events are read by whoever reads the community (anyone for a public one, active members otherwise)."""
    return access.can_read


def _readable_and(access: Access, allowed: bool, message: str) -> Decision:
    """404 for whoever may not read the community, then ``allowed`` or refused with ``message``."""
    return first_refusal(may_read.decide(access), Decision(allowed, message))


@decides
def may_create(access: Access) -> Decision:
    """Coordinators and core members organise the community's meetings."""
    return _readable_and(access, access.is_core, CREATE_REFUSED)


def _manages(event: Event, access: Access) -> bool:
    if access.can_coordinate:
        return True
    return access.is_member and event.organiser_id is not None and event.organiser_id == access.user.pk


@decides
def may_manage(event: Event, access: Access) -> Decision:
    """The organiser (while an active member) and the community's coordinators manage an event: edit or
    cancel it, move or cancel one date, take attendance, write the agenda, notes and decisions, add actions and
    capture the notes as knowledge."""
    return _readable_and(access, _manages(event, access), MANAGE_REFUSED)


@decides
def may_edit(event: Event, access: Access) -> Decision:
    """Editing the event is managing it, refused in its own words."""
    return _readable_and(access, _manages(event, access), EDIT_REFUSED)


# The rights of whoever manages the event, by name, so a caller says which one it checks.
may_cancel = may_manage
may_change_occurrence = may_manage
may_take_attendance = may_manage
may_write_up = may_manage
may_add_action = may_manage
may_capture_notes = may_manage


@decides
def may_rsvp(access: Access) -> Decision:
    """Active members (and network admins) answer a meeting's invitation; readers of a public community who
    have not joined are asked to join first."""
    return _readable_and(access, access.is_member or access.is_admin, RSVP_REFUSED)


@decides
def may_change_action(action: ActionItem, event: Event, access: Access) -> Decision:
    """An action is ticked done (or reopened) by its owner, the event's organiser or a coordinator."""
    owns = access.user.is_authenticated and action.owner_id == access.user.pk
    return _readable_and(access, owns or _manages(event, access), ACTION_CHANGE_REFUSED)


def in_personal_calendar(access: Access) -> bool:
    """One's personal calendar feed (the signed URL) holds the events of the communities one is an active
    member of: private ones too, which is why the URL is a revocable credential. A community's own feed
    (``events.ics``) is for whoever reads it (``may_read``)."""
    return access.is_member


def personal_calendar_communities(user: AnyUser) -> QuerySet[Community]:
    """``in_personal_calendar`` for every community at once: those the person reads and is an active member of."""
    if not user.is_authenticated:
        return Community.objects.none()
    return communities_readable_by(user).filter(
        memberships__user=user, memberships__state=MembershipState.ACTIVE
    )
