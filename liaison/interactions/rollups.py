"""Daily rollups, kept current as records arrive so dashboards never scan raw contacts."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from .models import DailyRollup, Interaction

_INSERT = """
INSERT INTO interactions_dailyrollup
    (agency_id, district_id, school_id, officer_id, day, kind, role, count, minutes, minutes_count, students)
"""
_ADD_TO_EXISTING = """
ON CONFLICT (school_id, officer_id, day, kind, role) DO UPDATE SET
    count = interactions_dailyrollup.count + excluded.count,
    minutes = interactions_dailyrollup.minutes + excluded.minutes,
    minutes_count = interactions_dailyrollup.minutes_count + excluded.minutes_count,
    students = interactions_dailyrollup.students + excluded.students
"""
_UPSERT = _INSERT + "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)" + _ADD_TO_EXISTING
# An import's counts, tallied as it wrote its rows, in one statement: one array per column.
_ADD_COLUMNS = (
    _INSERT
    + """
SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], %s::date[], %s::text[], %s::text[],
    %s::integer[], %s::integer[], %s::integer[], %s::integer[])
"""
    + _ADD_TO_EXISTING
)
# An import's tally: (district, school, officer, day, kind, role) -> [count, minutes, minutes_count, students]
RollupCells = dict[tuple[int, int, int, datetime.date, str, str], list[int]]


def _row(interaction: Interaction, sign: int) -> tuple:
    minutes = interaction.duration_minutes
    return (
        interaction.agency_id,
        interaction.district_id,
        interaction.school_id,
        interaction.officer_id,
        interaction.occurred_on,
        interaction.kind,
        interaction.role,
        sign,
        sign * (minutes or 0),
        sign * (1 if minutes is not None else 0),
        sign * (interaction.student_count or 0),
    )


def rollup_add_statement(interaction: Interaction) -> tuple[str, tuple]:
    """The upsert that counts one new record, with its parameters, for a writer that runs it together
    with the record's own insert (services._save_together)."""
    return _UPSERT, _row(interaction, 1)


def rollup_apply(interactions: Iterable[Interaction], *, sign: int = 1) -> None:
    """Add (sign=1) or remove (sign=-1) records' counts. Voided records are never counted."""
    rows = [_row(i, sign) for i in interactions if not i.voided]
    if rows:
        with connection.cursor() as cursor:
            if len(rows) == 1:  # every API create: execute is cheaper than executemany's set-up
                cursor.execute(_UPSERT, rows[0])
            else:
                cursor.executemany(_UPSERT, rows)


def rollup_rebuild(*, agency_id: int | None = None) -> int:
    """Recount from the raw records (all agencies, or one). Returns the number of rollup rows."""
    records = Interaction.objects.filter(voided=False)
    rollups = DailyRollup.objects.all()
    if agency_id is not None:
        records = records.filter(agency_id=agency_id)
        rollups = rollups.filter(agency_id=agency_id)
    cells = (
        records.values("agency_id", "district_id", "school_id", "officer_id", "occurred_on", "kind", "role")
        .annotate(
            n=Count("*"),
            minutes_sum=Coalesce(Sum("duration_minutes"), 0),
            minutes_n=Count("duration_minutes"),
            students_sum=Coalesce(Sum("student_count"), 0),
        )
        .order_by()
    )
    with transaction.atomic():
        rollups.delete()
        DailyRollup.objects.bulk_create(
            (
                DailyRollup(
                    agency_id=c["agency_id"],
                    district_id=c["district_id"],
                    school_id=c["school_id"],
                    officer_id=c["officer_id"],
                    day=c["occurred_on"],
                    kind=c["kind"],
                    role=c["role"],
                    count=c["n"],
                    minutes=c["minutes_sum"],
                    minutes_count=c["minutes_n"],
                    students=c["students_sum"],
                )
                for c in cells.iterator()
            ),
            batch_size=2000,
        )
    return rollups.count()


def rollup_add_cells(*, agency_id: int, cells: RollupCells) -> None:
    """Add an import's counts, tallied row by row as it wrote them (imports._Tally), in one statement.

    Counting the written rows again with GROUP BY took longer: right after a large import the table's
    statistics are stale, and PostgreSQL sorted a million rows on disk to group them.
    """
    rows: list[tuple[Any, ...]] = [(agency_id, *key, *values) for key, values in cells.items()]
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(_UPSERT, rows)
            return
        # Each column as an array literal: ids, dates, counts and codes need no quoting, and formatting
        # them here is several times cheaper than adapting 87,000 × 11 values one by one.
        cursor.execute(_ADD_COLUMNS, ["{" + ",".join(map(str, column)) + "}" for column in zip(*rows, strict=True)])
