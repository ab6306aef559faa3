"""``manage.py backfill_activity [--community SLUG] [--since YYYY-MM-DD]``: mark the contribution days of one
community, or of all, from the timestamps of their threads, replies and comments (after an import). Idempotent."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from practica.communities.models import Community
from practica.insights.services import activity_backfill


class Command(BaseCommand):
    help = "Mark each person's contribution days (DailyActivity) from the content's timestamps."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--community", help="The community's slug (default: every community).")
        parser.add_argument("--since", help="Only from this UTC day on (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options["since"]:
            try:
                since = date.fromisoformat(options["since"])
            except ValueError as error:
                raise CommandError(f"--since takes a date as YYYY-MM-DD: {error}") from error
        communities = Community.objects.order_by("slug")
        if options["community"]:
            communities = communities.filter(slug__iexact=options["community"])
            if not communities.exists():
                raise CommandError(f"No community {options['community']!r}.")
        for community in communities:
            marked = activity_backfill(community=community, since=since)
            self.stdout.write(f"{community.slug}: {marked} contribution days marked")
