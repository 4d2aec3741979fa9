"""Is the program working? The outcomes of a school, an agency or a district, month by month.

The public functions, for the pages, the API, the CSV and the annual report alike:

- `outcomes_timeline(scope, school_year, as_of=...)`: one `Timeline` — per month of the school year
  (and of the year before, to set beside it) positive contacts per 100 enrolled students, the positive
  share of all contacts, the triad split, presence, classes, mentoring, enforcement actions and the
  share within the MOU, referrals and arrests per 1,000 students; and the trust index of each closed
  survey wave with its interval.
- `contacts_and_trust(district, agency_ids=..., as_of=...)`: per school with two or more closed
  survey waves, the change in trust between the last two beside the change in positive contacts per
  100 students over the same stretch of school days.

Nothing here counts afresh what another page already counts: presence is programs' consistency
(`schools_consistency`), the MOU outcomes are the dashboard's (`outcomes_by_school_month`),
referrals and arrests use the equity analysis's decision points, trust is the survey results'
(`wave_results`, `compare`), and "positive" is `POSITIVE_KINDS`. The scope comes through
`liaison/insights/outcomes_access.py`; this module does not look at users.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from liaison.agreements.dashboard import Period, outcomes_by_school_month
from liaison.agreements.dashboard import Scope as MouScope
from liaison.agreements.vocabulary import Outcome
from liaison.directory.models import Assignment, Enrollment, School
from liaison.interactions.models import DailyRollup, EnforcementDetail
from liaison.interactions.vocabulary import POSITIVE_KINDS, Kind, Role
from liaison.lib.school_years import school_year_days, school_year_of
from liaison.programs.models import MentoringMeeting, SchoolCalendar, Session
from liaison.programs.selectors import Consistency, Gap, calendars_for, school_days, schools_consistency
from liaison.programs.vocabulary import SessionStatus
from liaison.surveys import scoring
from liaison.surveys.models import Wave, WaveSchool
from liaison.surveys.selectors import school_history, wave_results
from liaison.surveys.vocabulary import WaveStatus

from .selectors import AFTER_REFERRAL, REFERRAL

SCHOOL, AGENCY, DISTRICT = "school", "agency", "district"
ARREST_EVENTS = next(point.events for point in AFTER_REFERRAL if point.key == "arrest")
PER_STUDENTS_CONTACTS = 100
PER_STUDENTS_ACTIONS = 1000
SCHOOL_MONTH_DAYS = 20  # contacts-and-trust rates are per 100 students per 20 school days

CAVEATS = (
    "Each point is one school: an association across a few schools, not an effect. Trust and contacts "
    "move for many reasons (a new officer, a new principal, an incident in the news), and a school's "
    "trust change has a wide interval, shown as a line; a change whose interval crosses zero could be no "
    "change at all.",
    "Contacts are positive contacts per 100 enrolled students per 20 school days: from the start of the "
    "earlier wave's school year to its close, and from then to the later wave's close. Schools without a "
    "calendar or an enrollment for both stretches, or with a wave of fewer than 10 respondents, are not "
    "plotted.",
)


@dataclass(frozen=True)
class OutcomesScope:
    """Which schools, and whose records: every agency's (agency_ids None) or the given agencies'."""

    level: str  # SCHOOL, AGENCY or DISTRICT
    name: str
    uuid: str
    schools: tuple[School, ...]
    agency_ids: frozenset[int] | None
    district_ids: frozenset[int]

    @property
    def school_ids(self) -> list[int]:
        return [school.pk for school in self.schools]

    def records(self, prefix: str = "") -> Q:
        found = Q(**{f"{prefix}school_id__in": self.school_ids})
        if self.agency_ids is not None:
            found &= Q(**{f"{prefix}agency_id__in": sorted(self.agency_ids)})
        return found

    def mou_scopes(self) -> list[MouScope]:
        """The MOU dashboard's scopes that together count this scope's actions."""
        agencies: Iterable[int | None] = sorted(self.agency_ids) if self.agency_ids is not None else [None]
        if self.level == SCHOOL:
            return [MouScope(agency_id=a, school_id=self.schools[0].pk) for a in agencies]
        if self.level == AGENCY:
            return [MouScope(agency_id=a) for a in agencies]
        return [MouScope(agency_id=a, district_id=d) for a in agencies for d in sorted(self.district_ids)]


def agency_schools(agency_id: int, school_year: str) -> list[School]:
    """An agency's schools in a year: those its officers were assigned to, or it recorded contacts at."""
    first, last = school_year_days(school_year)
    assigned = Assignment.objects.filter(agency_id=agency_id, start_date__lte=last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )
    recorded = DailyRollup.objects.filter(agency_id=agency_id, day__range=(first, last))
    ids = set(assigned.values_list("school_id", flat=True)) | set(
        recorded.values_list("school_id", flat=True).distinct().order_by()
    )
    return list(School.objects.filter(pk__in=ids).order_by("name"))


# --- the dataclasses the pages, API, CSV and report read -------------------------------------------


def _rate(part: int | None, whole: int | None, per: int) -> float | None:
    if part is None or not whole:
        return None
    return round(part * per / whole, 2)


@dataclass
class Month:
    """One month's figures; a rate is None when its base is zero or unknown (never shown as 0)."""

    month: datetime.date  # the first day
    enrollment: int | None = None
    contacts: int = 0
    positive: int = 0
    liaison: int = 0  # staff consultations and safety activities
    enforcement: int = 0
    by_role: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Role.values, 0))
    school_weeks: int = 0
    weeks_with_visit: int = 0
    classes: int = 0
    mentees_met: int = 0
    evaluated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Outcome.values, 0))
    referrals: int = 0
    arrests: int = 0

    @property
    def label(self) -> str:
        return f"{self.month:%b %Y}"

    @property
    def positive_per_100(self) -> float | None:
        return _rate(self.positive, self.enrollment, PER_STUDENTS_CONTACTS)

    @property
    def positive_share(self) -> float | None:
        """Percent of all contacts (liaison work and enforcement included) that were positive."""
        return _rate(self.positive, self.contacts, 100)

    @property
    def role_shares(self) -> dict[str, float | None]:
        return {role: _rate(n, self.contacts, 100) for role, n in self.by_role.items()}

    @property
    def week_share(self) -> float | None:
        return _rate(self.weeks_with_visit, self.school_weeks, 100)

    @property
    def evaluated_total(self) -> int:
        return sum(self.evaluated.values())

    @property
    def within_mou(self) -> int:
        return self.evaluated[Outcome.WITHIN]

    @property
    def within_share(self) -> float | None:
        return _rate(self.within_mou, self.evaluated_total, 100)

    @property
    def referrals_per_1000(self) -> float | None:
        return _rate(self.referrals, self.enrollment, PER_STUDENTS_ACTIONS)

    @property
    def arrests_per_1000(self) -> float | None:
        return _rate(self.arrests, self.enrollment, PER_STUDENTS_ACTIONS)

    def add(self, other: Month) -> None:
        """Fold another month's counts into this one (the year's total)."""
        for name in ("contacts", "positive", "liaison", "enforcement", "school_weeks", "weeks_with_visit"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("classes", "referrals", "arrests"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for role, n in other.by_role.items():
            self.by_role[role] += n
        for outcome, n in other.evaluated.items():
            self.evaluated[outcome] += n


@dataclass(frozen=True)
class SchoolPresence:
    school: School
    has_calendar: bool
    school_weeks: int
    weeks_with_visit: int
    longest_gap: Gap

    @property
    def week_share(self) -> float | None:
        return _rate(self.weeks_with_visit, self.school_weeks, 100)


@dataclass(frozen=True)
class Year:
    school_year: str
    months: list[Month]
    total: Month  # the year's sums; its enrollment is the year's, so its rates are per year
    mentees_met: int  # distinct mentoring relationships with a meeting in the year
    presence: list[SchoolPresence]
    enrollment_complete: bool

    @property
    def longest_gap(self) -> tuple[School | None, Gap]:
        """The longest run of school days without a visit at any one school in scope."""
        found = max(self.presence, key=lambda p: p.longest_gap.days, default=None)
        return (found.school, found.longest_gap) if found else (None, Gap(0))


@dataclass(frozen=True)
class TrustWave:
    wave: Wave
    audience: str
    schools: int  # schools in scope in the wave
    schools_shown: int  # with 10 or more respondents (the others are left out of the estimate)
    respondents: int | None  # of the schools shown; None when none is shown
    trust: scoring.Estimate | None

    @property
    def low(self) -> float | None:
        return self.trust.low if self.trust else None

    @property
    def high(self) -> float | None:
        return self.trust.high if self.trust else None


@dataclass(frozen=True)
class Timeline:
    scope: OutcomesScope
    school_year: str
    as_of: datetime.date
    current: Year
    previous: Year
    trust: list[TrustWave]


# --- the timeline ---------------------------------------------------------------------------------


def _months(school_year: str, as_of: datetime.date) -> list[datetime.date]:
    first, last = school_year_days(school_year)
    found, day = [], first
    while day <= min(last, as_of):
        found.append(day)
        day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return found


def _enrollment(scope: OutcomesScope, school_year: str) -> tuple[int | None, bool]:
    rows = dict(
        Enrollment.objects.filter(school_id__in=scope.school_ids, school_year=school_year).values_list(
            "school_id", "total"
        )
    )
    complete = bool(scope.schools) and len(rows) == len(scope.schools)
    return (sum(rows.values()) if complete else None), complete


def _fold_contacts(scope: OutcomesScope, first: datetime.date, last: datetime.date, months: dict) -> None:
    rows = (
        DailyRollup.objects.filter(scope.records(), day__range=(first, last))
        .values("day", "kind", "role")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for row in rows:
        month = months.get(row["day"].replace(day=1))
        if month is None:
            continue
        month.contacts += row["n"]
        month.by_role[row["role"]] += row["n"]
        if row["kind"] in POSITIVE_KINDS:
            month.positive += row["n"]
        elif row["kind"] == Kind.ENFORCEMENT:
            month.enforcement += row["n"]
        else:
            month.liaison += row["n"]


def _fold_presence(consistency: list[Consistency], months: dict) -> None:
    for school in consistency:
        for week, n in school.weekly.items():
            month = months.get(week.replace(day=1))
            if month is None:
                continue
            month.school_weeks += 1
            month.weeks_with_visit += 1 if n else 0


def _fold_classes(scope: OutcomesScope, first: datetime.date, last: datetime.date, months: dict) -> None:
    sessions = Session.objects.filter(scope.records(), status=SessionStatus.DELIVERED, starts_on__range=(first, last))
    for row in sessions.values("starts_on").annotate(n=Count("*")).order_by():
        if (month := months.get(row["starts_on"].replace(day=1))) is not None:
            month.classes += row["n"]


def _fold_mentoring(scope: OutcomesScope, first: datetime.date, last: datetime.date, months: dict) -> int:
    meetings = MentoringMeeting.objects.filter(
        scope.records("relationship__"), voided=False, met_on__range=(first, last)
    )
    met: dict[datetime.date, set[int]] = defaultdict(set)
    for relationship, day in meetings.values_list("relationship_id", "met_on"):
        met[day.replace(day=1)].add(relationship)
    for key, relationships in met.items():
        if (month := months.get(key)) is not None:
            month.mentees_met = len(relationships)
    return len(set().union(*met.values())) if met else 0


def _fold_mou(scope: OutcomesScope, first: datetime.date, last: datetime.date, months: dict) -> None:
    for mou_scope in scope.mou_scopes():
        for school in outcomes_by_school_month(scope=mou_scope, period=Period(first, last)):
            if scope.level == AGENCY or school.school in {s.name for s in scope.schools}:
                for row in school.months:
                    if (month := months.get(row.month)) is not None:
                        for outcome, n in row.counts.items():
                            month.evaluated[outcome] += n


def _fold_actions(scope: OutcomesScope, first: datetime.date, last: datetime.date, months: dict) -> None:
    details = EnforcementDetail.objects.filter(
        scope.records("interaction__"), interaction__occurred_on__range=(first, last), interaction__voided=False
    )
    rows = (
        details.values("interaction__occurred_on")
        .annotate(referrals=Count("pk", filter=REFERRAL.events), arrests=Count("pk", filter=ARREST_EVENTS))
        .order_by()
    )
    for row in rows:
        if (month := months.get(row["interaction__occurred_on"].replace(day=1))) is not None:
            month.referrals += row["referrals"]
            month.arrests += row["arrests"]


def outcomes_year(scope: OutcomesScope, school_year: str, *, as_of: datetime.date) -> Year:
    """One school year's months up to as_of (a whole year when it has ended)."""
    first, last = school_year_days(school_year)
    last = min(last, as_of)
    enrollment, complete = _enrollment(scope, school_year)
    months = {day: Month(day, enrollment=enrollment) for day in _months(school_year, as_of)}
    consistency = schools_consistency(scope.schools, school_year=school_year, as_of=last)
    _fold_contacts(scope, first, last, months)
    _fold_presence(consistency, months)
    _fold_classes(scope, first, last, months)
    mentees = _fold_mentoring(scope, first, last, months)
    _fold_mou(scope, first, last, months)
    _fold_actions(scope, first, last, months)
    total = Month(first, enrollment=enrollment)
    for month in months.values():
        total.add(month)
    total.mentees_met = mentees
    presence = [
        SchoolPresence(c.school, c.has_calendar, c.school_weeks, c.weeks_with_contact, c.longest_gap)
        for c in consistency
    ]
    return Year(school_year, list(months.values()), total, mentees, presence, complete)


def previous_school_year(school_year: str) -> str:
    start = int(school_year[:4]) - 1
    return f"{start}-{start + 1}"


def trust_waves(scope: OutcomesScope, *, through: datetime.date, since: datetime.date) -> list[TrustWave]:
    """Each closed wave at the scope's schools that closed in [since, through], oldest first: the trust
    index of the schools shown (10 or more respondents), with its 95% interval."""
    waves = (
        Wave.objects.filter(
            status=WaveStatus.CLOSED,
            closes_on__range=(since, through),
            wave_schools__school_id__in=scope.school_ids,
        )
        .distinct()
        .select_related("instrument")
        .order_by("closes_on", "title")
    )
    found = []
    for wave in waves:
        wave_schools = list(wave.wave_schools.filter(school_id__in=scope.school_ids).select_related("school"))
        results = wave_results(wave, wave_schools)
        shown = [row for row in results.rows if not row.result.suppressed]
        one = results.rows[0].result if len(results.rows) == 1 else results.pooled
        found.append(
            TrustWave(
                wave=wave,
                audience=wave.get_audience_display(),
                schools=len(wave_schools),
                schools_shown=len(shown),
                respondents=sum(row.result.respondents for row in shown) if shown else None,
                trust=one.trust if shown else None,
            )
        )
    return found


def outcomes_timeline(scope: OutcomesScope, school_year: str, *, as_of: datetime.date) -> Timeline:
    """The school year's months beside the year before's, and the trust waves of both years."""
    previous = previous_school_year(school_year)
    first, last = school_year_days(school_year)
    return Timeline(
        scope=scope,
        school_year=school_year,
        as_of=as_of,
        current=outcomes_year(scope, school_year, as_of=as_of),
        previous=outcomes_year(scope, previous, as_of=as_of),
        trust=trust_waves(scope, since=school_year_days(previous)[0], through=min(last, as_of)),
    )


# --- contacts and trust, side by side ---------------------------------------------------------------


@dataclass(frozen=True)
class ContactsStretch:
    first: datetime.date
    last: datetime.date
    school_days: int
    positive: int | None  # None: not shown (restricted audiences: the release hides a month of it)
    enrollment: int | None

    @property
    def per_100(self) -> float | None:
        """Positive contacts per 100 enrolled students per 20 school days."""
        if self.positive is None or not self.enrollment or not self.school_days:
            return None
        return round(self.positive * 100 / self.enrollment * SCHOOL_MONTH_DAYS / self.school_days, 2)


@dataclass(frozen=True)
class SchoolChange:
    school: School
    earlier: WaveSchool
    later: WaveSchool
    earlier_trust: scoring.Estimate | None
    later_trust: scoring.Estimate | None
    trust_change: scoring.Comparison | None  # None when either wave's school is suppressed
    before: ContactsStretch  # the school days of the earlier wave's school year up to its close
    between: ContactsStretch  # the school days from the earlier wave's close to the later's
    not_shown: str = ""  # restricted audiences: why the release gives no figure of the school

    @property
    def contacts_change(self) -> float | None:
        if self.before.per_100 is None or self.between.per_100 is None:
            return None
        return round(self.between.per_100 - self.before.per_100, 2)

    @property
    def plotted(self) -> bool:
        return self.trust_change is not None and self.contacts_change is not None


def school_change(
    school: School,
    waves: tuple[WaveSchool, WaveSchool],
    trust: tuple[scoring.Estimate | None, scoring.Estimate | None],
    stretches: tuple[ContactsStretch, ContactsStretch],
    not_shown: str = "",
) -> SchoolChange:
    """A school's change between two waves: the trust change is the later estimate minus the earlier
    with Welch's interval (none when either is not shown), beside the contacts of the two stretches.
    The program's leaders' (live) and the evaluators' (released) changes are both made here."""
    earlier_trust, later_trust = trust if None not in trust else (None, None)
    return SchoolChange(
        school=school,
        earlier=waves[0],
        later=waves[1],
        earlier_trust=earlier_trust,
        later_trust=later_trust,
        trust_change=scoring.compare(earlier_trust, later_trust),
        before=stretches[0],
        between=stretches[1],
        not_shown=not_shown,
    )


@dataclass(frozen=True)
class ContactsAndTrust:
    district_name: str
    schools: list[SchoolChange]
    caveats: tuple[str, ...] = CAVEATS
    school_year: str | None = None  # restricted audiences: the closed year whose release it is read from

    @property
    def plotted(self) -> list[SchoolChange]:
        return [school for school in self.schools if school.plotted]


Calendars = dict[str, dict[int, SchoolCalendar | None]]  # by school year, then school id (`calendars_for`)


def school_days_between(
    school: School, first: datetime.date, last: datetime.date, calendars: Calendars | None = None
) -> list[datetime.date]:
    """The school's school days in [first, last], from the calendars of every school year it spans
    (`calendars`: those read already, for many schools at once; a year not in it is read here)."""
    days: list[datetime.date] = []
    year = int(school_year_of(first)[:4])
    while datetime.date(year, 7, 1) <= last:
        school_year = f"{year}-{year + 1}"
        if calendars is not None and school_year in calendars:
            calendar = calendars[school_year].get(school.pk)
        else:
            calendar = calendars_for([school], school_year)[school.pk]
        if calendar is not None:
            days += [day for day in school_days(calendar) if first <= day <= last]
        year += 1
    return days


def _stretch(school: School, agency_ids: frozenset[int] | None, days: list[datetime.date]) -> ContactsStretch:
    first, last = (days[0], days[-1]) if days else (datetime.date.min, datetime.date.min)
    rollups = DailyRollup.objects.filter(school=school, day__in=days, kind__in=POSITIVE_KINDS)
    if agency_ids is not None:
        rollups = rollups.filter(agency_id__in=sorted(agency_ids))
    enrollment = (
        Enrollment.objects.filter(school=school, school_year=school_year_of(last))
        .values_list("total", flat=True)
        .first()
    )
    return ContactsStretch(first, last, len(days), rollups.aggregate(n=Sum("count"))["n"] or 0, enrollment)


def _school_change(school: School, agency_ids: frozenset[int] | None, as_of: datetime.date) -> SchoolChange | None:
    latest = (
        WaveSchool.objects.filter(school=school, wave__status=WaveStatus.CLOSED, wave__closes_on__lte=as_of)
        .select_related("wave__instrument")
        .order_by("-wave__closes_on")
        .first()
    )
    if latest is None:
        return None
    history = [(ws, result) for ws, result in school_history(latest) if ws.wave.status == WaveStatus.CLOSED]
    history = [(ws, result) for ws, result in history if ws.wave.closes_on <= as_of]
    if len(history) < 2:
        return None
    (earlier, before), (later, after) = history[-2], history[-1]
    between_days = school_days_between(
        school, earlier.wave.closes_on + datetime.timedelta(days=1), later.wave.closes_on
    )
    year_start = school_year_days(school_year_of(earlier.wave.closes_on))[0]
    before_days = school_days_between(school, year_start, earlier.wave.closes_on)
    return school_change(
        school,
        (earlier, later),
        (None if before.suppressed else before.trust, None if after.suppressed else after.trust),
        (_stretch(school, agency_ids, before_days), _stretch(school, agency_ids, between_days)),
    )


def contacts_and_trust(
    district_name: str, schools: Iterable[School], *, agency_ids: frozenset[int] | None, as_of: datetime.date
) -> ContactsAndTrust:
    """For each school with two or more closed waves of the same survey and audience by as_of: trust
    in the last two beside positive contacts per 100 students per 20 school days, in the earlier
    wave's school year up to its close, and between the two closes."""
    changes = [_school_change(school, agency_ids, as_of) for school in schools]
    return ContactsAndTrust(district_name, [change for change in changes if change is not None])
