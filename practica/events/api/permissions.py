"""DRF permission classes over ``events.permissions``: the API refuses with the same rules and messages as the
services' guards and the pages' flags.

Each class checks an object the view has read through the permission-scoped selector (so whoever may not read
the community has had its 404 already) and asks the view for the caller's ``access`` to that community.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from practica.events import permissions
from practica.events.models import ActionItem, Event


def _access(view: Any) -> Any:
    return view.access


class CanCreateEvent(BasePermission):
    """Planning an event in the community (the object is the community): coordinators and core members."""

    message = permissions.CREATE_REFUSED

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return request.method in SAFE_METHODS or permissions.can_create(_access(view))


class CanManageEvent(BasePermission):
    """Editing or cancelling the event, changing a date, attendance, write-up, actions, capture: the organiser or
    a coordinator. Reads are for every reader."""

    message = permissions.MANAGE_REFUSED

    def has_object_permission(self, request: Request, view: Any, obj: Event) -> bool:
        return request.method in SAFE_METHODS or permissions.can_manage(obj, _access(view))


class CanRsvp(BasePermission):
    """Answering a meeting's invitation: active members (and network admins)."""

    message = permissions.RSVP_REFUSED

    def has_object_permission(self, request: Request, view: Any, obj: Event) -> bool:
        return permissions.can_rsvp(_access(view))


class CanChangeAction(BasePermission):
    """Ticking an action done or reopening it: its owner, the event's organiser or a coordinator."""

    message = permissions.ACTION_CHANGE_REFUSED

    def has_object_permission(self, request: Request, view: Any, obj: ActionItem) -> bool:
        return permissions.can_change_action(obj, obj.occurrence.event, _access(view))
