"""Model instances from hand-written SQL, and inserts of them, for the few statements on every API write.

The ORM compiles each statement afresh: on these machines about 0.5–3 ms of CPU for a small join or
an insert, against about 0.1 ms to run it. The reads every request makes (the token, the
memberships, the school) and the rows a recorded contact writes use these helpers instead. The SQL
names its columns from the models' metadata; values pass through the same converters and
preparation the ORM applies, so rows and instances are exactly what the ORM would have made.
Signals are not sent: no model written here has receivers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar, cast

from django.db import connection
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, Any], Any]


def quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def column(model: type[Model], name: str) -> str:
    """The quoted column of one field (for a foreign key, its `…_id` column)."""
    field = cast(Field, model._meta.get_field(name))
    return quoted(field.column)


def table(model: type[Model]) -> str:
    return quoted(model._meta.db_table)


def columns(model: type[Model], alias: str) -> str:
    """The model's concrete columns, qualified by the table alias, in field order."""
    return ", ".join(f"{alias}.{quoted(field.column)}" for field in model._meta.concrete_fields)


@cache
def _converters(model: type[Model], vendor: str) -> tuple[tuple[int, tuple[Converter, ...], Any], ...]:
    """(position, converters, column expression) for each field whose raw value needs converting."""
    found = []
    for position, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        converters = tuple(connection.ops.get_db_converters(column) + column.get_db_converters(connection))
        if converters:
            found.append((position, converters, column))
    return tuple(found)


def instance(model: type[M], row: Sequence[Any], start: int = 0) -> M | None:
    """The instance whose columns start at `row[start]` (as `columns` listed them); None when its
    primary key is NULL (the LEFT JOIN found nothing)."""
    fields = model._meta.concrete_fields
    values = list(row[start : start + len(fields)])
    if values[fields.index(model._meta.pk)] is None:
        return None
    for position, converters, column in _converters(model, connection.vendor):
        for convert in converters:
            values[position] = convert(values[position], column, connection)
    return model.from_db(connection.alias, [field.attname for field in fields], values)


def width(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


def fetch_one(sql: str, params: Sequence[Any]) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def insert(obj: Model, values: list[Any] | None = None) -> None:
    """INSERT a new instance as save(force_insert=True) would, and set its key. `values` may come from
    insert_values, called earlier: outside a transaction, so the transaction holds its locks for less."""
    if values is None:
        values = insert_values(obj)
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(type(obj), connection.vendor), values)
        pk = cursor.fetchone()[0] if connection.features.can_return_columns_from_insert else cursor.lastrowid
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def insert_values(obj: Model) -> list[Any]:
    """The column values insert writes: defaults and auto_now applied, prepared for the database."""
    return [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in _insert_fields(type(obj))]


@cache
def _insert_fields(model: type[Model]) -> tuple[Field, ...]:
    """Every concrete column but the database-assigned primary key."""
    return tuple(
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and getattr(field, "db_returning", False))
    )


def insert_sql(model: type[Model]) -> str:
    """The INSERT `insert` runs, for a writer that combines it with other statements."""
    return _insert_sql(model, connection.vendor)


@cache
def _insert_sql(model: type[Model], vendor: str) -> str:
    names = ", ".join(quoted(field.column) for field in _insert_fields(model))
    marks = ", ".join(["%s"] * len(_insert_fields(model)))
    returning = (
        f" RETURNING {quoted(model._meta.pk.column)}" if connection.features.can_return_columns_from_insert else ""
    )
    return f"INSERT INTO {table(model)} ({names}) VALUES ({marks}){returning}"
