"""Record, right after restoring the database from a backup, that it was restored."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from liaison.accounts.audit_chain import audit_restore_record


class Command(BaseCommand):
    help = "Say in the audit log and its anchors that the database was restored, so audit_verify explains it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--note", required=True, help="Which backup, who restored it and why.")

    def handle(self, *args: Any, note: str, **options: Any) -> None:
        restored = audit_restore_record(note=note)
        self.stdout.write(f"Recorded the restore: the chain holds {restored['count']} sealed entries.")
