"""``python manage.py import_stackexchange DIR --community SLUG [--until YYYY-MM-DD] [--create]``"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from practica.accounts.models import User
from practica.communities.models import Visibility
from practica.importers.stackexchange import ImportError_, Progress, StackExchangeImporter, format_summary


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--until must be a date like 2018-06-01; got {value!r}.") from None


class Command(BaseCommand):
    help = "Import a Stack Exchange data dump folder into a community (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", help="Folder with Posts.xml, Users.xml, Comments.xml, Votes.xml, ...")
        parser.add_argument("--community", required=True, help="Slug of the community to import into.")
        parser.add_argument("--create", action="store_true", help="Create the community if it does not exist.")
        parser.add_argument("--until", type=_date, help="Import only content created before this date.")
        parser.add_argument("--site", help="Site name for external ids (default: the folder's name).")
        parser.add_argument(
            "--coordinator", help="Username of the coordinator of a created community (default: first superuser)."
        )
        parser.add_argument(
            "--visibility", default=Visibility.PUBLIC, choices=Visibility.values, help="Visibility of a created community."
        )
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        coordinator = None
        if options["coordinator"]:
            coordinator = User.objects.filter(username__iexact=options["coordinator"]).first()
            if coordinator is None:
                raise CommandError(f"No user “{options['coordinator']}”.")
        else:
            coordinator = User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
        verbosity = options["verbosity"]
        importer = StackExchangeImporter(
            options["folder"],
            community_slug=options["community"],
            site=options["site"],
            until=options["until"],
            create=options["create"],
            coordinator=coordinator,
            visibility=options["visibility"],
            # The raw stream behind self.stderr (call_command(stderr=...) redirects it); the wrapper would add a
            # newline to every write and break the bar redrawn in place on a terminal.
            progress=Progress(getattr(self.stderr, "_out", sys.stderr) if verbosity > 0 else None),
            batch_size=max(50, options["batch_size"]),
        )
        try:
            stats = importer.run()
        except ImportError_ as exc:
            raise CommandError(f"{exc} Nothing was imported.") from None
        if verbosity > 0:
            self.stdout.write(format_summary(stats))
