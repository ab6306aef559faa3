"""Send due email digests (and any immediate emails left pending). Safe to run from cron, even overlapping."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from practica.notifications.emails import DIGEST_BATCH, send_digests, send_pending_immediate


class Command(BaseCommand):
    help = "Send the daily and weekly notification digests that are due. Safe to run often and concurrently."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=DIGEST_BATCH, help="Recipients per batch.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            self.stderr.write("--batch-size must be at least 1.")
            raise SystemExit(2)
        immediate = send_pending_immediate()
        run = send_digests(batch_size=options["batch_size"])
        self.stdout.write(
            f"Sent {run.sent} digest{'s' if run.sent != 1 else ''} to {run.recipients} recipients in "
            f"{run.batches} batches; {immediate} immediate emails; {run.resent_stale} stale deliveries resent."
        )
