"""Hand-written SQL builds and writes exactly what the ORM would (liaison/lib/sql_rows.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Model

from liaison.accounts.models import ApiToken, AuditEntry, User
from liaison.accounts.tokens import api_token_create
from liaison.directory.models import Agency, Officer, School
from liaison.lib import sql_rows


def _values(obj: Model) -> dict[str, Any]:
    return {field.attname: getattr(obj, field.attname) for field in type(obj)._meta.concrete_fields}


def _read(model: type[Model], pk: int) -> Any:
    where = f"t.{sql_rows.column(model, 'id')} = %s"
    sql = f"SELECT {sql_rows.columns(model, 't')} FROM {sql_rows.table(model)} t WHERE {where}"
    row = sql_rows.fetch_one(sql, [pk])
    return sql_rows.instance(model, row)


@pytest.mark.parametrize("model", [User, Officer, Agency, School, ApiToken], ids=lambda m: m.__name__)
def test_an_instance_read_in_plain_sql_equals_the_orms(world, model):
    api_token_create(user=world.officer.user, name="phone")
    original = model.objects.order_by("-pk").first()
    built = _read(model, original.pk)
    assert _values(built) == _values(model.objects.get(pk=original.pk))
    assert built._state.adding is False


def test_a_left_join_that_found_nothing_is_none(world):
    assert sql_rows.instance(Officer, (None,) * sql_rows.width(Officer)) is None


def test_an_insert_writes_what_the_orm_reads_back(world):
    entry = AuditEntry(
        actor=world.users["supervisor"],
        actor_username="supervisor",
        action="create",
        object_type="tests.thing",
        before={"a": [1, 2]},
        after={"b": "ç"},
        agency_id=world.agency.pk,
    )
    sql_rows.insert(entry)
    assert entry.pk is not None
    assert _values(AuditEntry.objects.get(pk=entry.pk)) == _values(entry)
