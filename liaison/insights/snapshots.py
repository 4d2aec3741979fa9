"""Stored figures for restricted audiences: computed once a period has closed, served as stored.

Evaluators and the public never see a figure of an open period, and never a figure recomputed
after each new record: both would let someone who looks before and after (or adds nine known
records) learn about one child. A snapshot is built the first time a closed period is asked for,
or ahead of time by `snapshots_build` (the `figures_snapshot` command, and the scheduler), and is
never rebuilt unless asked for explicitly.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from liaison.directory.models import District
from liaison.lib.school_years import school_year_days, school_year_of

from .models import FigureSnapshot

PERIOD_OPEN = "Figures for {period} are published once it has closed (after {last:%-d %B %Y})."


def school_year_closed(school_year: str, today: datetime.date) -> bool:
    return school_year_days(school_year)[1] < today


def last_closed_school_year(today: datetime.date) -> str:
    return school_year_of(today.replace(year=today.year - 1, day=min(today.day, 28)))


def check_school_year_closed(school_year: str, today: datetime.date, *, field: str = "school_year") -> None:
    """A ValidationError naming the field for a school year that has not closed yet."""
    if not school_year_closed(school_year, today):
        last = school_year_days(school_year)[1]
        raise ValidationError({field: [PERIOD_OPEN.format(period=school_year, last=last)]})


def snapshot_get_or_build(
    *, figure: str, scope: str, period: str, district: District | None, build: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """The stored figures; built and stored on first use (the period must be closed)."""
    found = FigureSnapshot.objects.filter(figure=figure, scope=scope, period=period).first()
    if found is not None:
        return found.payload
    payload = build()
    try:
        with transaction.atomic():
            stored = FigureSnapshot.objects.create(
                figure=figure, scope=scope, period=period, district=district, payload=payload
            )
    except IntegrityError:  # built at the same moment by another request: serve theirs
        return FigureSnapshot.objects.get(figure=figure, scope=scope, period=period).payload
    stored.refresh_from_db(fields=["payload"])  # the stored JSON, exactly as it will be served again
    return stored.payload


def snapshot_rebuild(*, figure: str, scope: str, period: str) -> int:
    """Forget a stored snapshot (after a correction the district has decided to publish), and every
    agency release of the period built tied to it: it fixed the old figures in its table, and beside
    the corrected ones it would no longer be what the engine proved. Each is built again, after the
    corrected one, on its evaluator's next request (by the background worker) or by the daily figures
    job. Returns how many snapshots were forgotten."""
    from .outcomes_release import agency_releases_tied_to  # (it builds on this module)

    with transaction.atomic():
        tied = agency_releases_tied_to(scope, period)
        deleted, _ = FigureSnapshot.objects.filter(figure=figure, scope=scope, period=period).delete()
        followed, _ = FigureSnapshot.objects.filter(pk__in=tied).delete()
    return deleted + followed
