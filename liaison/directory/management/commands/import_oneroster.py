"""manage.py import_oneroster PATH --school-year 2025-2026: districts, schools and enrollment counts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from liaison.directory.roster_imports import RosterOutcome, roster_import_run
from liaison.directory.validators import SCHOOL_YEAR_INVALID, validate_school_year

IMPORT_FAILED = "Nothing was imported: {count} errors (listed above)."


class ProgressBar:
    """A tqdm bar in bytes, fed by roster_import_run's progress callback."""

    def __init__(self, stream: Any, *, disable: bool) -> None:
        self.bar = tqdm(total=None, unit="B", unit_scale=True, unit_divisor=1024, file=stream, disable=disable)

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.bar.total != total:
            self.bar.reset(total=total)
        self.bar.set_description(phase, refresh=False)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        self.bar.close()


class Command(BaseCommand):
    help = (
        "Import districts, schools and per-school enrollment counts from a OneRoster 1.1 or 1.2 CSV set "
        "(a folder or a zip). All or nothing: every error is listed and nothing changes unless there are none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="A folder or a zip holding orgs.csv, users.csv, …")
        parser.add_argument("--school-year", required=True, help="The school year the counts are for, e.g. 2025-2026.")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")
        parser.add_argument(
            "--confirm",
            action="store_true",
            help="Apply renames, grade-span changes and counts becoming 'not collected' (listed without it).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        school_year = options["school_year"]
        try:
            validate_school_year(school_year)
        except ValidationError:
            raise CommandError(SCHOOL_YEAR_INVALID) from None
        bar = ProgressBar(
            getattr(self.stderr, "_out", sys.stderr), disable=options["no_progress"] or options["verbosity"] == 0
        )
        try:
            outcome = roster_import_run(
                path=options["path"], school_year=school_year, actor=None, progress=bar, confirm=options["confirm"]
            )
        finally:
            bar.close()
        if not outcome.succeeded:
            self._report_errors(outcome)
            raise CommandError(IMPORT_FAILED.format(count=outcome.error_count))
        self._report_summary(outcome.summary)

    def _report_errors(self, outcome: RosterOutcome) -> None:
        for error in outcome.errors:
            where = ":".join(str(part) for part in (error["file"], error["line"]) if part not in ("", None))
            column = f" [{error['column']}]" if error["column"] else ""
            self.stderr.write(f"{where}{column}: {error['reason']}")
        if outcome.errors_not_shown:
            self.stderr.write(f"… and {outcome.errors_not_shown} more errors not shown.")

    def _report_summary(self, summary: dict[str, Any]) -> None:
        def counted(kind: str) -> str:
            return ", ".join(f"{count} {what}" for what, count in sorted(summary[kind].items())) or "none"

        self.stdout.write(
            self.style.SUCCESS(
                f"Imported OneRoster {summary['version']} for {summary['school_year']}: "
                f"{summary['students']} students in {len(summary['per_school'])} schools."
            )
        )
        self.stdout.write(f"Districts: {counted('districts')}. Schools: {counted('schools')}.")
        self.stdout.write(f"Enrollment rows: {counted('enrollments')}.")
        if summary["not_collected"]:
            self.stdout.write(f"Not collected (left blank, not zero): {', '.join(summary['not_collected'])}.")
        for warning in summary["warnings"]:
            self.stdout.write(self.style.WARNING(warning))
        self.stdout.write(f"Read in {summary['seconds']['read']} s, saved in {summary['seconds']['write']} s.")
