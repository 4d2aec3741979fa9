"""manage.py import_interactions FILE.csv [--agency UUID] [--user USERNAME]: contacts, all or nothing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from liaison.accounts.models import User
from liaison.directory.models import Agency
from liaison.interactions.import_rows import canonical_uuid
from liaison.interactions.imports import interaction_import_create, interaction_import_execute
from liaison.interactions.models import InteractionImport

IMPORT_FAILED = "Nothing was imported: {count} problems (listed above)."
NO_SUCH_FILE = "No file at {path}."
UNKNOWN_AGENCY = "No agency with id {uuid}."
NAME_THE_AGENCY = "There are {count} agencies: name the one to import into with --agency UUID."
UNKNOWN_USER = "No user named {username}."


class ProgressBar:
    """A tqdm bar in bytes of the file, fed by the import's progress callback."""

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
        "Import contacts and enforcement actions from a CSV file (columns: see the README, “Importing contacts”). "
        "All or nothing: every problem is listed with its line and column, and nothing is stored unless there are none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8).")
        parser.add_argument("--agency", help="The agency's UUID; needed when there is more than one agency.")
        parser.add_argument("--user", help="Who is importing (recorded as the records' creator and in the audit log).")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(NO_SUCH_FILE.format(path=path))
        job = interaction_import_create(
            actor=_user(options["user"]), agency=_agency(options["agency"]), original_name=path.name
        )
        bar = ProgressBar(
            getattr(self.stderr, "_out", sys.stderr), disable=options["no_progress"] or options["verbosity"] == 0
        )
        try:
            job = interaction_import_execute(job, path=path, progress=bar)
        finally:
            bar.close()
        if job.status != InteractionImport.Status.SUCCEEDED:
            self._report_errors(job)
            raise CommandError(IMPORT_FAILED.format(count=len(job.errors) + job.errors_not_shown))
        if options["verbosity"] >= 1:
            self._report_summary(job.summary)

    def _report_errors(self, job: InteractionImport) -> None:
        for error in job.errors:
            where = f"line {error['line']}" if error["line"] else "file"
            column = f" [{error['column']}]" if error["column"] else ""
            self.stderr.write(f"{where}{column}: {error['reason']}")
        if job.errors_not_shown:
            self.stderr.write(f"… and {job.errors_not_shown} more problems not shown.")

    def _report_summary(self, summary: dict[str, Any]) -> None:
        kinds = ", ".join(f"{count} {kind}" for kind, count in summary["by_kind"].items()) or "none"
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {summary['added']} contacts ({summary['enforcement']} enforcement actions) "
                f"in {summary['seconds']} s; {summary['skipped']} were already there."
            )
        )
        self.stdout.write(f"By kind: {kinds}.")


def _agency(uuid: str | None) -> Agency:
    if uuid:
        found = Agency.objects.filter(uuid=uuid).first() if canonical_uuid(uuid) else None
        if found is None:
            raise CommandError(UNKNOWN_AGENCY.format(uuid=uuid))
        return found
    agencies = list(Agency.objects.all()[:2])
    if len(agencies) != 1:
        raise CommandError(NAME_THE_AGENCY.format(count=Agency.objects.count()))
    return agencies[0]


def _user(username: str | None) -> User | None:
    if not username:
        return None
    found = User.objects.filter(username=username).first()
    if found is None:
        raise CommandError(UNKNOWN_USER.format(username=username))
    return found
