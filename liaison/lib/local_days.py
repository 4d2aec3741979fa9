"""The calendar day of a moment where an agency is: the one "today" and "that day" for every rule."""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import timezone


def _zone(time_zone: str) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def local_day(moment: datetime.datetime, time_zone: str) -> datetime.date:
    """The date of a moment in the named zone (the server's zone when the name is unknown)."""
    return timezone.localtime(moment, _zone(time_zone)).date()


def today_in(time_zone: str) -> datetime.date:
    return local_day(timezone.now(), time_zone)
