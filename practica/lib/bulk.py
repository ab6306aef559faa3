"""Fast bulk inserts for imports and benchmarks: one ``executemany`` (``COPY`` on PostgreSQL) per batch, no
model instances.

Django's ``bulk_create`` builds a model instance and prepares every value through its field for each row,
which dominates the cost of importing hundreds of thousands of rows. This helper adapts only the values that
need it (dates and times, JSON) and sends plain tuples. Use it only for trusted, already-validated data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, models


def _adapter(field: models.Field[Any, Any]) -> Any:
    if isinstance(field, models.DateTimeField):
        return _datetime_adapter()
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else connection.ops.adapt_datefield_value(v)
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else json.dumps(v)
    if isinstance(field, models.DecimalField):
        return lambda v: None if v is None else connection.ops.adapt_decimalfield_value(v)
    return None


def _datetime_adapter() -> Any:
    """What Django's backend does to a datetime parameter, without its per-value overhead (it dominates imports)."""
    if connection.vendor == "postgresql":
        return None  # Django hands datetimes to psycopg unchanged
    if connection.vendor == "sqlite" and settings.USE_TZ:
        tz = connection.timezone

        def to_text(value: Any) -> Any:
            # = DatabaseOperations.adapt_datetimefield_value: aware -> naive in the connection's zone, then str().
            if value is None:
                return None
            if value.utcoffset() is not None:
                value = value.astimezone(tz).replace(tzinfo=None)
            return str(value)

        return to_text
    return lambda v: None if v is None else connection.ops.adapt_datetimefield_value(v)


def _prepared(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> tuple[str, list[str], list[Any]]:
    """The quoted table and column names, and the rows with the values that need it adapted."""
    meta = model._meta
    columns, adapters = [], []
    for name in fields:
        field = _field(meta, name)
        columns.append(connection.ops.quote_name(field.column))
        adapters.append(_adapter(field))
    # Only the columns that need it are adapted (a generator over every value of every row cost more than the
    # adapting itself).
    adapted = [(index, adapt) for index, adapt in enumerate(adapters) if adapt is not None]
    width = len(columns)
    prepared: list[Any] = []
    for row in rows:
        values = list(row)
        if len(values) != width:
            raise ValueError(f"a row has {len(values)} values for {width} columns")
        for index, adapt in adapted:
            values[index] = adapt(values[index])
        prepared.append(values)
    return connection.ops.quote_name(meta.db_table), columns, prepared


def bulk_insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows (tuples in the order of ``fields``, which are attribute names like ``thread_id``) in one
    statement executed many times (one COPY on PostgreSQL). Returns the number of rows given."""
    table, columns, prepared = _prepared(model, fields, rows)
    if prepared and connection.vendor == "postgresql":
        # COPY streams all rows in one command: several times faster than executemany's one INSERT per row.
        # (It goes to the driver's cursor directly, so it bypasses Django's query logging.)
        copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for row in prepared:
                copy.write_row(row)
    elif prepared:
        # Table and column names come from the model's metadata and are quoted; values are parameters.
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)
    return len(prepared)


def bulk_upsert(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]], *, unique: Sequence[str]
) -> int:
    """Like :func:`bulk_insert`, but a row whose ``unique`` fields (a unique constraint's) match a stored row
    replaces that row's other ``fields`` instead: ``INSERT ... ON CONFLICT (...) DO UPDATE`` (PostgreSQL and
    SQLite), so it never fails on that constraint, even against a row another transaction has just written (on
    PostgreSQL it waits for that one to commit, then updates it). One statement executed many times: no COPY."""
    table, columns, prepared = _prepared(model, fields, rows)
    if not prepared:
        return 0
    meta = model._meta
    keys = [connection.ops.quote_name(_field(meta, name).column) for name in unique]
    updates = ", ".join(f"{column} = excluded.{column}" for column in columns if column not in keys)
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    # Table and column names come from the model's metadata and are quoted; values are parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(keys)}) {action}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)
    return len(prepared)


def _field(meta: Any, name: str) -> Any:
    for field in meta.concrete_fields:
        if field.attname == name or field.name == name:
            return field
    raise ValueError(f"{meta.label} has no column for {name!r}")


__all__ = ["bulk_insert", "bulk_insert_dicts", "bulk_upsert"]


def bulk_insert_dicts(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> int:
    """Like :func:`bulk_insert`, for rows given as dicts that all have the same keys."""
    if not rows:
        return 0
    fields = list(rows[0])
    return bulk_insert(model, fields, ([row[f] for f in fields] for row in rows))
