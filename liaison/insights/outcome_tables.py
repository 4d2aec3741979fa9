"""The outcomes figures as rows: the tables beside the charts, the CSV and the API read these, so the
three doors show the same numbers.

The page, the CSV and the API all read one body (`outcomes_body`: the API's shape): computed now for
the program's leaders, or a closed year's stored release for evaluators
(liaison/insights/outcomes_release.py), where a hidden figure is null and named in its month's
`hidden`."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from liaison.interactions.vocabulary import Role

from .outcomes import Month, Timeline, TrustWave, Year


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
    current_hidden: bool = False  # suppressed by the disclosure rules (not merely without a base)
    previous_hidden: bool = False


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
        "hidden": [],
    }


def year_body(year: Year) -> dict[str, Any]:
    """A school year's months and total as the API gives them (JSON-ready: stored as a snapshot too)."""
    school, gap = year.longest_gap
    return {
        "school_year": year.school_year,
        "enrollment_complete": year.enrollment_complete,
        "months": [{"month": f"{m.month:%Y-%m}", **month_figures(m)} for m in year.months],
        "total": {"month": year.school_year, **month_figures(year.total)},
        "longest_gap": {
            "school": str(school.uuid) if school else None,
            "school_name": school.name if school else None,
            "school_days": gap.days,
            "first": gap.first.isoformat() if gap.first else None,
            "last": gap.last.isoformat() if gap.last else None,
        },
    }


def trust_body(waves: list[TrustWave]) -> list[dict[str, Any]]:
    """Each wave's trust index as the surveys app releases it (schools under 10 respondents left out)."""
    return [
        {
            "wave": str(w.wave.uuid),
            "title": w.wave.title,
            "audience": w.audience,
            "closes_on": w.wave.closes_on.isoformat(),
            "schools": w.schools,
            "schools_shown": w.schools_shown,
            "respondents": w.respondents,
            "trust_index": round(w.trust.mean, 1) if w.trust else None,
            "ci_low": round(w.low, 1) if w.low is not None else None,
            "ci_high": round(w.high, 1) if w.high is not None else None,
        }
        for w in waves
    ]


def outcomes_body(timeline: Timeline) -> dict[str, Any]:
    """Every figure of the outcomes view, for the page, the CSV and the API alike."""
    scope = timeline.scope
    return {
        "level": scope.level,
        "uuid": scope.uuid,
        "name": scope.name,
        "schools": [str(school.uuid) for school in scope.schools],
        "every_agency": scope.agency_ids is None,
        "restricted": False,
        "school_year": timeline.school_year,
        "current": year_body(timeline.current),
        "previous": year_body(timeline.previous),
        "trust": trust_body(timeline.trust),
    }


def _figure(month: dict[str, Any] | None, key: str) -> tuple[float | int | None, bool]:
    if month is None:
        return None, False
    return month[key], key in month["hidden"]


def body_table(body: dict[str, Any], measure: Measure) -> MeasureTable:
    """`measure_table` over a body: July to June, this year beside the year before."""
    current, previous = body["current"], body["previous"]
    count = max(len(current["months"]), len(previous["months"]))
    rows = []
    for i in range(count):
        now = current["months"][i] if i < len(current["months"]) else None
        before = previous["months"][i] if i < len(previous["months"]) else None
        label = datetime.date.fromisoformat(f"{(now or before)['month']}-01").strftime("%b")  # type: ignore[index]
        rows.append(Row(label, *_pair(_figure(now, measure.key), _figure(before, measure.key))))
    year = Row("Year", *_pair(_figure(current["total"], measure.key), _figure(previous["total"], measure.key)))
    return MeasureTable(rows, year)


def _pair(
    current: tuple[float | int | None, bool], previous: tuple[float | int | None, bool]
) -> tuple[float | int | None, float | int | None, bool, bool]:
    return current[0], previous[0], current[1], previous[1]


def _csv_cell(month: dict[str, Any], key: str) -> Any:
    return "suppressed" if key in month["hidden"] else _cell(month[key])


def csv_rows(body: dict[str, Any]) -> list[list[Any]]:
    """Both years' months and totals; a figure the disclosure rules hide reads "suppressed", one
    without a base is empty."""
    rows = []
    for year in (body["previous"], body["current"]):
        for month, label in [*((m, m["month"]) for m in year["months"]), (year["total"], "year")]:
            rows.append([year["school_year"], label, *(_csv_cell(month, c) for c in CSV_COLUMNS[2:])])
    return rows
