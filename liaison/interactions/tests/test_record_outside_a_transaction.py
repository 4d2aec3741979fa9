"""Recording a contact outside any transaction, as a request does: on PostgreSQL the record, its audit
entry and its rollup count are written by one statement. Every other test runs inside a transaction,
so this file uses a transactional database to reach that path (on SQLite it checks the usual one)."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from liaison.accounts.models import AuditEntry
from liaison.conftest import World
from liaison.interactions.models import DailyRollup, Interaction
from liaison.interactions.services import interaction_record


def record(world: World, client_uuid: uuid.UUID, **extra):
    return interaction_record(
        actor=world.users["officer"],
        officer=world.officer,
        school=world.elementary,
        kind="positive",
        occurred_at=timezone.now() - datetime.timedelta(minutes=5),
        client_uuid=client_uuid,
        source=Interaction.Source.API,
        **extra,
    )


def test_the_record_its_audit_entry_and_its_count_are_written_together(transactional_db, world: World) -> None:
    assert not connection.in_atomic_block
    before = AuditEntry.objects.count()
    recorded = record(world, uuid.uuid4(), duration_minutes=10, student_count=3)
    assert recorded.created and recorded.interaction.pk is not None
    stored = Interaction.objects.get(pk=recorded.interaction.pk)
    assert (stored.uuid, stored.kind, stored.duration_minutes) == (recorded.interaction.uuid, "positive", 10)
    entry = AuditEntry.objects.get(object_uuid=stored.uuid)
    assert (entry.action, entry.actor, entry.agency_id) == ("create", world.users["officer"], world.agency.pk)
    assert AuditEntry.objects.count() == before + 1
    rollup = DailyRollup.objects.get(school=world.elementary, officer=world.officer, day=stored.occurred_on)
    assert (rollup.count, rollup.minutes, rollup.minutes_count, rollup.students) == (1, 10, 1, 3)


def test_a_second_record_on_the_same_day_adds_to_the_count(transactional_db, world: World) -> None:
    record(world, uuid.uuid4(), duration_minutes=10)
    record(world, uuid.uuid4())
    rollup = DailyRollup.objects.get(school=world.elementary, officer=world.officer, kind="positive")
    assert (rollup.count, rollup.minutes, rollup.minutes_count) == (2, 10, 1)


def test_the_same_uuid_twice_returns_the_first_record_and_writes_nothing_more(transactional_db, world: World) -> None:
    key = uuid.uuid4()
    first = record(world, key)
    entries, rows = AuditEntry.objects.count(), DailyRollup.objects.get(kind="positive").count
    again = record(world, key)
    assert (again.created, again.interaction.pk) == (False, first.interaction.pk)
    assert Interaction.objects.filter(uuid=key).count() == 1
    assert AuditEntry.objects.count() == entries
    assert DailyRollup.objects.get(kind="positive").count == rows


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement write is PostgreSQL's")
def test_postgresql_writes_them_in_one_statement(transactional_db, world: World, django_assert_num_queries) -> None:
    record(world, uuid.uuid4())  # warm: the first request also reads what later ones have cached
    with django_assert_num_queries(1):
        record(world, uuid.uuid4())
