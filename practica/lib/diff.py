"""Readable line diffs for revision histories."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass
class DiffLine:
    op: str  # "same", "added", "removed"
    text: str


def line_diff(old: str, new: str, *, context: int = 3) -> list[DiffLine]:
    """Lines added and removed between two texts, with a few unchanged lines of context around each change."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    for group in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("same", t) for t in old_lines[i1:i2]]
            if tag in ("replace", "delete"):
                lines += [DiffLine("removed", t) for t in old_lines[i1:i2]]
            if tag in ("replace", "insert"):
                lines += [DiffLine("added", t) for t in new_lines[j1:j2]]
    return lines
