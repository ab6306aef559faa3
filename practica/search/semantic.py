"""Optional semantic similarity (``pip install .[semantic]``): sentence embeddings, offline.

Without the extra, :func:`available` is false and every caller falls back to lexical ranking.
"""

from __future__ import annotations

from typing import Any


def available() -> bool:
    return False


def fuse_related(*, thread: Any, user: Any, lexical: list[Any], limit: int) -> list[Any] | None:
    return None


def fuse_text(*, text: str, user: Any, lexical: list[Any], limit: int, community_ids: list[int] | None = None) -> list[Any] | None:
    return None


def fuse_candidates(
    *, text: str, community_ids: list[int], lexical: list[tuple[int, float]], limit: int
) -> list[tuple[int, float]] | None:
    return None
