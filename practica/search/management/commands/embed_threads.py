"""``python manage.py embed_threads [--community SLUG] [--missing] [--force] [--threads N]``: back-fill thread
embeddings."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from practica.search import semantic
from practica.search.models import DocType, SearchDocument, ThreadEmbedding


class Command(BaseCommand):
    help = "Compute sentence embeddings of threads (needs the semantic extra: pip install .[semantic])."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--community", help="Only this community (slug).")
        parser.add_argument("--missing", action="store_true", help="Only threads without an embedding.")
        parser.add_argument(
            "--force", action="store_true",
            help="Compute every thread again, even one whose text is unchanged since its embedding (a new model file).",
        )
        parser.add_argument(
            "--threads", type=int, default=os.cpu_count() or 1,
            help="torch threads for the model (default: every core; web processes use PRACTICA_SEMANTIC_THREADS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not semantic.available():
            raise CommandError("The semantic extra is not installed: pip install torch==2.13.0 && pip install '.[semantic]'")
        if options["threads"] < 1:
            raise CommandError("--threads must be at least 1.")
        semantic.use_threads(options["threads"])
        docs = SearchDocument.objects.filter(doc_type=DocType.THREAD)
        if options["community"]:
            docs = docs.filter(community__slug=options["community"])
        ids = list(docs.values_list("object_id", flat=True))
        if options["missing"]:
            have = set(ThreadEmbedding.objects.exclude(vector=b"").values_list("thread_id", flat=True))
            ids = [i for i in ids if i not in have]
        started = time.monotonic()
        done = semantic.embed_threads(ids, force=options["force"])
        if done >= semantic.BACKFILL_ANALYZE:
            semantic.analyze_embeddings()
        elapsed = time.monotonic() - started
        rate = f" ({done / elapsed:,.0f} threads/s)" if elapsed and done else ""
        unchanged = len(ids) - done
        kept = f" {unchanged:,} unchanged since their last embedding (--force computes them again)." if unchanged else ""
        self.stdout.write(f"Embedded {done:,} threads in {elapsed:.1f} s{rate}.{kept}")
