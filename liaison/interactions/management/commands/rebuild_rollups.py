"""Recount the daily and the enforcement rollups from the raw records (after a restore, or to check them)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.directory.models import Agency
from liaison.interactions.enforcement_rollups import enforcement_rollup_rebuild
from liaison.interactions.rollups import rollup_rebuild

UNKNOWN_AGENCY = "No agency with id {uuid}."


class Command(BaseCommand):
    help = "Rebuild the daily rollups of contacts and the enforcement rollups, for every agency or one (--agency UUID)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help="Only this agency (its UUID).")

    def handle(self, *args: Any, agency: str | None, **options: Any) -> None:
        agency_id = None
        if agency:
            found = Agency.objects.filter(uuid=agency).first()
            if found is None:
                raise CommandError(UNKNOWN_AGENCY.format(uuid=agency))
            agency_id = found.pk
        rows = rollup_rebuild(agency_id=agency_id)
        self.stdout.write(f"Rebuilt {rows} daily rollup rows.")
        rows = enforcement_rollup_rebuild(agency_id=agency_id)
        self.stdout.write(f"Rebuilt {rows} enforcement rollup rows.")
