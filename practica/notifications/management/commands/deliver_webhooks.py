"""Retry webhook deliveries whose backoff has passed (needed with backends that cannot defer tasks)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from practica.notifications.webhooks import deliver_due


class Command(BaseCommand):
    help = "Retry the webhook deliveries that are due. Safe to run from cron."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Attempted {deliver_due()} due webhook deliveries.")
