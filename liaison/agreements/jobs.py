"""The MOU reminders by e-mail, as `manage.py mou_reminders --email` sends them by hand.

Not scheduled: the worker's `notifications_daily` job (liaison/workflows/jobs.py) turns the day's
reminders into notifications and each person's digest, so nobody gets the same reminder twice."""

from __future__ import annotations

from django.utils import timezone

from .reminder_mail import reminders_send
from .selectors import mou_reminders


def mou_reminders_email() -> str:
    """What `manage.py mou_reminders --email` does, once a day."""
    reminders = mou_reminders(today=timezone.localdate(), agency=None)
    if not reminders:
        return "No MOU reminders."
    mailing = reminders_send(reminders)
    return f"{len(reminders)} reminder(s), e-mailed {len(mailing.messages)} person(s)"
