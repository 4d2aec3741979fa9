"""The outcomes figures as rows: the tables beside the charts, the CSV and the API read these, so the
three doors show the same numbers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from liaison.interactions.vocabulary import Role

from .outcomes import Month, Timeline, Year


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    value: Callable[[Month], float | int | None]
    note: str = ""


def _role_share(role: str) -> Callable[[Month], float | None]:
    def share(month: Month) -> float | None:
        return month.role_shares[role]

    return share


MEASURES: tuple[Measure, ...] = (
    Measure(
        "positive_per_100",
        "Positive contacts per 100 enrolled students",
        lambda m: m.positive_per_100,
        "The year's row is per 100 students over the whole year.",
    ),
    Measure(
        "positive_share",
        "Positive contacts, % of all contacts",
        lambda m: m.positive_share,
        "All contacts include staff consultations and safety activities (liaison work) and enforcement actions.",
    ),
    *(Measure(f"role_{role.value}", f"{role.label} role, % of all contacts", _role_share(role.value)) for role in Role),
    Measure(
        "week_share",
        "School weeks with a visit, % (presence)",
        lambda m: m.week_share,
        "A visit is a positive contact by an officer assigned to the school; a week is counted in the month "
        "its Monday falls in.",
    ),
    Measure("classes", "Classes delivered", lambda m: m.classes),
    Measure(
        "mentees_met",
        "Mentoring active: mentees met",
        lambda m: m.mentees_met,
        "Mentoring relationships with at least one meeting; the year's row counts each relationship once.",
    ),
    Measure("enforcement", "Enforcement actions", lambda m: m.enforcement),
    Measure(
        "within_share",
        "Enforcement actions within the MOU, % of those judged",
        lambda m: m.within_share,
        "Judged against the MOU in force at the school on the day (kept judgments).",
    ),
    Measure("referrals_per_1000", "Referrals to law enforcement per 1,000 students", lambda m: m.referrals_per_1000),
    Measure("arrests_per_1000", "School-related arrests per 1,000 students", lambda m: m.arrests_per_1000),
)


@dataclass(frozen=True)
class Row:
    month: str
    current: float | int | None
    previous: float | int | None


@dataclass(frozen=True)
class MeasureTable:
    rows: list[Row]
    year: Row


def _month_at(year: Year, index: int) -> Month | None:
    return year.months[index] if index < len(year.months) else None


def _value(measure: Measure, month: Month | None) -> float | int | None:
    return None if month is None else measure.value(month)


def measure_table(timeline: Timeline, measure: Measure) -> MeasureTable:
    """July to June, this year beside the year before (months not yet come are blank)."""
    count = max(len(timeline.current.months), len(timeline.previous.months))
    rows = []
    for i in range(count):
        current, previous = _month_at(timeline.current, i), _month_at(timeline.previous, i)
        label = f"{(current or previous).month:%b}"  # type: ignore[union-attr]
        rows.append(Row(label, _value(measure, current), _value(measure, previous)))
    year = Row("Year", _value(measure, timeline.current.total), _value(measure, timeline.previous.total))
    return MeasureTable(rows, year)


@dataclass(frozen=True)
class TrustRow:
    title: str
    short: str
    audience: str
    closes_on: Any
    schools: int
    schools_shown: int
    respondents: int | None
    mean: float | None
    low: float | None
    high: float | None


def trust_rows(timeline: Timeline) -> list[TrustRow]:
    return [
        TrustRow(
            w.wave.title,
            f"{w.wave.closes_on:%b %Y}",
            w.audience,
            w.wave.closes_on,
            w.schools,
            w.schools_shown,
            w.respondents,
            round(w.trust.mean, 1) if w.trust else None,
            round(w.low, 1) if w.low is not None else None,
            round(w.high, 1) if w.high is not None else None,
        )
        for w in timeline.trust
    ]


COUNTS = ("contacts", "positive", "liaison", "enforcement", "school_weeks", "weeks_with_visit", "referrals", "arrests")
CSV_COLUMNS = ["school_year", "month", "enrollment", *COUNTS, *(m.key for m in MEASURES)]


def _cell(value: float | int | None) -> Any:
    return "" if value is None else value


def month_figures(month: Month) -> dict[str, Any]:
    """Every figure of a month (or a year's total), by CSV column / API field."""
    return {
        "enrollment": month.enrollment,
        **{name: getattr(month, name) for name in COUNTS},
        **{m.key: m.value(month) for m in MEASURES},
    }


def csv_rows(timeline: Timeline) -> list[list[Any]]:
    rows = []
    for year in (timeline.previous, timeline.current):
        for month, label in [*((m, f"{m.month:%Y-%m}") for m in year.months), (year.total, "year")]:
            figures = month_figures(month)
            rows.append([year.school_year, label, *(_cell(figures[c]) for c in CSV_COLUMNS[2:])])
    return rows
