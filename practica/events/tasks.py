"""Background work for events (Django Tasks API): the 24-hour reminders."""

from __future__ import annotations

from django_tasks import task

from practica.events import services


@task()
def send_event_reminders_task() -> int:
    """Remind people of tomorrow's meetings; safe to enqueue as often as wanted (never reminds twice)."""
    return services.send_event_reminders()
