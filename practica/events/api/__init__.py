"""The events API: serializers for every payload (``serializers``), permission classes over
``events.permissions`` (``permissions``) and the views (``views``), routed in ``practica/api/urls.py``."""

from practica.events.api.views import (
    ActionCreateView,
    ActionDetailView,
    AttendanceView,
    CaptureView,
    EventCancelView,
    EventDetailView,
    EventListView,
    MyActionsView,
    OccurrenceChangeView,
    RsvpView,
    WriteUpView,
)

__all__ = [
    "ActionCreateView",
    "ActionDetailView",
    "AttendanceView",
    "CaptureView",
    "EventCancelView",
    "EventDetailView",
    "EventListView",
    "MyActionsView",
    "OccurrenceChangeView",
    "RsvpView",
    "WriteUpView",
]
