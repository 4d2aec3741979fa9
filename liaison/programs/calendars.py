"""The month and week calendars of a school or an officer: which days to show and what falls on them."""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from .models import LiaisonMeeting, Session
from .selectors import monday

ONE_WEEK = datetime.timedelta(days=7)


@dataclass(frozen=True)
class Day:
    date: datetime.date
    in_month: bool
    today: bool
    events: list[Any]


@dataclass(frozen=True)
class Period:
    view: str
    anchor: datetime.date
    first: datetime.date
    last: datetime.date
    previous: datetime.date
    next: datetime.date
    title: str


def period_for(view: str, anchor: datetime.date) -> Period:
    if view == "week":
        first = monday(anchor)
        last = first + datetime.timedelta(days=6)
        return Period(view, anchor, first, last, first - ONE_WEEK, first + ONE_WEEK, f"Week of {first:%B %-d, %Y}")
    start = anchor.replace(day=1)
    days = calendar.monthrange(start.year, start.month)[1]
    end = start.replace(day=days)
    previous = (start - datetime.timedelta(days=1)).replace(day=1)
    following = end + datetime.timedelta(days=1)
    return Period(
        "month", anchor, monday(start), monday(end) + datetime.timedelta(days=6), previous, following, f"{start:%B %Y}"
    )


def weeks_of(period: Period, events: list[Any], today: datetime.date) -> list[list[Day]]:
    """Rows of seven days (Monday first), each with its events in time order."""
    by_day: dict[datetime.date, list[Any]] = defaultdict(list)
    for event in sorted(events, key=lambda e: e.starts_at):
        by_day[event.starts_on].append(event)
    weeks, day = [], period.first
    while day <= period.last:
        week = []
        for _ in range(7):
            in_month = period.view == "week" or day.month == period.anchor.month
            week.append(Day(day, in_month, day == today, by_day.get(day, [])))
            day += datetime.timedelta(days=1)
        weeks.append(week)
    return weeks


def is_session(event: Any) -> bool:
    return isinstance(event, Session)


def is_meeting(event: Any) -> bool:
    return isinstance(event, LiaisonMeeting)
