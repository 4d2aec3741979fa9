"""The school year every demo school keeps: the programs demo stores it as each district's calendar,
and the interactions demo records contacts only on its school days."""

from __future__ import annotations

import datetime

Break = tuple[str, datetime.date, datetime.date]


def _weekday_on_or_after(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def year_calendar(start_year: int) -> tuple[datetime.date, datetime.date, list[Break]]:
    """A typical US school year: late August to mid June with the usual breaks."""
    y, n = start_year, start_year + 1
    first = _weekday_on_or_after(datetime.date(y, 8, 26), 1)  # a Tuesday after August 25
    thanksgiving = _weekday_on_or_after(datetime.date(y, 11, 22), 3)  # fourth Thursday of November
    presidents = _weekday_on_or_after(datetime.date(n, 2, 15), 0)
    spring = _weekday_on_or_after(datetime.date(n, 4, 1), 0)
    breaks = [
        ("Thanksgiving", thanksgiving - datetime.timedelta(days=1), thanksgiving + datetime.timedelta(days=1)),
        ("Winter break", datetime.date(y, 12, 22), datetime.date(n, 1, 2)),
        ("February break", presidents, presidents + datetime.timedelta(days=4)),
        ("Spring break", spring, spring + datetime.timedelta(days=4)),
    ]
    return first, datetime.date(n, 6, 12), breaks


def demo_school_days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The weekdays from first to last that fall in a school year and outside its breaks."""
    open_days: list[datetime.date] = []
    for start_year in range(first.year - 1, last.year + 1):
        year_first, year_last, breaks = year_calendar(start_year)
        day = max(first, year_first)
        while day <= min(last, year_last):
            if day.weekday() < 5 and not any(start <= day <= end for _, start, end in breaks):
                open_days.append(day)
            day += datetime.timedelta(days=1)
    return open_days
