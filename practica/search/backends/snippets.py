"""Snippets: the engines mark the query's words with ``MARK_START`` / ``MARK_END``, ``highlight`` turns them
into ``<mark>`` in HTML-escaped text; ``make_snippet`` does the same in Python for text no engine indexed."""

from __future__ import annotations

import html
import re

from practica.search.backends.words import STOPWORDS

MARK_START, MARK_END = "\x02", "\x03"


def highlight(text: str) -> str:
    """HTML-escape a snippet, then turn the engine's markers into <mark>."""
    escaped = html.escape(text.replace(MARK_START, "\x00s").replace(MARK_END, "\x00e"))
    return escaped.replace("\x00s", "<mark>").replace("\x00e", "</mark>")



def make_snippet(text: str, terms: list[str], *, width: int = 240) -> str:
    """An extract of the text around the densest run of query words, with those words marked (HTML-safe).

    Words match a term when they start with it, or share its first five letters (a light stand-in for
    stemming, so that "cementing" highlights "cement").
    """
    if not text:
        return ""
    stems = sorted({t[:5] if len(t) > 5 else t for t in terms if len(t) > 1 and t not in STOPWORDS}, key=len, reverse=True)
    head = text[:50_000]
    if not stems:
        return highlight(_cut(head, 0, width))
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)
    positions = [m.start() for m in pattern.finditer(head)]
    start = 0
    if positions:
        best, best_count, last = positions[0], 0, 0
        for first_index, first in enumerate(positions):  # sliding window over the hits, linear time
            last = max(last, first_index)
            while last + 1 < len(positions) and positions[last + 1] < first + width:
                last += 1
            if last - first_index + 1 > best_count:
                best, best_count = first, last - first_index + 1
        start = max(0, best - width // 4)
    extract = _cut(head, start, width + width // 4)
    return highlight(pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_END}", extract))


def _cut(text: str, start: int, length: int) -> str:
    """About ``length`` characters from ``start``, on word boundaries, with ellipses where cut."""
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 40 else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    extract = " ".join(text[start:end].split())
    return ("… " if start > 0 else "") + extract + (" …" if end < len(text) else "")
