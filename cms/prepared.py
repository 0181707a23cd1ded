"""A hot query's SQL built once per process, then run with each request's values (issue 16).

Building a queryset's SQL (Django's `as_sql`, `pre_sql_setup`, the joins and columns of a
`select_related`) costs more CPU than the database answering a lookup by primary key. A
query whose shape never changes, only its values, is built once per process (and per
database vendor) from a builder called with placeholder values, and run afterwards with
the real ones; its rows become model instances exactly as the ORM's own iterator makes them
(the same compiler: converters, `select_related` objects, annotations).

    LOCKED = Prepared("attempt-locked", lambda pk, user: Attempt.objects.filter(...), 2)
    attempt = LOCKED.first(attempt_id, user.pk)

Values are ints or strings (compared as the ORM passes them); each must appear exactly once
among the SQL's parameters, or the builder is refused at its first use. A query with
`select_for_update` is refused outside a transaction, as the ORM refuses it. Queries go
through Django's cursor: execute wrappers (query counts, the bench) see them.
"""

from __future__ import annotations

import uuid

from django.db import connections
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

# Placeholders no real value takes: negative ids, and a string no caller sends.
_INT_BASE = -7_310_000_000_000
_TEXT_BASE = "~hocso-prepared-placeholder-"

_TYPES = {"i": int, "s": str, "u": uuid.UUID}


def _positions(params: list, value) -> list[int]:
    return [i for i, p in enumerate(params) if type(p) is type(value) and p == value]


class Prepared:
    def __init__(self, name: str, build, kinds: str):
        """`build(*values)` returns the queryset; `kinds` names each value's type in order:
        "i" an int, "s" a string, "u" a UUID (e.g. "is": an id, then a text)."""
        self.name, self.build, self.kinds = name, build, kinds
        self._compiled: dict[tuple[str, str], tuple] = {}

    def _placeholders(self) -> list:
        made = {"i": lambda n: _INT_BASE - n, "s": lambda n: f"{_TEXT_BASE}{n}",
                "u": lambda n: uuid.UUID(int=(1 << 120) + n)}  # fmt: skip
        return [made[kind](n) for n, kind in enumerate(self.kinds)]

    def _compile(self, alias: str, connection):
        placeholders = self._placeholders()
        queryset = self.build(*placeholders)
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise ValueError(f"{self.name}: prefetches and related managers are not prepared")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = []  # (position in params, how the ORM passed the value: as it is, or a UUID's hex)
        for placeholder in placeholders:
            form, found = None, _positions(params, placeholder)
            if not found and isinstance(placeholder, uuid.UUID):
                form, found = "hex", _positions(params, placeholder.hex)
            if len(found) != 1:
                raise ValueError(f"{self.name}: each value must be once in the SQL's parameters")
            slots.append((found[0], form))
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        populators = get_related_populators(klass_info, select, alias)
        locks = bool(queryset.query.select_for_update)
        width = compiler.col_count if compiler.has_extra_select else None
        converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        return (sql, params, slots, compiler, converters, width, klass_info["model"], start, end,
                init_list, populators, compiler.annotation_col_map, locks)  # fmt: skip

    def all(self, *values, using: str = "default") -> list:
        connection = connections[using]
        key = (using, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(using, connection)
        (sql, params, slots, compiler, converters, width, model, start, end, init_list,
         populators, annotations, locks) = compiled  # fmt: skip
        if locks and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(params)
        for (slot, form), value, kind in zip(slots, values, self.kinds, strict=True):
            if not isinstance(value, _TYPES[kind]) or isinstance(value, bool):
                raise TypeError(f"{self.name}: {value!r} is not of kind {kind!r}")
            params[slot] = value.hex if form == "hex" else value
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if width is not None:
            rows = [row[:width] for row in rows]
        if converters:
            rows = compiler.apply_converters(rows, converters)
        objects = []
        for row in rows:
            obj = model.from_db(using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for attr, position in (annotations or {}).items():
                setattr(obj, attr, row[position])
            objects.append(obj)
        return objects

    def first(self, *values, using: str = "default"):
        found = self.all(*values, using=using)
        return found[0] if found else None
