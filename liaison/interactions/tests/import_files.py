"""Small contacts CSVs for the import tests, written in a test's tmp_path."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

from django.core.management import call_command

from liaison.accounts.models import AuditEntry
from liaison.interactions.import_rows import COLUMNS
from liaison.interactions.models import DailyRollup, EnforcementDetail, Interaction, InteractionImport

NOW = datetime.datetime(2026, 3, 10, 14, 30, tzinfo=datetime.UTC)
ELEMENTARY = "250000100001"
HIGH = "250000100003"
HARLOW_HIGH = "500000100001"

ARREST = {
    "action_type": "arrest",
    "reason_category": "assault_with_injury",
    "nibrs_code": "13A",
    "requested_by": "administrator",
    "admin_consulted": "true",
    "admin_consulted_role": "administrator",
    "student_grade": "10",
    "race_ethnicity": "black",
    "sex": "male",
    "disability": "none",
    "english_learner": "no",
    "demographics_source": "school_record",
    "rms_report_number": "26-001234",
}


def contact(**values: Any) -> dict[str, Any]:
    """A good positive contact by officer 101 at Millbrook Elementary, with `values` changed."""
    row = {"badge_number": "101", "school_nces_id": ELEMENTARY, "kind": "positive", "occurred_at": "2026-03-09 10:00"}
    return {**row, **values}


def write_csv(
    folder: Path, rows: list[dict[str, Any]], *, name: str = "contacts.csv", header: list[str] | None = None
) -> Path:
    """The rows under a header of every column they use (in the README's order), or `header`."""
    used = {column for row in rows for column in row}
    columns = header or [column for column in COLUMNS if column in used]
    path = folder / name
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(column, "") for column in columns])
    return path


def import_file(path: Path, into: Any, /, **options: Any) -> str:
    """Run the command for agency `into`; its standard output (errors raise CommandError, listed on stderr)."""
    out = io.StringIO()
    options = {"agency": str(into.uuid), "no_progress": True, "stdout": out, "stderr": io.StringIO(), **options}
    call_command("import_interactions", str(path), **options)
    return out.getvalue()


def last_import() -> InteractionImport:
    return InteractionImport.objects.order_by("-id").first()


def problems(job: InteractionImport) -> list[tuple[int | None, str, str]]:
    return [(error["line"], error["column"], error["reason"]) for error in job.errors]


def table_counts() -> dict[str, int]:
    """Everything an import writes, so a failed one can be shown to have written nothing."""
    return {
        "interactions": Interaction.objects.count(),
        "enforcement": EnforcementDetail.objects.count(),
        "rollups": DailyRollup.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def rollup_table() -> dict[tuple, tuple]:
    return {
        (r.school_id, r.officer_id, r.day, r.kind, r.role): (r.count, r.minutes, r.minutes_count, r.students)
        for r in DailyRollup.objects.all()
        if r.count
    }
