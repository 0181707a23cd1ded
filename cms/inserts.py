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


_FILL: dict[tuple, tuple] = {}


def insert_or_fill(row, *, unique: tuple[str, ...], fill: tuple[str, ...], touch=()):
    """The row with `row`'s `unique` fields after one statement: `row` inserted if there is
    none; otherwise its `fill` fields given `row`'s values where they are still empty (NULL),
    the `touch` fields (an updated_at) with them, and nothing else changed. INSERT ... ON
    CONFLICT DO UPDATE ... RETURNING: whoever else inserts it at the same moment, one row,
    filled once, comes back (locked until the transaction ends, as by an UPDATE). The SQL
    and the columns' converters are built once per process, vendor, model and fields."""
    meta = row._meta
    key = (connection.vendor, meta.label, unique, fill, tuple(touch))
    built = _FILL.get(key)
    if built is None:
        sql, _values, _fields = _insert_sql(row, unique)
        quote, table = connection.ops.quote_name, connection.ops.quote_name(meta.db_table)
        filled = [quote(meta.get_field(name).column) for name in fill]
        empty = " OR ".join(f"{table}.{c} IS NULL" for c in filled)
        sets = [f"{c} = COALESCE({table}.{c}, EXCLUDED.{c})" for c in filled] + [
            f"{c} = CASE WHEN {empty} THEN EXCLUDED.{c} ELSE {table}.{c} END"
            for c in (quote(meta.get_field(name).column) for name in touch)
        ]  # every right-hand side reads the row as it was (SQL's UPDATE semantics)
        fields = list(meta.concrete_fields)
        sql += f" DO UPDATE SET {', '.join(sets)} RETURNING " + ", ".join(
            quote(f.column) for f in fields
        )
        converters = []
        for f in fields:
            col = f.get_col(meta.db_table)
            found = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
            converters.append((col, found))
        built = _FILL[key] = (sql, [f.attname for f in fields], converters)
    sql, names, converters = built
    _sql, values, _fields = _insert_sql(row, unique)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        found = list(cursor.fetchone())
    for i, (col, functions) in enumerate(converters):
        for function in functions:
            found[i] = function(found[i], col, connection)
    return type(row).from_db(connection.alias, names, found)


_UPDATE_SQL: dict[tuple, str] = {}


def update_row(row, fields: tuple[str, ...], *, add_one: str = "", only_if=None) -> int:
    """UPDATE `row`'s `fields` by its primary key with the values on `row` (an auto_now
    field among them set now, on the row too, as save() does); `add_one`: a column also
    increased by one in SQL; `only_if`: {field: value} the row must still have, None for
    IS NULL (a conditional UPDATE, a compare-and-swap: whoever comes second changes
    nothing). For a row the caller holds locked, or compared by `only_if`, so what it has is
    the row's (no signals, as QuerySet.update). The SQL is built once per process, database
    vendor, model and fields: no ORM query building per call.
    Returns the number of rows changed (0 or 1)."""
    meta = row._meta
    targets = [meta.get_field(name) for name in fields]
    # A field by its name or its column's (`user` or `user_id`), with its value.
    given = [(meta.get_field(name), value) for name, value in (only_if or {}).items()]
    nulls = tuple(value is None for _field, value in given)
    key = (connection.vendor, meta.label, fields, add_one, tuple(only_if or ()), nulls)
    sql = _UPDATE_SQL.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        sets = [f"{quote(f.column)} = %s" for f in targets]
        if add_one:
            column = quote(meta.get_field(add_one).column)
            sets.insert(0, f"{column} = {column} + 1")
        where = [f"{quote(meta.pk.column)} = %s"]
        where += [f"{quote(f.column)} {'IS NULL' if value is None else '= %s'}"
                  for f, value in given]  # fmt: skip
        sql = _UPDATE_SQL[key] = (
            f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} "  # noqa: S608 -- our names, values as parameters
            f"WHERE {' AND '.join(where)}"
        )
    values = [f.get_db_prep_save(f.pre_save(row, add=False), connection) for f in targets]
    values.append(row.pk)
    values += [f.get_db_prep_value(value, connection) for f, value in given if value is not None]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.rowcount


_INSERT_SQL: dict[tuple, str] = {}

# The columns whose value of their own Python type get_db_prep_save gives back unchanged
# (integers, texts, booleans): passed as they are, the rest through the field (JSON, decimals,
# dates, UUIDs). Preparing every value through its field was most of a multi-row INSERT's CPU.
_PLAIN = {"AutoField": int, "BigAutoField": int, "SmallAutoField": int, "IntegerField": int,
          "BigIntegerField": int, "SmallIntegerField": int, "PositiveIntegerField": int,
          "PositiveBigIntegerField": int, "PositiveSmallIntegerField": int, "CharField": str,
          "TextField": str, "SlugField": str, "BooleanField": bool}  # fmt: skip


def _plain(field):
    target = field.target_field if field.is_relation else field
    return _PLAIN.get(target.get_internal_type())


def _db_value(field, plain, value):
    if value is None or type(value) is plain:
        return value
    return field.get_db_prep_save(value, connection)


def insert_rows(rows: list, *, returning: bool = False, batch: int = 200) -> list:
    """INSERT new `rows` of one model, one statement per `batch` rows (bulk_create without
    the ORM's query building: the SQL is built once per process, vendor, model and number of
    rows), every concrete field but the primary key as Model.save() prepares it (defaults,
    auto_now_add). `returning`: their primary keys, in order (PostgreSQL, SQLite 3.35+);
    otherwise they are not set. No signals, as bulk_create."""
    keys = []
    for start in range(0, len(rows), batch):
        keys += _insert_batch(rows[start : start + batch], returning)
    return keys


def insert_row(row) -> None:
    """`row.save()` of a new row: one INSERT ... RETURNING its key, its SQL built once
    (save() itself, with its signals, where the database cannot return it)."""
    if not connection.features.can_return_columns_from_insert:
        row.save()
        return
    row.pk = insert_rows([row], returning=True)[0]
    row._state.adding, row._state.db = False, connection.alias


def _insert_batch(rows: list, returning: bool) -> list:
    meta = rows[0]._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    key = (connection.vendor, meta.label, len(rows), returning)
    sql = _INSERT_SQL.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        one = f"({', '.join(['%s'] * len(fields))})"
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608 -- our names, values as parameters
            f"VALUES {', '.join([one] * len(rows))}"
        )
        if returning:
            sql += f" RETURNING {quote(meta.pk.column)}"
        _INSERT_SQL[key] = sql
    kinds = [(f, _plain(f)) for f in fields]
    values = [_db_value(f, plain, f.pre_save(row, add=True)) for row in rows for f, plain in kinds]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return [found[0] for found in cursor.fetchall()] if returning else []
