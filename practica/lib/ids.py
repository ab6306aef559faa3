"""Database ids typed or posted by people: what a number must look like before it reaches a query."""

from __future__ import annotations

MAX_ID = 2**63 - 1  # ids are 64-bit (BigAutoField): a larger number names nothing, and SQLite cannot even bind it


def id_from(value: object) -> int | None:
    """The id a posted value names — plain ASCII digits, from 1 to ``MAX_ID`` — or None.

    ``int()`` alone is not enough: ``"²".isdigit()`` is true yet ``int("²")`` fails, ``int(" 7 ")`` is 7, and a
    25-digit number passes ``int()`` but makes some queries fail instead of finding nothing."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return None
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
