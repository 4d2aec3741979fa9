"""Load the three fictional demo programs and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.directory.demo import demo_load, demo_logins, demo_logins_table
from liaison.directory.models import Agency

DATABASE_NOT_EMPTY = (
    "The database already holds agencies; the demo loads only into an empty database. "
    "Use --if-empty to skip loading without an error."
)
DEMO_NEEDS_DEBUG = "The demo creates logins with a published password; it loads only when DEBUG is on."
ALREADY_LOADED = "The database already holds agencies: demo not loaded."


class Command(BaseCommand):
    help = "Create three fictional SRO programs with one demo login per role (DEBUG only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only if the database has no agency yet; otherwise just print the demo logins.",
        )

    def handle(self, *args: Any, if_empty: bool, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(DEMO_NEEDS_DEBUG)
        if Agency.objects.exists():
            if not if_empty:
                raise CommandError(DATABASE_NOT_EMPTY)
            self.stdout.write(ALREADY_LOADED)
        else:
            demo_load()
            self.stdout.write(self.style.SUCCESS("Loaded the demo programs."))
        logins = demo_logins()
        if logins:
            self.stdout.write("\n" + demo_logins_table(logins))
