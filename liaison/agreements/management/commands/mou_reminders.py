"""Print the MOU reminders for every agency (or one): the daily run."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from liaison.agreements.reminder_mail import reminders_send
from liaison.agreements.selectors import Reminder, mou_reminders
from liaison.agreements.vocabulary import REMINDER_WINDOW_DAYS
from liaison.directory.models import Agency

UNKNOWN_AGENCY = "No agency with the id {uuid}."
NOTHING_DUE = "No MOU reminders."
SUMMARY = "{count} MOU reminder(s)."
SENT = "E-mailed {count} person(s)."
NO_ADDRESS = "Not e-mailed, no address on file: {users}."


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = (
        f"List MOUs whose review is due or that expire within {REMINDER_WINDOW_DAYS} days, and schools "
        "with officers assigned but no MOU in force. Meant to run daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help="Only this agency (its UUID).")
        parser.add_argument("--on", type=_date, help="The day to look ahead from (YYYY-MM-DD); default: today.")
        parser.add_argument(
            "--email",
            action="store_true",
            help="Also e-mail each agency admin and district admin the reminders that concern them.",
        )

    def handle(
        self, *args: Any, agency: str | None, on: datetime.date | None, email: bool = False, **options: Any
    ) -> None:
        today = on or timezone.localdate()
        reminders = mou_reminders(today=today, agency=_agency(agency) if agency else None)
        for reminder in reminders:
            self.stdout.write(_line(reminder))
        self.stdout.write(SUMMARY.format(count=len(reminders)) if reminders else NOTHING_DUE)
        if email and reminders:
            mailing = reminders_send(reminders)
            self.stdout.write(SENT.format(count=len(mailing.messages)))
            if mailing.without_address:
                self.stdout.write(NO_ADDRESS.format(users=", ".join(mailing.without_address)))


def _agency(uuid: str) -> Agency:
    try:
        return Agency.objects.get(uuid=uuid)
    except (Agency.DoesNotExist, ValueError, ValidationError):
        raise CommandError(UNKNOWN_AGENCY.format(uuid=uuid)) from None


def _line(reminder: Reminder) -> str:
    return f"{reminder.due.isoformat()}  {reminder.kind.label:<16} {reminder.agency.name}: {reminder.message}"
