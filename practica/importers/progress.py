"""Where a running import writes its progress so the job page can show it.

An import runs in one database transaction, so its progress cannot go through the database (other
connections would not see it, and SQLite would block them). It goes to the cache when the cache is shared
between processes (Redis, for several hosts), else to a small JSON file under the var folder (one server).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache


def _shared_cache() -> bool:
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


def _path(job_id: int) -> Path:
    return Path(settings.VAR_DIR) / "imports" / f"job-{job_id}.json"


def progress_set(job_id: int, data: dict[str, Any]) -> None:
    if _shared_cache():
        cache.set(f"import-progress:{job_id}", data, timeout=24 * 3600)
        return
    path = _path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)
    os.replace(tmp, path)


def progress_get(job_id: int) -> dict[str, Any]:
    if _shared_cache():
        return cache.get(f"import-progress:{job_id}") or {}
    try:
        return json.loads(_path(job_id).read_text())
    except (OSError, ValueError):
        return {}


def progress_clear(job_id: int) -> None:
    if _shared_cache():
        cache.delete(f"import-progress:{job_id}")
    else:
        _path(job_id).unlink(missing_ok=True)
