"""The agreements app's periodic job: the daily MOU reminders by e-mail (liaison/operations/scheduler.py)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from liaison.operations.scheduler import register

from .reminder_mail import reminders_send
from .selectors import mou_reminders


def mou_reminders_email() -> str:
    """What `manage.py mou_reminders --email` does, once a day."""
    reminders = mou_reminders(today=timezone.localdate(), agency=None)
    if not reminders:
        return "No MOU reminders."
    mailing = reminders_send(reminders)
    return f"{len(reminders)} reminder(s), e-mailed {len(mailing.messages)} person(s)"


DAILY_AT_SIX_UTC = {"every": datetime.timedelta(days=1), "offset": datetime.timedelta(hours=6)}
register("mou_reminders_email", func=mou_reminders_email, **DAILY_AT_SIX_UTC)
