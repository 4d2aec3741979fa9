"""How many public survey submissions a school link counts in an hour before the rest are held.

Nothing is refused for being too many: responses beyond the link's hourly allowance are held in a
burst for the district's wave owner to accept or discard (services.survey_response_submit). The
allowance is the school's enrollment for a student wave (a whole school may answer within the hour
from one shared address), the wave owner's figure for family and staff waves. No address is counted
or stored: the counters key on the link alone.

The allowance is counted in the application's shared rate-limit store (liaison/ratelimits/store.py):
every worker and process shares it and a restart does not clear it.

Spent form tokens are kept apart, in `SubmissionCounter` (`count_hit`): a token must stay spent for
as long as it is valid, and that store's fixed windows would forget it at a window's edge.
"""

from __future__ import annotations

import hashlib
import time

from django.db import connection, transaction

from liaison.directory.models import Enrollment
from liaison.ratelimits import store

from .models import SubmissionCounter, WaveSchool
from .vocabulary import Audience

WINDOW = 3600  # one hour
SWEEP_GRACE = 86400


def count_hit(key: str, *, seconds: int, now: float | None = None) -> int:
    """Add one to the counter `key` in the window of `seconds` holding `now`; return the count so far.

    One statement (insert or add one, returning the sum), so two workers never both read the old count."""
    now = time.time() if now is None else now
    window = int(now // seconds)
    name = hashlib.sha256(f"{key}:{seconds}:{window}".encode()).hexdigest()[:40]
    table = SubmissionCounter._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ("key", "count", "expires") VALUES (%s, 1, %s) '
            f'ON CONFLICT ("key") DO UPDATE SET "count" = "{table}"."count" + 1 RETURNING "count"',
            [name, (window + 1) * seconds],
        )
        (count,) = cursor.fetchone()
        if count == 1:  # a new window: sweep the ones long over (a day's grace for spent form tokens)
            SubmissionCounter.objects.filter(expires__lt=int(now) - SWEEP_GRACE).delete()
    return int(count)


def hourly_allowance(wave_school: WaveSchool) -> int:
    """Responses the link counts per hour: the school's latest enrollment for students, else the wave's figure."""
    wave = wave_school.wave
    if wave.audience == Audience.STUDENTS:
        enrolled = (
            Enrollment.objects.filter(school_id=wave_school.school_id)
            .order_by("-school_year")
            .values_list("total", flat=True)
            .first()
        )
        if enrolled:
            return int(enrolled)
    return int(wave.hourly_allowance)


def within_allowance(wave_school: WaveSchool) -> bool:
    """Count one response at the link; False once the link is beyond its allowance this hour."""
    return store.allow(f"survey-link:{wave_school.token}", limit=hourly_allowance(wave_school), window_seconds=WINDOW)
