"""Sign everyone out: every session ends, every user signs in again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from liaison.operations.sessions import sessions_end_all

ENDED = "Ended {count} session(s); everyone signs in again."


class Command(BaseCommand):
    help = "End every session (everyone signs in again). Recorded in the audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reason", default="", help="Why, for the audit log (e.g. 'SECRET_KEY rotated').")

    def handle(self, *args: Any, reason: str, **options: Any) -> None:
        count = sessions_end_all(actor=None, reason=reason)
        self.stdout.write(ENDED.format(count=count))
