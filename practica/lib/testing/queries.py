"""Counting and pinning the database queries a page costs.

Two kinds of checks use this module:

- growth checks (``page_queries`` on a page of 5 rows and of 50): the count must not grow with the rows;
- pinned budgets (``assert_queries``): a key page makes exactly the listed queries, each named by the table it
  reads first and why it is there, in the order the code makes them. A new query fails the test with the SQL
  beside the list, so whoever adds one says why in the list (or removes it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

_QUALIFIED = re.compile(r'"(\w+)"\."')
_AFTER_KEYWORD = re.compile(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


def page_queries(client: Client, url: str, *, warm_up: bool = True, **headers: Any) -> tuple[Any, list[str]]:
    """The response to a second GET of ``url`` and the SQL it ran (the first GET's with ``warm_up=False``).

    The first GET settles what is per session or per day rather than per page (the time zone stored in the
    session, the first read of the rate-limit table, the reader's activity of the day in ``insights``).
    """
    if warm_up:
        client.get(url, **headers)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    return response, [query["sql"] for query in ctx.captured_queries]


def api_queries(
    api: Client, url: str, params: dict[str, Any] | None = None, *, warm_up: bool = True
) -> tuple[Any, list[str]]:
    """The response to a second GET of ``url`` (with query ``params``) through the API client, and the SQL it ran
    (the first GET's with ``warm_up=False``): the first settles what is per person and day rather than per
    request (the reader's activity of the day, recorded by ``insights`` once a day)."""
    if warm_up:
        api.get(url, params)
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url, params)
    return response, [query["sql"] for query in ctx.captured_queries]


def first_table(sql: str) -> str:
    """The table a statement reads first: the first ``"table"."column"`` it names (what a Django SELECT lists),
    else the first name after FROM, INTO or UPDATE (raw SQL)."""
    match = _QUALIFIED.search(sql) or _AFTER_KEYWORD.search(sql)
    return match.group(1) if match else "?"


def assert_queries(sqls: Sequence[str], expected: Sequence[tuple[str, str]]) -> None:
    """Each statement of ``sqls`` reads the table ``expected`` names in the same place; as many as listed."""
    actual = [first_table(sql) for sql in sqls]
    wanted = [table for table, _why in expected]
    if actual != wanted:
        lines = [f"expected {len(wanted)} queries, the page made {len(actual)}:"]
        for index in range(max(len(actual), len(wanted))):
            want = f"{expected[index][0]} ({expected[index][1]})" if index < len(expected) else "—"
            got = sqls[index][:160] if index < len(sqls) else "—"
            mark = "  " if index < len(actual) and index < len(wanted) and actual[index] == wanted[index] else "✗ "
            lines.append(f"{mark}{index + 1:2}. want {want}\n      got  {got}")
        raise AssertionError("\n".join(lines))
