"""Close every open survey wave whose close date has passed: the daily run that makes results appear.

Closing releases the held responses (each school's in one shuffled batch) and destroys the wave's
key. A wave whose held bursts still wait for the district's decision is left open and named.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.utils import timezone

from liaison.surveys import services
from liaison.surveys.models import Wave
from liaison.surveys.vocabulary import WaveStatus

CLOSED = "Closed {title}."
WAITING = "Not closed, held responses wait for a decision: {title}."
NOTHING_DUE = "No survey wave is due to close."


class Command(BaseCommand):
    help = "Close the survey waves whose close date has passed (results appear then). Meant to run daily."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        due = Wave.objects.filter(status=WaveStatus.OPEN, closes_on__lt=today).order_by("closes_on", "pk")
        if not due.exists():
            self.stdout.write(NOTHING_DUE)
            return
        for wave in due:
            try:
                services.wave_close(actor=None, wave=wave, today=today)
            except ValidationError:
                self.stdout.write(WAITING.format(title=wave.title))
            else:
                self.stdout.write(CLOSED.format(title=wave.title))
