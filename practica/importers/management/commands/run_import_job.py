"""``python manage.py run_import_job ID``: run one uploaded import (started by the upload page with the immediate
task backend, in a process of its own; also useful to re-run a queued job by hand)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from practica.importers.models import ImportJob
from practica.importers.services import import_job_run


class Command(BaseCommand):
    help = "Run one queued import job (its page shows the progress and the outcome)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if not ImportJob.objects.filter(pk=options["job_id"]).exists():
            raise CommandError(f"No import job {options['job_id']}.")
        job = import_job_run(job_id=options["job_id"])
        self.stdout.write(f"Import job {job.pk}: {job.status}{': ' + job.error if job.error else ''}")
