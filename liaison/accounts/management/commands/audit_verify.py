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
        parser.add_argument(
            "--full",
            action="store_true",
            help="Walk the whole chain, re-reading every entry. Without it, only the entries sealed since the "
            "last successful verification are walked (its position and head must still be on the chain).",
        )

    def handle(self, *args: Any, anchor: list[str], no_seal: bool, full: bool, **options: Any) -> None:
        anchors = configured_anchors() if not anchor else []
        for name in anchor:
            path = Path(name)
            if not path.exists():
                raise CommandError(f"--anchor: {path} does not exist")
            anchors.extend(anchors_read(path))
        if not no_seal:
            audit_seal()
        result = audit_verify(anchors=anchors, incremental=not full)
        for note in result.notes:
            self.stdout.write(f"Note: {note}")
        if not result.ok:
            raise CommandError(f"Audit chain FAILED after {result.entries} entries: {result.problem}")
        walked = (
            f"positions {result.started_after + 1} to {result.entries} walked from the last verified checkpoint"
            if result.started_after
            else "the whole chain walked"
        )
        self.stdout.write(
            f"Audit chain verified: {result.entries} entries ({walked}), head {result.head}, "
            f"{len(anchors)} anchors checked."
        )
