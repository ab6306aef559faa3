"""Words of a query and of a text: what reaches a full-text engine of the user's input.

User input never reaches an engine's query language as is: it is reduced to word tokens (``tokens``), which each
backend quotes. A longer text used as a query (a thread, for "more like this") gives its distinct, non-trivial
words (``keywords``).
"""

from __future__ import annotations

import re

MAX_TOKENS = 16
TOKEN_RE = re.compile(r"\w+", re.UNICODE)

# Words too common to help find anything (they only slow an OR query down).
STOPWORDS = frozenset(
    "a about above after again all also am an and any are as at be been before being below between both but by "
    "can could did do does doing down during each few for from further had has have having he her here hers him "
    "his how i if in into is it its itself just me more most my no nor not now of off on once only or other our "
    "out over own same she should so some such than that the their them then there these they this those through "
    "to too under until up very was we were what when where which while who whom why will with would you your "
    "yours get got use using used one two way like know think want need question questions answer thanks".split()
)


def tokens(query: str, *, limit: int = MAX_TOKENS) -> list[str]:
    """Word tokens of a query: operators, quotes, brackets and punctuation are dropped."""
    return [t.lower() for t in TOKEN_RE.findall(query or "")][:limit]


def keywords(text: str, *, limit: int = 24) -> list[str]:
    """Distinct, non-trivial words of a longer text (a thread used as a query), in order."""
    seen: dict[str, None] = {}
    for token in TOKEN_RE.findall(text or ""):
        word = token.lower()
        if len(word) > 1 and word not in STOPWORDS and not word.isdigit():
            seen.setdefault(word, None)
        if len(seen) >= limit:
            break
    return list(seen)

