"""Who may do what with a community's events: one small predicate per right, each with the message a refusal
gives.

Everything here reads the viewer's ``Access`` to the event's community (``communities.selectors.Access``, computed
once per request) and, where the right depends on it, the event or the action. The services call the ``require_*``
guards before they write; the selectors turn the predicates into the pages' flags (``selectors.event_flags``); the
page views refuse early with the same guards, and the API with ``events.api.permissions``, which wraps them.

Reading is not a right one is refused with a message: whoever may not read the community gets the same 404 as
for an event that does not exist (``require_readable``), so a private community's events never leak.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from practica.communities.models import Community, MembershipState
from practica.communities.selectors import Access, AnyUser, communities_readable_by

if TYPE_CHECKING:
    from practica.events.models import ActionItem, Event

NOT_FOUND = "No such event."
CREATE_REFUSED = "Only coordinators and core members organise this community's events."
MANAGE_REFUSED = "Only the organiser or a coordinator can do this."
EDIT_REFUSED = "Only the organiser or a coordinator can edit this event."
RSVP_REFUSED = "Join this community to answer invitations to its meetings."
ACTION_CHANGE_REFUSED = "Only the action's owner, the organiser or a coordinator can change it."


def can_read(access: Access) -> bool:
    """Events are read by whoever reads the community (anyone for a public one, active members otherwise)."""
    return access.can_read


def can_create(access: Access) -> bool:
    """Coordinators and core members organise the community's meetings."""
    return access.is_core


def can_manage(event: Event, access: Access) -> bool:
    """The organiser (while an active member) and the community's coordinators manage an event: edit or
    cancel it, move or cancel one date, take attendance, write the agenda, notes and decisions, add actions and
    capture the notes as knowledge."""
    if access.can_coordinate:
        return True
    return access.is_member and event.organiser_id is not None and event.organiser_id == access.user.pk


# The rights of whoever manages the event, by name, so a caller says which one it checks.
can_edit = can_manage
can_cancel = can_manage
can_change_occurrence = can_manage
can_take_attendance = can_manage
can_write_up = can_manage
can_add_action = can_manage
can_capture_notes = can_manage


def can_rsvp(access: Access) -> bool:
    """Active members (and network admins) answer a meeting's invitation; readers of a public community who
    have not joined are asked to join first."""
    return access.is_member or access.is_admin


def can_change_action(action: ActionItem, event: Event, access: Access) -> bool:
    """An action is ticked done (or reopened) by its owner, the event's organiser or a coordinator."""
    return (access.user.is_authenticated and action.owner_id == access.user.pk) or can_manage(event, access)


def in_personal_calendar(access: Access) -> bool:
    """One's personal calendar feed (the signed URL) holds the events of the communities one is an active
    member of: private ones too, which is why the URL is a revocable credential. A community's own feed
    (``events.ics``) is for whoever reads it (``can_read``)."""
    return access.is_member


def personal_calendar_communities(user: AnyUser) -> QuerySet[Community]:
    """``in_personal_calendar`` for every community at once: those the person reads and is an active member of."""
    if not user.is_authenticated:
        return Community.objects.none()
    return communities_readable_by(user).filter(
        memberships__user=user, memberships__state=MembershipState.ACTIVE
    )


# --- Guards: the same rules as refusals -------------------------------------------------------------------


def require_readable(access: Access) -> None:
    """404 (never 403) for whoever may not read the community."""
    if not can_read(access):
        raise Http404(NOT_FOUND)


def require_create(access: Access) -> None:
    require_readable(access)
    if not can_create(access):
        raise PermissionDenied(CREATE_REFUSED)


def require_manage(event: Event, access: Access, message: str = MANAGE_REFUSED) -> None:
    require_readable(access)
    if not can_manage(event, access):
        raise PermissionDenied(message)


def require_edit(event: Event, access: Access) -> None:
    require_manage(event, access, EDIT_REFUSED)


def require_rsvp(access: Access) -> None:
    require_readable(access)
    if not can_rsvp(access):
        raise PermissionDenied(RSVP_REFUSED)


def require_change_action(action: ActionItem, event: Event, access: Access) -> None:
    require_readable(access)
    if not can_change_action(action, event, access):
        raise PermissionDenied(ACTION_CHANGE_REFUSED)
