"""Full-text engines behind one interface: SQLite FTS5 (``sqlite``) and PostgreSQL full-text search
(``postgres``), both implementing ``base.Backend``; ``get_backend`` picks the one of the database in use.

The modules: ``words`` reduces the user's input to word tokens (it never reaches an engine's query language as is),
``snippets`` marks the query's words in an extract, ``index_statistics`` keeps document counts and frequencies an
hour. The names callers use are exported here.
"""

from __future__ import annotations

from django.db import connection

from practica.search.backends import index_statistics, postgres
from practica.search.backends.base import TEXT_SEARCH_CONFIGS, Backend, Filters, text_search_config
from practica.search.backends.postgres import PostgresBackend
from practica.search.backends.snippets import MARK_END, MARK_START, highlight, make_snippet
from practica.search.backends.sqlite import SQLiteBackend
from practica.search.backends.words import MAX_TOKENS, STOPWORDS, TOKEN_RE, keywords, tokens

__all__ = [
    "MARK_END",
    "MARK_START",
    "MAX_TOKENS",
    "STOPWORDS",
    "TEXT_SEARCH_CONFIGS",
    "TOKEN_RE",
    "Backend",
    "Filters",
    "PostgresBackend",
    "SQLiteBackend",
    "clear_caches",
    "get_backend",
    "highlight",
    "keywords",
    "make_snippet",
    "text_search_config",
    "tokens",
]

def get_backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    raise RuntimeError(f"No search backend for the {connection.vendor} database.")


def clear_caches() -> None:
    """Forget the index statistics and the catalogue reads every backend keeps per process (tests: each one's
    documents are another index)."""
    index_statistics.clear()
    postgres.clear_caches()
