"""Contacts and trust for restricted audiences (evaluators, and the public of a published year), read
only from the stored release they are shown.

An evaluator's outcomes of a district are a closed school year's stored release through the
disclosure engine (liaison/insights/outcomes_release.py): the district and each of its schools, month
by month, beside the year before, and each school's survey waves. Contacts and trust for them is
computed from what those two releases show and from nothing else about students or contacts:

- the trust change of a school is the later released trust index minus the earlier, with Welch's
  interval from each wave's released interval and respondents (`released_estimate`); a wave whose
  school had fewer than 10 respondents has no index released, and the school is not shown;
- positive contacts are the school's released months summed, whole months: from the start of the
  earlier wave's school year through the month it closed, and from the next month through the month
  the later wave closed; enrollment is the released months' (it is public). A stretch with a month
  whose positive contacts the release hides is not summed (a sum over a hidden month would give back
  what the release hides), and the school is not shown;
- school days are the school's calendar's over those months (a calendar counts no one).

So every figure here is computed from figures the same evaluator is already shown: it gives nothing
new away. The public's (`public_contacts_and_trust`) is the same computation over the public's
releases of a published year and the year before, which its published pages show. The changes
themselves, the chart, the table and the CSV are the program's leaders' (the same `school_change`,
`ContactsStretch` and renderers, liaison/insights/contacts_trust_outputs.py); only where the figures
come from differs.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any

from liaison.directory.models import School
from liaison.lib.school_years import school_year_days, school_year_of
from liaison.programs.selectors import calendars_for
from liaison.surveys import scoring
from liaison.surveys.models import WaveSchool

from .access import EquityScope
from .models import PublicOutcomes
from .outcomes import (
    CAVEATS,
    Calendars,
    ContactsAndTrust,
    ContactsStretch,
    SchoolChange,
    previous_school_year,
    school_change,
    school_days_between,
)
from .outcomes_release import Stored, outcomes_scope_of, restricted_year
from .public_outcomes import public_scope, public_year

NOT_SHOWN = "Not shown:"
TRUST_NOT_RELEASED = "a wave had fewer than 10 respondents at the school, so its trust index is not released"
CONTACTS_HIDDEN = (
    "the disclosure rules hide the school's positive contacts in a month of these stretches "
    "(a small count, or one that would give a small count back)"
)
RELEASED_CAVEAT = (
    "These figures are computed only from the closed year's release that your outcomes pages show "
    "(that year and the year before): each school's positive contacts by whole month, its enrollment, "
    "and each wave's trust index with its interval (rounded as released, so a change may differ from "
    "the program's leaders' by a tenth of a point). A school whose months or waves the disclosure "
    "rules hide is listed as not shown, with no dot."
)
PUBLIC_CAVEAT = (
    "These figures are computed only from the district's published outcomes of the year and the year "
    "before: each school's positive contacts by whole month, its enrollment, and each wave's trust index "
    "with its interval (rounded as published). A school whose months or waves the disclosure rules hide "
    "is listed as not shown, with no dot."
)


def released_estimate(wave: dict[str, Any]) -> scoring.Estimate | None:
    """A school's trust in a wave as released: its index, its respondents and its 95% t interval
    (the standard deviation is the interval's half-width back through the t quantile)."""
    n, mean, low, high = wave["respondents"], wave["trust_index"], wave["ci_low"], wave["ci_high"]
    if mean is None or not n:
        return None
    if low is None or high is None or n < 2:
        return scoring.Estimate(n, mean, None, None, None)
    sd = (high - low) / 2 * math.sqrt(n) / scoring.t_quantile(0.975, n - 1)
    return scoring.Estimate(n, mean, sd, low, high)


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _months_in(months: dict[datetime.date, dict[str, Any]], first: datetime.date, last: datetime.date) -> list:
    """The released months from first's month through last's, in order."""
    return [months[key] for key in sorted(months) if _month_start(first) <= key <= _month_start(last)]


def _month_end(first_of_month: datetime.date) -> datetime.date:
    return (first_of_month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


def released_stretch(
    school: School,
    months: dict[datetime.date, dict[str, Any]],
    first: datetime.date,
    last: datetime.date,
    calendars: Calendars | None = None,
) -> ContactsStretch:
    """The school's positive contacts over the whole months from first's through last's, as released:
    their sum when every month's is shown (None otherwise), the enrollment of the last month's year,
    and the calendar's school days over those months."""
    found = _months_in(months, first, last)
    if not found:
        return ContactsStretch(first, last, 0, None, None)
    start = datetime.date.fromisoformat(f"{found[0]['month']}-01")
    end = _month_end(datetime.date.fromisoformat(f"{found[-1]['month']}-01"))
    days = school_days_between(school, start, end, calendars)
    positives = [month["positive"] for month in found]
    positive = None if None in positives else sum(positives)
    return ContactsStretch(start, end, len(days), positive, found[-1]["enrollment"])


def _released_months(releases: list[dict[str, Any]], school: School) -> dict[datetime.date, dict[str, Any]]:
    months = {}
    for payload in releases:
        for month in payload["schools"][str(school.uuid)]["year"]["months"]:
            months[datetime.date.fromisoformat(f"{month['month']}-01")] = month
    return months


def _last_two_waves(
    waves: list[dict[str, Any]], wave_schools: list[WaveSchool]
) -> tuple[tuple[WaveSchool, WaveSchool], list] | None:
    """The school's last released wave and the one before it of the same survey and audience."""
    by_uuid = {str(ws.wave.uuid): ws for ws in wave_schools}
    found = sorted((w for w in waves if w["wave"] in by_uuid), key=lambda w: (w["closes_on"], w["title"]))
    if not found:
        return None
    later = by_uuid[found[-1]["wave"]]
    same = [
        w
        for w in found[:-1]
        if by_uuid[w["wave"]].wave.audience == later.wave.audience
        and by_uuid[w["wave"]].wave.instrument.key == later.wave.instrument.key
    ]
    if not same:
        return None
    return (by_uuid[same[-1]["wave"]], later), [same[-1], found[-1]]


@dataclass(frozen=True)
class Preloaded:
    """What the changes read besides the releases, read once for every school of the district: each
    school's survey links to the released waves, and the calendars of the two school years."""

    wave_schools: dict[int, list[WaveSchool]]
    calendars: Calendars


def _preload(schools: list[School], releases: list[dict[str, Any]], school_years: list[str]) -> Preloaded:
    waves = {
        wave["wave"] for payload in releases for found in payload.get("schools", {}).values() for wave in found["trust"]
    }
    wave_schools: dict[int, list[WaveSchool]] = {school.pk: [] for school in schools}
    for link in WaveSchool.objects.filter(school__in=schools, wave__uuid__in=sorted(waves)).select_related(
        "wave__instrument"
    ):
        wave_schools[link.school_id].append(link)
    return Preloaded(wave_schools, {year: calendars_for(schools, year) for year in school_years})


def released_school_change(school: School, releases: list[dict[str, Any]], loaded: Preloaded) -> SchoolChange | None:
    """One school's change between its last two released waves, from the releases only (the year
    before first); None when the releases hold no two waves of the same survey and audience.
    `loaded`: the survey links and calendars, read for the whole district at once."""
    waves = [wave for payload in releases for wave in payload["schools"][str(school.uuid)]["trust"]]
    pair = _last_two_waves(waves, loaded.wave_schools[school.pk])
    if pair is None:
        return None
    (earlier, later), (earlier_body, later_body) = pair
    months = _released_months(releases, school)
    year_start = school_year_days(school_year_of(earlier.wave.closes_on))[0]
    before = released_stretch(school, months, year_start, earlier.wave.closes_on, loaded.calendars)
    after_close = _month_end(_month_start(earlier.wave.closes_on)) + datetime.timedelta(days=1)
    between = released_stretch(school, months, after_close, later.wave.closes_on, loaded.calendars)
    trust = (released_estimate(earlier_body), released_estimate(later_body))
    reasons = [TRUST_NOT_RELEASED] if None in trust else []
    reasons += [CONTACTS_HIDDEN] if before.positive is None or between.positive is None else []
    not_shown = f"{NOT_SHOWN} {'; '.join(reasons)}." if reasons else ""
    return school_change(school, (earlier, later), trust, (before, between), not_shown)


def released_contacts_and_trust(
    scope: EquityScope,
    school_year: str,
    today: datetime.date,
    *,
    stored: Stored = restricted_year,
    caveat: str = RELEASED_CAVEAT,
) -> ContactsAndTrust:
    """An evaluator's contacts and trust of a district for a closed year: from the stored releases of
    the year and the year before (`restricted_year`, stored by the worker first), each school of the
    district released with them. `stored`: the release of one year (the evaluators'; the public's,
    protected around more pages, is what the public reads of a published year)."""
    years = [previous_school_year(school_year), school_year]
    releases = [stored(scope, year, today) for year in years]
    schools = [
        school
        for school in outcomes_scope_of(scope).schools
        if all(str(school.uuid) in payload.get("schools", {}) for payload in releases)
    ]
    loaded = _preload(schools, releases, years)
    changes = [released_school_change(school, releases, loaded) for school in schools]
    return ContactsAndTrust(
        scope.district.name,
        [change for change in changes if change is not None],
        (*CAVEATS, caveat),
        school_year=school_year,
    )


def public_contacts_and_trust(found: PublicOutcomes, today: datetime.date) -> ContactsAndTrust:
    """The public's contacts and trust of a district's published year: computed only from the public's
    releases of that year and the year before, which its published outcomes pages show."""
    assert found.district is not None, "contacts and trust is a district's"
    scope = public_scope(found.district)
    return released_contacts_and_trust(scope, found.school_year, today, stored=public_year, caveat=PUBLIC_CAVEAT)
