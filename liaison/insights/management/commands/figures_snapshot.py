"""Build the stored figures that evaluators see for a closed school year (docs/disclosure.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from liaison.directory.validators import validate_school_year
from liaison.insights.figures import snapshots_build
from liaison.insights.outcomes_release import outcome_snapshots_build
from liaison.insights.public_figures import public_snapshots_build

SUMMARY = "Built {count} snapshot(s) for {year}."
PUBLIC_SUMMARY = "Built {count} public snapshot(s) for the last school year that has ended."


class Command(BaseCommand):
    help = (
        "Compute, audit and store the equity and CRDC figures and the outcomes of a closed school year "
        "(the last one by default, with the year before for the outcomes) for every evaluator scope in "
        "use, and the public figures of the last school year that has ended for every agreement that "
        "publishes them. Snapshots already stored are kept as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school-year", help="e.g. 2025-2026; default: the last closed school year.")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["school_year"]
        try:
            if year:
                validate_school_year(year)
            today = timezone.localdate()
            count = snapshots_build(today, school_year=year) + outcome_snapshots_build(today, school_year=year)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(SUMMARY.format(count=count, year=year or "the last closed school year"))
        self.stdout.write(PUBLIC_SUMMARY.format(count=public_snapshots_build()))
