"""``python manage.py build_latent_space [--if-stale] [--dimensions N]``: compute the space of latent semantic search."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from practica.search import latent


class Command(BaseCommand):
    help = "Compute the latent semantic space of the threads (see practica/search/latent.py) and place every thread in it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help=f"Only when there is none or the threads changed by {latent.STALE_SHARE:.0%} since (for cron).",
        )
        parser.add_argument("--dimensions", type=int, default=latent.DIMENSIONS, help="Dimensions of the space (default %(default)s).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not latent.available():
            raise CommandError("Latent search is switched off (PRACTICA_LATENT=off) or numpy/SciPy are not installed.")
        if not 2 <= options["dimensions"] <= 1000:
            raise CommandError("--dimensions must be between 2 and 1000.")
        if options["if_stale"] and not latent.is_stale():
            self.stdout.write("The latent space is up to date.")
            return
        report = latent.build(dimensions=options["dimensions"])
        if not report.documents:
            self.stdout.write(
                f"Not built: fewer than {latent.min_documents()} threads with words in two threads or more "
                "(searches keep their full-text ranking)."
            )
            return
        stages = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.stages.items())
        self.stdout.write(
            f"Placed {report.documents:,} threads in {report.dimensions} dimensions from {report.words:,} words "
            f"in {report.seconds:.1f} s ({stages})."
        )
