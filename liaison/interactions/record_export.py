"""The CSV export of a filtered records list: its columns, and rows streamed in constant memory.

Lists and exports of everyone's records carry the minimum: an enforcement action appears only as its
action type, reason category and CRDC flags. No demographics, no pseudonymous student key, no
notes (free text can name someone despite the checks). Those are read one record at a time, and
each such read is audited; a bulk file would copy them out of the audit's sight.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from liaison.lib.csv_export import csv_writer, neutralise

from .models import Interaction

ROWS_PER_CHUNK = 500


def _enforcement(name: str) -> Callable[[Interaction], Any]:
    def get(record: Interaction) -> Any:
        detail = getattr(record, "enforcement", None) if record.kind == "enforcement" else None
        return getattr(detail, name) if detail is not None else ""

    return get


# (column, what it holds, how to read it). The header row is the first element of each.
COLUMNS: tuple[tuple[str, str, Callable[[Interaction], Any]], ...] = (
    ("record_uuid", "The record's id (as in the API)", lambda r: r.uuid),
    ("day", "The local school day (agency time zone), YYYY-MM-DD", lambda r: r.occurred_on.isoformat()),
    ("occurred_at", "When it happened, ISO 8601 in UTC", lambda r: r.occurred_at.isoformat()),
    ("school", "School name", lambda r: neutralise(r.school.name)),
    ("school_uuid", "School id", lambda r: r.school.uuid),
    ("officer", "Officer's rank and name", lambda r: neutralise(r.officer.display_name)),
    ("officer_uuid", "Officer id", lambda r: r.officer.uuid),
    ("kind", "Contact kind code (positive, instruction, …, enforcement)", lambda r: r.kind),
    ("role", "Triad role code (educator, law_enforcement, mentor)", lambda r: r.role),
    ("duration_minutes", "Minutes, blank when not recorded", lambda r: r.duration_minutes),
    ("student_count", "Number of students, blank when not recorded", lambda r: r.student_count),
    ("grade_band", "Grade band code, blank when not recorded", lambda r: r.grade_band),
    ("setting", "Ed-Fi setting code, blank when not recorded", lambda r: r.setting),
    ("initiated_by", "Who initiated the contact, blank when not recorded", lambda r: r.initiated_by),
    ("staff_role", "Staff consulted (staff consultations only)", lambda r: r.staff_role),
    ("service", "Service referred to (referrals only)", lambda r: r.service),
    ("instead_of_enforcement", "Referral made instead of enforcement: true, false or blank", lambda r: _flag(r)),
    ("source", "How it was entered: quick_log, form, api, import", lambda r: r.source),
    ("voided", "true when the record was voided (listed only when asked for)", lambda r: _bool(r.voided)),
    ("action_type", "Enforcement action type code (enforcement only)", _enforcement("action_type")),
    ("reason_category", "MOU behaviour category code (enforcement only)", _enforcement("reason_category")),
    ("counts_as_referral", "CRDC referral to law enforcement (enforcement only)", _enforcement("counts_as_referral")),
    ("counts_as_arrest", "CRDC school-related arrest (enforcement only)", _enforcement("counts_as_arrest")),
)  # fmt: skip
HEADER = tuple(name for name, _, _ in COLUMNS)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _flag(record: Interaction) -> str:
    value = record.instead_of_enforcement
    return "" if value is None else _bool(value)


def _row(record: Interaction) -> list[Any]:
    return [_bool(value) if isinstance(value, bool) else value for value in (get(record) for _, _, get in COLUMNS)]


def csv_chunks(records: Iterable[Interaction]) -> Iterator[str]:
    """The header, then the rows, a few hundred at a time: one buffer, reused, so memory stays flat."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(HEADER)
    for n, record in enumerate(records, start=1):
        writer.writerow(_row(record))
        if n % ROWS_PER_CHUNK == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
