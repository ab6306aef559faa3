"""DRF permission classes over ``events.permissions``, on the one adapter of ``practica.lib.api.permissions``: the
API refuses with the same rules and messages as the services' guards and the pages' flags.

Each class checks an object the view has read through the permission-scoped selector (so whoever may not read
the community has had its 404 already) and asks the view for the caller's ``access`` to that community.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from practica.events import permissions
from practica.lib.api.permissions import RulePermission


class CanCreateEvent(RulePermission):
    """Planning an event in the community (the object is the community): coordinators and core members."""

    rule = permissions.may_create
    reads_pass = True

    def object_arguments(self, request: Request, view: Any, obj: Any) -> tuple[Any, ...]:
        return (view.access,)


class CanManageEvent(RulePermission):
    """Editing or cancelling the event, changing a date, attendance, write-up, actions, capture: the organiser or
    a coordinator. Reads are for every reader."""

    rule = permissions.may_manage
    reads_pass = True

    def object_arguments(self, request: Request, view: Any, obj: Any) -> tuple[Any, ...]:
        return (obj, view.access)


class CanRsvp(RulePermission):
    """Answering a meeting's invitation: active members (and network admins)."""

    rule = permissions.may_rsvp

    def object_arguments(self, request: Request, view: Any, obj: Any) -> tuple[Any, ...]:
        return (view.access,)


class CanChangeAction(RulePermission):
    """Ticking an action done or reopening it: its owner, the event's organiser or a coordinator."""

    rule = permissions.may_change_action

    def object_arguments(self, request: Request, view: Any, obj: Any) -> tuple[Any, ...]:
        return (obj, obj.occurrence.event, view.access)
