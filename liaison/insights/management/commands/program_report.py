"""Build an agency's, a district's or a school's annual program report in the foreground (docs/reports.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.directory.models import Agency, District, School
from liaison.directory.validators import validate_school_year
from liaison.insights import report as reports
from liaison.insights.models import ProgramReport

SCHOOL_LEADERS_ONLY = "A school's report has the leaders' version only (docs/reports.md)."


class Command(BaseCommand):
    help = (
        "Build (or build again) the annual program report of an agency, a district or a school for a school year and "
        "audience, store it as the page's 'Build' does, and optionally write its PDF to a file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        owner = parser.add_mutually_exclusive_group(required=True)
        owner.add_argument("--agency", help="the agency's uuid")
        owner.add_argument("--district", help="the district's uuid")
        owner.add_argument("--school", help="the school's uuid (the leaders' version only)")
        parser.add_argument("--school-year", required=True, help="e.g. 2025-2026")
        parser.add_argument("--audience", choices=ProgramReport.Audience.values, default=ProgramReport.Audience.FULL)
        parser.add_argument("--pdf", type=Path, help="also write the PDF here")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            validate_school_year(options["school_year"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        owner: Agency | District | School | None
        if options["agency"]:
            owner = Agency.objects.filter(uuid=options["agency"]).first()
        elif options["school"]:
            owner = School.objects.filter(uuid=options["school"]).first()
            if options["audience"] != ProgramReport.Audience.FULL:
                raise CommandError(SCHOOL_LEADERS_ONLY)
        else:
            owner = District.objects.filter(uuid=options["district"]).first()
        if owner is None:
            raise CommandError("No such agency, district or school.")
        progress = self.stdout if options["verbosity"] > 0 else None

        def run_now(report: ProgramReport) -> None:
            reports.report_build(report, on_step=(lambda text: progress.write(text)) if progress else None)

        report = reports.report_request(
            actor=None,
            owner=owner,
            school_year=options["school_year"],
            audience=options["audience"],
            enqueue=run_now,
        )
        if report.status != ProgramReport.Status.DONE:
            raise CommandError(report.error or f"The report is {report.get_status_display().lower()}.")
        if options["pdf"]:
            options["pdf"].write_bytes(bytes(report.pdf))
        self.stdout.write(f"Built {report.title} in {report.seconds} s.")
