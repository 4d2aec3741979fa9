"""The surveys app's periodic job: close the waves whose close date has passed (liaison/operations/scheduler.py)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from liaison.operations.scheduler import register

from .services import waves_close_due


def surveys_close_due() -> str:
    """What `manage.py surveys_close_due` does, once a day."""
    outcomes = waves_close_due(today=timezone.localdate())
    closed = sum(1 for _, done in outcomes if done)
    return f"{closed} wave(s) closed, {len(outcomes) - closed} waiting for a decision on held responses"


register(
    "surveys_close_due",
    func=surveys_close_due,
    every=datetime.timedelta(days=1),
    offset=datetime.timedelta(hours=0, minutes=30),
)
