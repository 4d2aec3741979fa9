"""CSV files of the programs lists: one writer, cells that cannot run as spreadsheet formulas."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from liaison.lib.csv_export import csv_writer


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return value


Column = tuple[str, Callable[[Any], Any]]


def csv_text(columns: Sequence[Column], rows: Iterable[Any]) -> str:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow([name for name, _ in columns])
    for row in rows:
        writer.writerow([_cell(get(row)) for _, get in columns])
    return buffer.getvalue()


def csv_response(name: str, columns: Sequence[Column], rows: Iterable[Any]) -> HttpResponse:
    response = HttpResponse(csv_text(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="liaison-{name}-{timezone.localdate().isoformat()}.csv"'
    response["Cache-Control"] = "no-store"
    return response


SESSION_COLUMNS: tuple[Column, ...] = (
    ("session_uuid", lambda s: s.uuid),
    ("day", lambda s: s.starts_on.isoformat()),
    ("starts_at", lambda s: s.starts_at.isoformat()),
    ("school", lambda s: s.school.name),
    ("school_uuid", lambda s: s.school.uuid),
    ("officer", lambda s: s.officer.display_name),
    ("officer_uuid", lambda s: s.officer.uuid),
    ("curriculum", lambda s: s.curriculum.title),
    ("lesson_number", lambda s: s.lesson_number),
    ("class_name", lambda s: s.class_name),
    ("grade", lambda s: s.get_grade_display() if s.grade is not None else ""),
    ("co_teacher_role", lambda s: s.co_teacher_role),
    ("planned_minutes", lambda s: s.planned_minutes),
    ("expected_students", lambda s: s.expected_students),
    ("status", lambda s: s.status),
    ("attendance", lambda s: s.attendance),
    ("delivered_minutes", lambda s: s.delivered_minutes),
    ("cancel_reason", lambda s: s.cancel_reason),
    ("contact_uuid", lambda s: s.interaction.uuid if s.interaction_id else ""),
)
CURRICULUM_COLUMNS: tuple[Column, ...] = (
    ("curriculum_uuid", lambda c: c.uuid),
    ("title", lambda c: c.title),
    ("topics", lambda c: c.topics),
    ("lowest_grade", lambda c: c.get_lowest_grade_display()),
    ("highest_grade", lambda c: c.get_highest_grade_display()),
    ("lesson_count", lambda c: c.lesson_count),
    ("materials_url", lambda c: c.materials_url),
    ("active", lambda c: c.active),
)
# The mentee appears as the relationship's id only: keys stay on the audited detail page.
MENTORING_COLUMNS: tuple[Column, ...] = (
    ("relationship_uuid", lambda d: d.relationship.uuid),
    ("school", lambda d: d.relationship.school.name),
    ("officer", lambda d: d.relationship.officer.display_name),
    ("started_on", lambda d: d.relationship.started_on.isoformat()),
    ("status", lambda d: d.relationship.status),
    ("co_contact_role", lambda d: d.relationship.co_contact_role),
    ("consent_on", lambda d: d.relationship.consent_on.isoformat()),
    ("meetings", lambda d: d.meetings),
    ("meetings_per_month", lambda d: f"{d.per_month:.2f}"),
    ("months_active", lambda d: f"{d.months_active:.1f}"),
    ("longest_gap_days", lambda d: d.longest_gap_days),
    ("last_met_on", lambda d: d.last_met_on.isoformat() if d.last_met_on else ""),
    ("no_meeting_in_30_days", lambda d: d.overdue),
)
LIAISON_COLUMNS: tuple[Column, ...] = (
    ("meeting_uuid", lambda m: m.uuid),
    ("day", lambda m: m.starts_on.isoformat()),
    ("starts_at", lambda m: m.starts_at.isoformat()),
    ("school", lambda m: m.school.name),
    ("kind", lambda m: m.kind),
    ("status", lambda m: m.status),
    ("officer", lambda m: m.officer.display_name if m.officer_id else ""),
    ("attendee_roles", lambda m: " ".join(m.attendee_roles)),
    ("attendee_count", lambda m: m.attendee_count),
    ("notes", lambda m: m.notes),
)


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


PRESENCE_COLUMNS: tuple[Column, ...] = (
    ("school", lambda r: r[0].school.name),
    ("school_uuid", lambda r: r[0].school.uuid),
    ("school_year", lambda r: r[0].school_year),
    ("as_of", lambda r: r[0].as_of.isoformat()),
    ("has_calendar", lambda r: r[0].has_calendar),
    ("school_days", lambda r: r[0].school_days if r[0].has_calendar else ""),
    ("school_weeks", lambda r: r[0].school_weeks if r[0].has_calendar else ""),
    ("weeks_with_positive_contact", lambda r: r[0].weeks_with_contact if r[0].has_calendar else ""),
    ("share_of_weeks", lambda r: _share(r[0].week_share)),
    ("longest_gap_school_days", lambda r: r[0].longest_gap.days if r[0].has_calendar else ""),
    ("positive_contacts", lambda r: r[0].contacts if r[0].has_calendar else ""),
    ("enrollment", lambda r: r[0].enrollment),
    ("contacts_per_100_students_per_month", lambda r: _share(r[0].per_100_per_month)),
    ("current_tenure_days", lambda r: r[1].tenure_days),
    ("officers_last_3_years", lambda r: r[1].officers_in_window),
    ("turnover_events_last_3_years", lambda r: len(r[1].turnover)),
)
