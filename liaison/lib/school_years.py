"""School years run from July 1 to June 30 and are written "2025-2026"."""

from __future__ import annotations

import datetime


def school_year_of(day: datetime.date) -> str:
    """The school year a day falls in: July to June."""
    start = day.year if day.month >= 7 else day.year - 1
    return f"{start}-{start + 1}"


def school_year_days(school_year: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a (valid) school year."""
    start = int(school_year[:4])
    return datetime.date(start, 7, 1), datetime.date(start + 1, 6, 30)
