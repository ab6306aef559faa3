"""``python manage.py rebuild_search_index``: rebuild the full-text index from the content."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from practica.search.indexing import rebuild


class Command(BaseCommand):
    help = "Rebuild the search index (threads and people) from the database."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        counts = rebuild()
        elapsed = time.monotonic() - started
        total = sum(counts.values())
        rate = f" ({total / elapsed:,.0f} documents/s)" if elapsed else ""
        self.stdout.write(
            f"Indexed {', '.join(f'{n:,} {kind}' for kind, n in counts.items())} in {elapsed:.1f} s{rate}."
        )
