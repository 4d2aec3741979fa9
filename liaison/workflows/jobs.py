"""The notifications' daily job, run by the worker's scheduler (liaison/operations/scheduler.py), so
`make run` needs no cron: the day's MOU reminders become notifications, then everyone who wants a
digest gets one e-mail listing what waits for them."""

from __future__ import annotations

import datetime

from liaison.notifications.services import digest_send
from liaison.operations.scheduler import register

from .notices import mou_due_today


def notifications_daily() -> str:
    announced = mou_due_today()
    sent = digest_send()
    return f"{announced} MOU reminder notification(s), {sent} digest e-mail(s)"


DAILY_AT_SEVEN_UTC = {"every": datetime.timedelta(days=1), "offset": datetime.timedelta(hours=7)}
register("notifications_daily", func=notifications_daily, **DAILY_AT_SEVEN_UTC)
