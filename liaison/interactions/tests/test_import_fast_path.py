"""The import's fast path for common rows accepts only what the full check accepts, with the same values.

RowChecker._quick skips rules.record_problems for a row whose coded values a full check already passed;
these tests hold it to the full check (RowChecker._check) over rows at and beyond every limit it repeats.
"""

from __future__ import annotations

import datetime
import itertools
import uuid
import zoneinfo

import pytest

from liaison.interactions import import_rows
from liaison.interactions.import_rows import ErrorLog, ImportContext, RowChecker

NOW = datetime.datetime(2026, 3, 10, 14, 30, tzinfo=datetime.UTC)
NAMES = [
    "client_uuid", "badge_number", "school_nces_id", "kind", "role", "occurred_at", "duration_minutes",
    "student_count", "grade_band", "setting", "initiated_by", "note", "staff_role", "service",
    "instead_of_enforcement", "action_type", "reason_category",
]  # fmt: skip
SERVED, NOT_SERVED = "250000100001", "500000100001"


def _context() -> ImportContext:
    context = ImportContext(
        agency_id=1,
        time_zone=zoneinfo.ZoneInfo("America/Chicago"),
        officers={"101": import_rows.Officer(11, 21)},
        served_district_ids=frozenset({31}),
        now=NOW,
    )
    context.schools.update({SERVED: import_rows.School(41, 31), NOT_SERVED: import_rows.School(42, 32)})
    return context


def _row(**values: str) -> dict[str, str]:
    row = dict.fromkeys(NAMES, "")
    row.update(badge_number="101", school_nces_id=SERVED, kind="positive", occurred_at="2026-03-09 10:00")
    row.update(values)
    return row


VARIANTS = {
    "duration_minutes": ["", "1", "1440", "0", "1441", "-5", "abc", " 7"],
    "student_count": ["", "0", "5000", "5001", "x"],
    "occurred_at": [
        "2026-03-09 10:00", "2026-03-09T10:00:00-05:00", "2026-03-08 02:30", "2026-03-10T14:34:00+00:00",
        "2026-03-10T14:36:00+00:00", "2026-03-09", "yesterday", "",
    ],
    "kind": ["positive", "staff", "referral", "enforcement", "unknown", ""],
    "role": ["", "educator", "mentor", "chief"],
    "staff_role": ["", "counselor", "janitor"],
    "service": ["", "counselling"],
    "instead_of_enforcement": ["", "true", "No", "maybe"],
    "setting": ["", "hallway", "roof"],
    "badge_number": ["101", "999", ""],
    "school_nces_id": [SERVED, NOT_SERVED, "999999999999"],
    "client_uuid": ["", "{uuid}", "{UUID}", "not-a-uuid"],
}  # fmt: skip


def _rows() -> list[dict[str, str]]:
    """Every value of each column against a good row, and a spread of pairs of columns."""
    rows = [_row(**{name: value}) for name, values in VARIANTS.items() for value in values]
    for (a, avalues), (b, bvalues) in itertools.combinations(VARIANTS.items(), 2):
        rows += [_row(**{a: x, b: y}) for x, y in itertools.product(avalues[:3], bvalues[:3])]
    for row in rows:
        made = str(uuid.uuid4())
        row["client_uuid"] = row["client_uuid"].replace("{uuid}", made).replace("{UUID}", made.upper())
    return rows


def _full(row: dict[str, str]) -> tuple[import_rows.NewContact | None, list[dict]]:
    errors = ErrorLog()
    checker = RowChecker(_context(), NAMES, errors)
    return checker._check(2, dict(row)), errors.shown


@pytest.mark.parametrize("row", _rows())
def test_the_fast_path_takes_a_row_only_as_the_full_check_would(row):
    learner = RowChecker(_context(), NAMES, ErrorLog())
    for other in _rows()[:60]:  # the coded values a first stretch of a file makes known
        learner._check(2, dict(other))
    learner.seen.clear()
    quick = learner._quick(dict(row))
    full, errors = _full(row)
    if quick is not None:
        assert errors == []
        assert quick == full


def test_the_fast_path_takes_the_common_row():
    checker = RowChecker(_context(), NAMES, ErrorLog())
    checker._check(2, _row(client_uuid=str(uuid.uuid4())))
    assert checker._quick(_row(client_uuid=str(uuid.uuid4()), duration_minutes="12")) is not None


def test_a_row_with_a_note_or_details_always_gets_the_full_check(monkeypatch):
    checker = RowChecker(_context(), NAMES, ErrorLog())
    checker._check(2, _row())
    monkeypatch.setattr(checker, "_quick", lambda raw: pytest.fail("took the fast path"))
    cells = list(_row(note="Lunch duty").values())
    checker.check(3, cells)
    cells = list(_row(action_type="arrest").values())
    checker.check(4, cells)
