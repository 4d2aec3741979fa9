"""Restore an encrypted backup into an empty database and prove that every row came back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.lib.sealed_files import SealedFileError
from liaison.operations.backups import BackupError, backup_describe, backup_restore

RESTORED = "Restored {path}, made {created_at}: {tables} tables and {rows} rows, every count checked."


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database, which must be empty "
        "(a new PostgreSQL database, or a new DATA_DIR). Checks every table's row count (and any other "
        "registered check) and records the restore in the audit log. Run `migrate` afterwards for an "
        "upgrade; the backup's version is shown by --describe."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--describe", action="store_true", help="Only print the backup's header and stop.")

    def handle(self, *args: Any, path: Path, describe: bool, **options: Any) -> None:
        if not path.is_file():
            raise CommandError(f"No backup file at {path}.")
        try:
            if describe:
                self.stdout.write(json.dumps(backup_describe(path), indent=2))
                return
            report = backup_restore(path)
        except (BackupError, SealedFileError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(RESTORED.format(**vars(report)))
