"""Enforcement actions per school, agency, month, action type, CRDC flags and race/ethnicity.

The equity analysis (liaison/insights/selectors.py) reads these instead of every action of a district's
year: a district's year is a few hundred rows, however many actions it holds. Kept like the daily
rollups (rollups.py): each writer adds or removes its actions' counts in the same transaction as the
actions themselves (recording, a change of school or time, voiding, an import), and
`enforcement_rollup_rebuild` recounts them from the records. A cell whose actions were all voided or
moved stays, at 0; a rebuild leaves it out.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth

from .models import EnforcementDetail, EnforcementRollup, Interaction
from .vocabulary import REFERRAL_ACTIONS, ActionType, Kind

_UPSERT = """
INSERT INTO interactions_enforcementrollup
    (agency_id, district_id, school_id, month, action_type, counts_as_referral, counts_as_arrest, race_ethnicity, count)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (school_id, agency_id, month, action_type, counts_as_referral, counts_as_arrest, race_ethnicity)
DO UPDATE SET count = interactions_enforcementrollup.count + excluded.count
"""
# An import's actions, tallied as it checked its rows:
# (district, school, month, action type, counts as referral, counts as arrest, race/ethnicity) -> actions
EnforcementCells = dict[tuple[int, int, datetime.date, str, bool, bool, str], int]


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def enforcement_cell(
    district_id: int, school_id: int, day: datetime.date, details: dict[str, Any]
) -> tuple[int, int, datetime.date, str, bool, bool, str]:
    """An imported action's cell: its flags derived from the action type as the import stores them
    (import_writers._detail_row), its race/ethnicity as stored."""
    action = details["action_type"]
    race = details.get("race_ethnicity")
    return (
        district_id,
        school_id,
        month_of(day),
        action,
        action in REFERRAL_ACTIONS,
        action == ActionType.ARREST,
        race if race is not None else "",
    )


def _row(interaction: Interaction, detail: EnforcementDetail, sign: int) -> tuple[Any, ...]:
    return (
        interaction.agency_id,
        interaction.district_id,
        interaction.school_id,
        month_of(interaction.occurred_on),
        detail.action_type,
        detail.counts_as_referral,
        detail.counts_as_arrest,
        detail.race_ethnicity,
        sign,
    )


def enforcement_rollup_apply(actions: Iterable[tuple[Interaction, EnforcementDetail | None]], *, sign: int = 1) -> None:
    """Add (sign=1) or remove (sign=-1) actions' counts: (record, its detail) pairs. Void records and
    other kinds are never counted."""
    rows = [
        _row(record, detail, sign)
        for record, detail in actions
        if detail is not None and record.kind == Kind.ENFORCEMENT and not record.voided
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(_UPSERT, rows)


def enforcement_rollup_add_cells(*, agency_id: int, cells: EnforcementCells) -> None:
    """Add an import's actions, tallied row by row as it wrote them."""
    rows = [(agency_id, *key, n) for key, n in cells.items() if n]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(_UPSERT, rows)


def enforcement_rollup_counted(*, agency_id: int | None = None) -> list[dict[str, Any]]:
    """The cells counted from the records (every agency, or one), for a rebuild and to check one."""
    details = EnforcementDetail.objects.filter(interaction__voided=False, interaction__kind=Kind.ENFORCEMENT)
    if agency_id is not None:
        details = details.filter(interaction__agency_id=agency_id)
    return list(
        details.annotate(month=TruncMonth("interaction__occurred_on"))
        .values(
            "interaction__agency_id",
            "interaction__district_id",
            "interaction__school_id",
            "month",
            "action_type",
            "counts_as_referral",
            "counts_as_arrest",
            "race_ethnicity",
        )
        .annotate(n=Count("*"))
        .order_by()
    )


def enforcement_rollup_rebuild(*, agency_id: int | None = None) -> int:
    """Recount from the records (every agency, or one). Returns the number of rollup rows."""
    rollups = EnforcementRollup.objects.all()
    if agency_id is not None:
        rollups = rollups.filter(agency_id=agency_id)
    cells = enforcement_rollup_counted(agency_id=agency_id)
    with transaction.atomic():
        rollups.delete()
        EnforcementRollup.objects.bulk_create(
            (
                EnforcementRollup(
                    agency_id=c["interaction__agency_id"],
                    district_id=c["interaction__district_id"],
                    school_id=c["interaction__school_id"],
                    month=_as_date(c["month"]),
                    action_type=c["action_type"],
                    counts_as_referral=c["counts_as_referral"],
                    counts_as_arrest=c["counts_as_arrest"],
                    race_ethnicity=c["race_ethnicity"],
                    count=c["n"],
                )
                for c in cells
            ),
            batch_size=2000,
        )
    return rollups.count()


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value
