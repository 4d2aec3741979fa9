"""Monthly rollups follow the daily ones (triggers), counts read whole months from them, and on
PostgreSQL the daily rollups are partitioned by school year."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.db.models.functions import TruncMonth

from liaison.accounts.db_roles import as_owner
from liaison.accounts.models import User
from liaison.demo.scale import ScalePlan, generate
from liaison.interactions import partitions
from liaison.interactions.models import DailyRollup, Interaction, MonthlyRollup
from liaison.interactions.rollups import rollup_apply, rollup_rebuild
from liaison.interactions.selectors import RecordFilters, interaction_counts, rollup_spans

D = datetime.date


@pytest.fixture
def contacts(db: Any) -> None:
    generate(ScalePlan(state="MA", officers=4, contacts=1_500, school_year="2024-2025", seed=5))


def _monthly_from_daily() -> dict[tuple, int]:
    rows = (
        DailyRollup.objects.annotate(m=TruncMonth("day"))
        .values_list("school_id", "officer_id", "m", "kind", "role")
        .annotate(n=Sum("count"))
    )
    return {(s, o, m if isinstance(m, datetime.date) else m.date(), k, r): n for s, o, m, k, r, n in rows if n}


def _monthly() -> dict[tuple, int]:
    rows = MonthlyRollup.objects.values_list("school_id", "officer_id", "month", "kind", "role", "count")
    return {(s, o, m, k, r): n for s, o, m, k, r, n in rows if n}


def test_months_follow_every_insert_update_and_delete_of_days(contacts: None) -> None:
    assert _monthly() == _monthly_from_daily()
    some = list(Interaction.objects.order_by("id")[:40])
    rollup_apply(some, sign=-1)  # updates of existing daily cells
    assert _monthly() == _monthly_from_daily()
    DailyRollup.objects.filter(day__month=10).delete()
    assert _monthly() == _monthly_from_daily()
    assert not MonthlyRollup.objects.filter(month=D(2024, 10, 1), count__gt=0).exists()
    rollup_rebuild()  # deletes and inserts every daily row
    assert _monthly() == _monthly_from_daily()
    assert MonthlyRollup.objects.aggregate(n=Sum("count"))["n"] == Interaction.objects.filter(voided=False).count()


def test_days_deleted_after_their_months_leave_no_month_behind(contacts: None) -> None:
    # Django's flush on SQLite deletes table by table: months first, then days. Taking days out must not
    # bring their months back as negative rows (pointing at schools the flush then deletes).
    MonthlyRollup.objects.all().delete()
    DailyRollup.objects.all().delete()
    assert not MonthlyRollup.objects.exists()


@pytest.mark.parametrize(
    ("since", "until"),
    [
        (None, None),
        (D(2024, 9, 15), D(2024, 11, 10)),
        (D(2024, 10, 1), D(2024, 10, 31)),
        (D(2024, 10, 3), D(2024, 10, 20)),
        (None, D(2024, 12, 5)),
        (D(2025, 2, 28), None),
        (D(2024, 12, 1), D(2025, 3, 1)),
    ],
)
def test_counts_over_any_window_match_the_records(contacts: None, since: Any, until: Any) -> None:
    admin = User.objects.create_superuser("counts_admin", password=None)
    counts = interaction_counts(user=admin, filters=RecordFilters(since=since, until=until, kind="positive"))
    records = Interaction.objects.filter(voided=False, kind="positive")
    if since:
        records = records.filter(occurred_on__gte=since)
    if until:
        records = records.filter(occurred_on__lte=until)
    assert counts.total == records.count() > 0


def test_a_window_splits_into_whole_months_and_the_days_around_them() -> None:
    assert rollup_spans(None, None) == ((None, None), [])
    assert rollup_spans(D(2024, 9, 15), D(2024, 11, 10)) == (
        (D(2024, 10, 1), D(2024, 10, 1)),
        [(D(2024, 9, 15), D(2024, 9, 30)), (D(2024, 11, 1), D(2024, 11, 10))],
    )
    assert rollup_spans(D(2024, 10, 1), D(2024, 10, 31)) == ((D(2024, 10, 1), D(2024, 10, 1)), [])
    assert rollup_spans(D(2024, 10, 3), D(2024, 10, 20)) == (None, [(D(2024, 10, 3), D(2024, 10, 20))])
    assert rollup_spans(D(2024, 10, 20), D(2024, 10, 3)) == (None, [])
    assert rollup_spans(None, D(2024, 12, 5)) == ((None, D(2024, 11, 1)), [(D(2024, 12, 1), D(2024, 12, 5))])


@pytest.mark.django_db(transaction=True)  # the partitions' DDL is the owner's: a connection of its own
def test_daily_rollups_are_partitioned_by_school_year_on_postgresql_only() -> None:
    if connection.vendor != "postgresql":
        assert not partitions.is_partitioned()
        assert partitions.partitions_ensure() == []
        return
    years = partitions.partitions()
    assert partitions.FIRST_SCHOOL_YEAR in years and "2025-2026" in years
    generate(ScalePlan(state="MA", officers=2, contacts=300, school_year="2025-2026", seed=6))
    with as_owner(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {partitions.partition_name('2025-2026')}")
    assert "2025-2026" not in partitions.partitions()
    rollup_rebuild()  # the year's days go to the default partition while it has none
    with as_owner():
        assert "2025-2026" in partitions.partitions_ensure(through=D(2025, 7, 1))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {partitions.partition_name('2025-2026')}")
            moved = cursor.fetchone()[0]
            cursor.execute(f"SELECT count(*) FROM {partitions.TABLE}_default")
            assert cursor.fetchone()[0] == 0
    assert moved == DailyRollup.objects.count() > 0
    assert DailyRollup.objects.aggregate(n=Sum("count"))["n"] == Interaction.objects.count()
    with connection.cursor() as cursor:  # as the application's role: a backup reads every partition by name
        cursor.execute(f"SELECT count(*) FROM {partitions.partition_name('2025-2026')}")
        assert cursor.fetchone()[0] == moved
