"""One row's INSERT ... ON CONFLICT, as the ORM would write its values (PostgreSQL, SQLite).

The ORM's create() raises IntegrityError on a duplicate, which inside a transaction needs a
savepoint to carry on; bulk_create(ignore_conflicts=True) does not say whether the row was
stored, nor return the row that was there. These do, in one statement and no savepoint.
"""

from __future__ import annotations

from django.db import connection


def _insert_sql(row, unique: tuple[str, ...]) -> tuple[str, list, list]:
    """(the INSERT's SQL up to ON CONFLICT (...), its parameters, the fields) for `row`:
    every concrete field but the primary key, as Model.save() prepares it (defaults,
    auto_now_add)."""
    meta, quote = row._meta, connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608 -- our names, values as parameters
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({', '.join(quote(meta.get_field(n).column) for n in unique)})"
    )
    return sql, values, fields


def insert_new(row, *, unique: tuple[str, ...]) -> bool:
    """INSERT `row` ... ON CONFLICT (`unique`) DO NOTHING: whether it was stored (a row with
    the same `unique` fields was there: False). The row's primary key is not set."""
    sql, values, _fields = _insert_sql(row, unique)
    with connection.cursor() as cursor:
        cursor.execute(sql + " DO NOTHING", values)
        return cursor.rowcount == 1


def insert_or_lock(row, *, unique: tuple[str, ...]):
    """The row with `row`'s `unique` fields, inserted as `row` if there is none, and locked
    until the transaction ends either way (INSERT ... ON CONFLICT DO UPDATE ... RETURNING:
    the existing row is locked as by an UPDATE and comes back unchanged; a concurrent insert
    waits for this one). One statement, whoever else inserts it at the same moment."""
    sql, values, _fields = _insert_sql(row, unique)
    meta, quote = row._meta, connection.ops.quote_name
    column = quote(meta.get_field(unique[0]).column)
    columns = ", ".join(quote(f.column) for f in meta.concrete_fields)
    sql += f" DO UPDATE SET {column} = EXCLUDED.{column} RETURNING {columns}"
    return next(iter(type(row).objects.raw(sql, values)))


_UPDATE_SQL: dict[tuple, str] = {}


def update_row(row, fields: tuple[str, ...], *, add_one: str = "") -> None:
    """UPDATE `row`'s `fields` by its primary key with the values on `row` (an auto_now
    field among them set now, on the row too, as save() does); `add_one`: a column also
    increased by one in SQL. For a row the caller holds locked, so what it has is the row's
    (no signals, as QuerySet.update). The SQL is built once per process, database vendor,
    model and fields: no ORM query building per call."""
    meta = row._meta
    targets = [meta.get_field(name) for name in fields]
    key = (connection.vendor, meta.label, fields, add_one)
    sql = _UPDATE_SQL.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        sets = [f"{quote(f.column)} = %s" for f in targets]
        if add_one:
            column = quote(meta.get_field(add_one).column)
            sets.insert(0, f"{column} = {column} + 1")
        sql = _UPDATE_SQL[key] = (
            f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} "  # noqa: S608 -- our names, values as parameters
            f"WHERE {quote(meta.pk.column)} = %s"
        )
    values = [f.get_db_prep_save(f.pre_save(row, add=False), connection) for f in targets]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, row.pk])
