"""Close every open survey wave whose close date has passed: the daily run that makes results appear.

Closing releases the held responses (each school's in one shuffled batch) and destroys the wave's
key. A wave whose held bursts still wait for the district's decision is left open and named.
The worker runs the same each day (liaison/surveys/jobs.py).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from liaison.surveys.services import waves_close_due

CLOSED = "Closed {title}."
WAITING = "Not closed, held responses wait for a decision: {title}."
NOTHING_DUE = "No survey wave is due to close."


class Command(BaseCommand):
    help = "Close the survey waves whose close date has passed (results appear then). Meant to run daily."

    def handle(self, *args: Any, **options: Any) -> None:
        outcomes = waves_close_due(today=timezone.localdate())
        if not outcomes:
            self.stdout.write(NOTHING_DUE)
        for wave, closed in outcomes:
            self.stdout.write((CLOSED if closed else WAITING).format(title=wave.title))
