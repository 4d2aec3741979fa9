"""Walk the audit log's hash chain and check it against the anchors kept outside the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.accounts.audit_chain import anchors_read, audit_seal, audit_verify, configured_anchors


class Command(BaseCommand):
    help = "Verify the audit chain; exits with an error naming the first entry that does not fit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="FILE",
            help="An anchor file (or a syslog extract) to check against; default AUDIT_ANCHOR_FILE.",
        )
        parser.add_argument("--no-seal", action="store_true", help="Do not seal new entries first.")

    def handle(self, *args: Any, anchor: list[str], no_seal: bool, **options: Any) -> None:
        anchors = configured_anchors() if not anchor else []
        for name in anchor:
            path = Path(name)
            if not path.exists():
                raise CommandError(f"--anchor: {path} does not exist")
            anchors.extend(anchors_read(path))
        if not no_seal:
            audit_seal()
        result = audit_verify(anchors=anchors)
        for note in result.notes:
            self.stdout.write(f"Note: {note}")
        if not result.ok:
            raise CommandError(f"Audit chain FAILED after {result.entries} entries: {result.problem}")
        self.stdout.write(
            f"Audit chain verified: {result.entries} entries, head {result.head}, {len(anchors)} anchors checked."
        )
