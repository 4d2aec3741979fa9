"""Load the three fictional demo programs and print the demo logins."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from liaison.accounts.demo import mfa_demo_load
from liaison.agreements.demo import agreements_demo_load, agreements_demo_reviews
from liaison.demo.notifications import demo_notifications_settle
from liaison.directory.demo import demo_load, demo_logins, demo_logins_table
from liaison.directory.models import Agency
from liaison.insights.demo import insights_demo_load
from liaison.interactions.demo import interactions_demo_load
from liaison.programs.demo import programs_demo_load
from liaison.surveys.demo import surveys_demo_load

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
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="The last day of the demo's year of activity, YYYY-MM-DD (default: today).",
        )

    def handle(self, *args: Any, if_empty: bool, today: datetime.date | None, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(DEMO_NEEDS_DEBUG)
        if Agency.objects.exists():
            if not if_empty:
                raise CommandError(DATABASE_NOT_EMPTY)
            self.stdout.write(ALREADY_LOADED)
        else:
            self._load(today or timezone.localdate())
        logins = demo_logins()
        if logins:
            self.stdout.write("\n" + demo_logins_table(logins))

    def _load(self, today: datetime.date) -> None:
        """The programs, then their MOUs, then a year of activity evaluated against those MOUs, then the
        classes, mentoring and meetings that make the programs' presence, then the trust surveys, then what
        schools reported for the CRDC (to set beside the officers' records)."""
        with transaction.atomic():
            admin = demo_load()
            agreements = agreements_demo_load(today=today)
            activity = interactions_demo_load(today=today)
            reviews = agreements_demo_reviews()
            programs_demo_load(actor=admin, today=today)
            surveys = surveys_demo_load(actor=admin, today=today)
            insights_demo_load(actor=admin, today=today)
            mfa_demo_load(showing_the_flow=admin.username)
            demo_notifications_settle()
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the demo programs: {len(agreements)} MOUs, {activity.contacts:,} contacts and "
                f"{activity.enforcement} enforcement actions up to {today:%Y-%m-%d}, "
                f"{sum(reviews.values())} reviews, {len(surveys)} survey waves."
            )
        )
