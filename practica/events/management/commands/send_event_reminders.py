"""``manage.py send_event_reminders``: remind those who said yes or maybe, 24 hours before each meeting.

Safe from cron at any interval (every 10 minutes is good): each occurrence is reminded once, even when two
runs overlap, and a run that crashes leaves what it did not finish for the next one.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from practica.events import services
from practica.events.tasks import send_event_reminders_task


class Command(BaseCommand):
    help = "Send the 24-hour reminders of upcoming meetings (safe to run from cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the work as a task instead of running it."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = send_event_reminders_task.enqueue()
            self.stdout.write(f"Queued reminders task {result.id}.")
            return
        sent = services.send_event_reminders()
        self.stdout.write(f"Reminded {sent} meeting occurrence{'s' if sent != 1 else ''}.")
