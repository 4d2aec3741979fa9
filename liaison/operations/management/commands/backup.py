"""Write an encrypted backup of the database (SQLite online backup API, or pg_dump)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.lib.sealed_files import key_generate
from liaison.operations.backups import BackupError, backup_create, backups_prune

KEY_ADVICE = "Put it in BACKUP_KEY (the environment file) and keep a copy apart from the backups."


class Command(BaseCommand):
    help = (
        "Back up the database into BACKUP_DIR, encrypted with BACKUP_KEY, with every table's row count "
        "for the restore to check. The worker runs it every BACKUP_HOURS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output-dir", type=Path, help="Write here instead of BACKUP_DIR.")
        parser.add_argument("--prune", action="store_true", help="Then delete all but the newest BACKUP_KEEP.")
        parser.add_argument("--generate-key", action="store_true", help="Print a new BACKUP_KEY and stop.")

    def handle(self, *args: Any, output_dir: Path | None, prune: bool, generate_key: bool, **options: Any) -> None:
        if generate_key:
            self.stdout.write(key_generate())
            self.stderr.write(KEY_ADVICE)
            return
        try:
            path = backup_create(directory=output_dir)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(path))
        if prune:
            for old in backups_prune(directory=output_dir):
                self.stdout.write(f"deleted {old}")
