"""Index statistics (document count, document frequencies of words), kept an hour per process and database:
counting the documents of a word most documents have reads its whole posting list, and the common words are the
ones asked again and again. Keys are ``(word, cap)``; ``("", 0)`` is the document count."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection

_TTL = 3600.0
_MAX_ENTRIES = 50_000
_entries: dict[tuple[str, str, int], tuple[float, int]] = {}
_lock = threading.Lock()


def cached(what: tuple[str, int], compute: Callable[[], int]) -> int:
    """The statistic kept for ``what``, or ``compute()``'s, then kept."""
    hit = get(what)
    if hit is not None:
        return hit
    value = int(compute())
    put(what, value)
    return value


def get(what: tuple[str, int]) -> int | None:
    """The statistic kept for ``what`` in this database, None when not kept or older than an hour."""
    hit = _entries.get((connection.settings_dict["NAME"], *what))
    return hit[1] if hit is not None and hit[0] > time.monotonic() else None


def put(what: tuple[str, int], value: int) -> None:
    with _lock:
        if len(_entries) >= _MAX_ENTRIES:
            _entries.clear()
        _entries[(connection.settings_dict["NAME"], *what)] = (time.monotonic() + _TTL, int(value))


def clear() -> None:
    """Forget every statistic (tests: each one's documents are another index)."""
    _entries.clear()
