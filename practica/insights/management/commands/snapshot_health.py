"""``manage.py snapshot_health [--community SLUG] [--day YYYY-MM-DD] [--backfill] [--enqueue]``: store the daily
health snapshots (``HealthSnapshot``) of one community or of all.

- Without ``--backfill``: each community's snapshot of ``--day`` (yesterday, UTC, by default). Run it from cron
  once a day after midnight UTC (more often is harmless: a snapshot is an upsert of the same values), or with
  ``--enqueue`` to queue the same work as a task.
- ``--backfill``: every day from the community's first contribution to ``--day`` (yesterday by default), from
  the content's timestamps in one pass; its contribution days (``DailyActivity``) are marked first.

Idempotent. A wrong argument (unknown community, a date that is not YYYY-MM-DD, a day after today) stops it with
a message before anything is written.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from practica.communities.models import Community
from practica.insights import services
from practica.insights.tasks import snapshot_health_task


class Command(BaseCommand):
    help = "Store the daily health snapshots of the communities (one day, or a whole history with --backfill)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--community", help="The community's slug (default: every community).")
        parser.add_argument("--day", help="The UTC day (YYYY-MM-DD; default: yesterday); with --backfill, the last.")
        parser.add_argument(
            "--backfill", action="store_true", help="Every day from the first contribution to --day, at once."
        )
        parser.add_argument("--enqueue", action="store_true", help="Queue the daily snapshots as a task instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = services.utc_today()
        day = today - timedelta(days=1)
        if options["day"]:
            try:
                day = date.fromisoformat(options["day"])
            except ValueError as error:
                raise CommandError(f"--day takes a date as YYYY-MM-DD: {error}") from error
            if day > today:
                raise CommandError(f"--day {day.isoformat()} has not ended yet: give today or an earlier day (UTC).")
        communities = Community.objects.order_by("slug")
        if options["community"]:
            communities = communities.filter(slug__iexact=options["community"])
            if not communities.exists():
                raise CommandError(f"No community {options['community']!r}.")
        if options["enqueue"]:
            if options["backfill"] or options["community"] or options["day"]:
                raise CommandError("--enqueue queues yesterday's snapshots of every community; it takes no other option.")
            result = snapshot_health_task.enqueue()
            self.stdout.write(f"Queued the health snapshots task {result.id}.")
            return
        for community in communities:
            if options["backfill"]:
                services.activity_backfill(community=community)
                stored = services.snapshot_backfill(community=community, last=day)
                self.stdout.write(f"{community.slug}: {stored} days of health history stored")
            else:
                services.snapshot_take(community=community, day=day)
                self.stdout.write(f"{community.slug}: health of {day.isoformat()} stored")
