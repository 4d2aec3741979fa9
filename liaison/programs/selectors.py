"""Reads: school days and weeks, the consistency and persistence of each school's officer presence,
each officer's split across the triad, mentoring dosage, and overdue check-ins.

These hold the definitions and do not scope by user: callers pass schools, officers and
relationships that came through `programs.access`.

Definitions (ours, for the Task Force's "consistent and persistent"):
- a *school day* is a weekday from the calendar's first to last day, outside its breaks; a *school
  week* is a Monday-to-Sunday week with at least one school day. Only days up to `as_of` count.
- a *positive contact* is a contact of one of `POSITIVE_KINDS` (the one definition, in
  interactions.vocabulary; rollups; void records never count) by an officer assigned to the school
  on that day. Staff consultations and safety activities are liaison work, not visits of this kind.
- *consistency*: the share of school weeks with at least one positive contact; the longest run of
  school days without one (breaks are skipped, not counted); positive contacts per 100 enrolled
  students per month, months being the calendar months with a school day so far.
- *persistence*: tenure of the current assignments, different officers assigned over the last three
  years, and turnover events (assignments at the school that ended in those three years).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum

from liaison.directory.models import Assignment, Enrollment, Officer, School
from liaison.interactions.models import DailyRollup, MonthlyRollup, OfficerMonthRollup
from liaison.interactions.selectors import rollup_spans
from liaison.interactions.vocabulary import POSITIVE_KINDS, Role

from .models import (
    CalendarFeed,
    LiaisonMeeting,
    MentoringMeeting,
    MentoringRelationship,
    SchoolCalendar,
    Session,
    TeacherFeedback,
)
from .vocabulary import LiaisonMeetingKind, LiaisonMeetingStatus, RelationshipStatus

ONE_DAY = datetime.timedelta(days=1)
# Mentoring meetings, newest first, on the relationship page and in the API (paged by cursor).
MEETING_ORDER = ("-met_at", "-id")
MEETINGS_PAGE_SIZE = 25
MENTORING_DUE_DAYS = 30
CHECK_IN_DUE_DAYS = 60
PERSISTENCE_YEARS = 3


# --- school years, days and weeks --------------------------------------------------------------


def monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def calendars_for(schools: Iterable[School], school_year: str) -> dict[int, SchoolCalendar | None]:
    """Each school's calendar for the year: its own if it has one, else its district's (one query)."""
    schools = list(schools)
    found = SchoolCalendar.objects.filter(
        Q(school_id__in=[s.pk for s in schools])
        | Q(school__isnull=True, district_id__in={s.district_id for s in schools}),
        school_year=school_year,
    ).prefetch_related("breaks")
    own = {c.school_id: c for c in found if c.school_id is not None}
    district = {c.district_id: c for c in found if c.school_id is None}
    return {s.pk: own.get(s.pk) or district.get(s.district_id) for s in schools}


def school_days(calendar: SchoolCalendar, *, through: datetime.date | None = None) -> list[datetime.date]:
    last = calendar.last_day if through is None else min(calendar.last_day, through)
    breaks = [(b.first_day, b.last_day) for b in calendar.breaks.all()]
    days, day = [], calendar.first_day
    while day <= last:
        if day.weekday() < 5 and not any(start <= day <= end for start, end in breaks):
            days.append(day)
        day += ONE_DAY
    return days


# --- positive contacts by assigned officers ---------------------------------------------------------


def _assignment_spans(school_ids: list[int]) -> dict[tuple[int, int], list[tuple[datetime.date, datetime.date | None]]]:
    spans: dict[tuple[int, int], list] = defaultdict(list)
    for row in Assignment.objects.filter(school_id__in=school_ids).values(
        "school_id", "officer_id", "start_date", "end_date"
    ):
        spans[(row["school_id"], row["officer_id"])].append((row["start_date"], row["end_date"]))
    return spans


def _assigned(spans: list[tuple[datetime.date, datetime.date | None]], day: datetime.date) -> bool:
    return any(start <= day and (end is None or day <= end) for start, end in spans)


def positive_contacts_by_day(
    school_ids: list[int], first: datetime.date, last: datetime.date
) -> dict[int, dict[datetime.date, int]]:
    """Per school, per day: positive contacts by officers assigned there that day (from the rollups)."""
    spans = _assignment_spans(school_ids)
    rows = (
        DailyRollup.objects.filter(school_id__in=school_ids, day__gte=first, day__lte=last, count__gt=0)
        .filter(kind__in=POSITIVE_KINDS)
        .values("school_id", "officer_id", "day")
        .annotate(total=Sum("count"))
        .order_by()
    )
    counts: dict[int, dict[datetime.date, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        if _assigned(spans.get((row["school_id"], row["officer_id"]), []), row["day"]):
            counts[row["school_id"]][row["day"]] += row["total"]
    return counts


# --- consistency -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    days: int
    first: datetime.date | None = None
    last: datetime.date | None = None


@dataclass(frozen=True)
class Consistency:
    school: School
    school_year: str
    as_of: datetime.date
    has_calendar: bool
    school_days: int = 0
    school_weeks: int = 0
    weeks_with_contact: int = 0
    longest_gap: Gap = Gap(0)
    contacts: int = 0
    enrollment: int | None = None
    months: int = 0
    by_month: dict[str, int] = field(default_factory=dict)
    weekly: dict[datetime.date, int] = field(default_factory=dict)

    @property
    def week_share(self) -> float | None:
        return self.weeks_with_contact / self.school_weeks if self.school_weeks else None

    @property
    def per_100_per_month(self) -> float | None:
        if not self.enrollment or not self.months:
            return None
        return self.contacts * 100 / self.enrollment / self.months


def longest_gap(days: list[datetime.date], contact_days: set[datetime.date]) -> Gap:
    """The longest run of consecutive school days without a contact."""
    best, run_start, run = Gap(0), None, 0
    for day in days:
        if day in contact_days:
            run, run_start = 0, None
            continue
        run += 1
        run_start = run_start or day
        if run > best.days:
            best = Gap(run, run_start, day)
    return best


def _enrollments(school_ids: list[int], school_year: str) -> dict[int, int]:
    rows = Enrollment.objects.filter(school_id__in=school_ids, school_year=school_year).values("school_id", "total")
    return {row["school_id"]: row["total"] for row in rows}


@dataclass(frozen=True)
class PresenceContacts:
    """The schools' calendars for a year and their positive contacts by day up to `as_of`: read once
    for the consistency figures and the heat map of one page."""

    calendars: dict[int, SchoolCalendar | None]
    by_day: dict[int, dict[datetime.date, int]]


def presence_contacts(schools: Iterable[School], *, school_year: str, as_of: datetime.date) -> PresenceContacts:
    schools = list(schools)
    calendars = calendars_for(schools, school_year)
    dated = [c for c in calendars.values() if c is not None]
    if not dated:
        return PresenceContacts(calendars, {})
    first = min(c.first_day for c in dated)
    last = min(max(c.last_day for c in dated), as_of)
    return PresenceContacts(calendars, positive_contacts_by_day([s.pk for s in schools], first, last))


def schools_consistency(
    schools: Iterable[School], *, school_year: str, as_of: datetime.date, contacts: PresenceContacts | None = None
) -> list[Consistency]:
    schools = list(schools)
    contacts = contacts or presence_contacts(schools, school_year=school_year, as_of=as_of)
    calendars = contacts.calendars
    if not any(c is not None for c in calendars.values()):
        return [Consistency(s, school_year, as_of, has_calendar=False) for s in schools]
    enrollments = _enrollments([s.pk for s in schools], school_year)
    days_of: dict[int | None, list[datetime.date]] = {None: []}  # a district's calendar: its days once
    for calendar in calendars.values():
        if calendar is not None and calendar.pk not in days_of:
            days_of[calendar.pk] = school_days(calendar, through=as_of)
    return [
        _consistency(
            s,
            calendars[s.pk],
            days_of[getattr(calendars[s.pk], "pk", None)],
            contacts.by_day.get(s.pk, {}),
            enrollments.get(s.pk),
            school_year,
            as_of,
        )
        for s in schools
    ]


def _consistency(
    school: School,
    calendar: SchoolCalendar | None,
    days: list[datetime.date],
    by_day: dict[datetime.date, int],
    enrollment: int | None,
    school_year: str,
    as_of: datetime.date,
) -> Consistency:
    if calendar is None:
        return Consistency(school, school_year, as_of, has_calendar=False, enrollment=enrollment)
    contact_days = {day for day, n in by_day.items() if n}
    weeks = {monday(d) for d in days}
    weeks_with = {monday(d) for d in days if d in contact_days}
    in_year = [n for day, n in by_day.items() if calendar.first_day <= day <= min(calendar.last_day, as_of)]
    by_month: dict[str, int] = {f"{d:%Y-%m}": 0 for d in days}
    for day, n in by_day.items():
        if f"{day:%Y-%m}" in by_month and day <= as_of:
            by_month[f"{day:%Y-%m}"] += n
    weekly = {week: 0 for week in sorted(weeks)}
    for day, n in by_day.items():
        if monday(day) in weekly and day <= as_of:
            weekly[monday(day)] += n
    return Consistency(
        school,
        school_year,
        as_of,
        has_calendar=True,
        weekly=weekly,
        school_days=len(days),
        school_weeks=len(weeks),
        weeks_with_contact=len(weeks_with),
        longest_gap=longest_gap(days, contact_days),
        contacts=sum(in_year),
        enrollment=enrollment,
        months=len(by_month),
        by_month=by_month,
    )


# --- the schools × weeks heat map -------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    week: datetime.date
    count: int
    school_week: bool  # at least one school day that week
    elapsed: bool  # the week has begun by as_of

    @property
    def gap(self) -> bool:
        return self.school_week and self.elapsed and self.count == 0


@dataclass(frozen=True)
class HeatRow:
    school: School
    has_calendar: bool
    cells: list[HeatCell]

    @property
    def gaps(self) -> int:
        return sum(1 for cell in self.cells if cell.gap)


@dataclass(frozen=True)
class HeatMap:
    school_year: str
    as_of: datetime.date
    weeks: list[datetime.date]
    rows: list[HeatRow]


def presence_heatmap(
    schools: Iterable[School], *, school_year: str, as_of: datetime.date, contacts: PresenceContacts | None = None
) -> HeatMap:
    """Positive contacts by assigned officers per school and week of the school year."""
    schools = list(schools)
    found = contacts or presence_contacts(schools, school_year=school_year, as_of=as_of)
    calendars = found.calendars
    dated = [c for c in calendars.values() if c is not None]
    if not dated:
        return HeatMap(school_year, as_of, [], [HeatRow(s, False, []) for s in schools])
    first, last = min(c.first_day for c in dated), max(c.last_day for c in dated)
    weeks = []
    week = monday(first)
    while week <= last:
        weeks.append(week)
        week += datetime.timedelta(days=7)
    weeks_of: dict[int, set[datetime.date]] = {}  # schools share their district's calendar: its weeks once
    rows = []
    for school in schools:
        calendar = calendars[school.pk]
        school_weeks: set[datetime.date] = set()
        if calendar is not None:
            if calendar.pk not in weeks_of:
                weeks_of[calendar.pk] = {monday(d) for d in school_days(calendar)}
            school_weeks = weeks_of[calendar.pk]
        per_week: dict[datetime.date, int] = defaultdict(int)
        for day, n in found.by_day.get(school.pk, {}).items():
            per_week[monday(day)] += n
        cells = [HeatCell(w, per_week.get(w, 0), w in school_weeks, w <= as_of) for w in weeks]
        rows.append(HeatRow(school, calendar is not None, cells))
    return HeatMap(school_year, as_of, weeks, rows)


# --- persistence --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tenure:
    officer: Officer
    since: datetime.date
    days: int

    @property
    def years(self) -> float:
        return self.days / 365.25


@dataclass(frozen=True)
class Turnover:
    officer: Officer
    ended_on: datetime.date


@dataclass(frozen=True)
class Persistence:
    school: School
    as_of: datetime.date
    current: list[Tenure]
    officers_in_window: int
    turnover: list[Turnover]

    @property
    def tenure_days(self) -> int | None:
        """The longest current tenure; None when no officer is assigned today."""
        return max((t.days for t in self.current), default=None)


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# What the figures read of an assignment and its officer (a name: Officer.display_name): a large
# agency's 400 assignments with every column of their officers and logins were a sixth of the page.
PERSISTENCE_FIELDS = (
    "school_id", "officer_id", "start_date", "end_date",
    "officer__uuid", "officer__agency_id", "officer__rank", "officer__status",
    "officer__user__username", "officer__user__first_name", "officer__user__last_name",
)  # fmt: skip


def schools_persistence(schools: Iterable[School], *, as_of: datetime.date) -> list[Persistence]:
    schools = list(schools)
    since = years_before(as_of, PERSISTENCE_YEARS)
    assignments = (
        Assignment.objects.filter(school__in=schools, start_date__lte=as_of)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=since))
        .select_related("officer__user")
        .only(*PERSISTENCE_FIELDS)
        .order_by("start_date")
    )
    by_school: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        by_school[assignment.school_id].append(assignment)
    results = []
    for school in schools:
        held = by_school.get(school.pk, [])
        current = [
            Tenure(a.officer, a.start_date, (as_of - a.start_date).days)
            for a in held
            if a.end_date is None or a.end_date >= as_of
        ]
        turnover = [Turnover(a.officer, a.end_date) for a in held if a.end_date is not None and a.end_date < as_of]
        results.append(Persistence(school, as_of, current, len({a.officer_id for a in held}), turnover))
    return results


# --- each officer's time across the triad ---------------------------------------------------------------


@dataclass(frozen=True)
class RoleTime:
    role: str
    label: str
    count: int
    minutes: int
    timed: int  # records with a duration

    def share(self, total: int) -> float | None:
        return None if not total else self.minutes / total


@dataclass(frozen=True)
class RoleSplit:
    officer: Officer
    roles: list[RoleTime]

    @property
    def count(self) -> int:
        return sum(r.count for r in self.roles)

    @property
    def minutes(self) -> int:
        return sum(r.minutes for r in self.roles)

    @property
    def timed(self) -> int:
        return sum(r.timed for r in self.roles)

    @property
    def basis(self) -> str:
        """'minutes' when every record has a duration, 'counts' when none has, else 'mixed'."""
        if self.count and self.timed == self.count:
            return "minutes"
        return "counts" if not self.timed else "mixed"

    def share_of(self, role: RoleTime) -> float | None:
        """Share of time where durations are known; otherwise share of contacts."""
        if self.basis == "counts":
            return role.count / self.count if self.count else None
        return role.minutes / self.minutes if self.minutes else None

    def count_share_of(self, role: RoleTime) -> float | None:
        return role.count / self.count if self.count else None


def officers_role_split(
    officers: Iterable[Officer],
    *,
    first: datetime.date,
    last: datetime.date,
    schools: Iterable[School] | None = None,
) -> list[RoleSplit]:
    """Each officer's records by triad role over [first, last]; at the given schools only, if any.

    Whole calendar months from the officer months (every school) or the monthly rollups (some
    schools), the days before and after them from the daily ones (a school year is about 12 rows per
    officer and role, or per officer and cell, instead of 180)."""
    officers = list(officers)
    at = list(schools) if schools is not None else None
    months, edges = rollup_spans(first, last)
    parts: list[QuerySet[Any]] = []
    if months is not None:
        by_month = OfficerMonthRollup if at is None else MonthlyRollup
        parts.append(by_month.objects.filter(officer__in=officers, month__gte=months[0], month__lte=months[1]))
    parts += [
        DailyRollup.objects.filter(officer__in=officers, day__gte=since, day__lte=until) for since, until in edges
    ]
    found: dict[tuple[int, str], dict[str, int]] = {}
    for cells in parts:
        if at is not None:
            cells = cells.filter(school__in=at)
        rows = (
            cells.values("officer_id", "role")
            .annotate(count=Sum("count"), minutes=Sum("minutes"), timed=Sum("minutes_count"))
            .order_by()
        )
        for r in rows:
            row = found.setdefault((r["officer_id"], r["role"]), {"count": 0, "minutes": 0, "timed": 0})
            for name in row:
                row[name] += r[name] or 0
    splits = []
    for officer in officers:
        roles = []
        for role in Role:
            row = found.get((officer.pk, role.value), {})
            roles.append(
                RoleTime(role.value, role.label, row.get("count") or 0, row.get("minutes") or 0, row.get("timed") or 0)
            )
        splits.append(RoleSplit(officer, roles))
    return splits


# --- mentoring dosage --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dosage:
    relationship: MentoringRelationship
    meetings: int
    minutes: int
    months_active: float
    longest_gap_days: int
    last_met_on: datetime.date | None
    days_since_last: int

    @property
    def per_month(self) -> float:
        return self.meetings / self.months_active if self.months_active else 0.0

    @property
    def overdue(self) -> bool:
        active = self.relationship.status == RelationshipStatus.ACTIVE
        return active and self.days_since_last > MENTORING_DUE_DAYS


def _active_until(relationship: MentoringRelationship, as_of: datetime.date) -> datetime.date:
    if relationship.status == RelationshipStatus.CLOSED and relationship.status_changed_on:
        return min(relationship.status_changed_on, as_of)
    return as_of


def relationships_dosage(relationships: Iterable[MentoringRelationship], *, as_of: datetime.date) -> list[Dosage]:
    relationships = list(relationships)
    days: dict[int, list[datetime.date]] = defaultdict(list)
    minutes: dict[int, int] = defaultdict(int)
    meetings = MentoringMeeting.objects.filter(relationship__in=relationships, voided=False, met_on__lte=as_of)
    for row in meetings.values("relationship_id", "met_on", "duration_minutes").order_by("met_on"):
        days[row["relationship_id"]].append(row["met_on"])
        minutes[row["relationship_id"]] += row["duration_minutes"]
    return [_dosage(r, days.get(r.pk, []), minutes.get(r.pk, 0), as_of) for r in relationships]


def _dosage(
    relationship: MentoringRelationship, met: list[datetime.date], minutes: int, as_of: datetime.date
) -> Dosage:
    until = _active_until(relationship, as_of)
    points = [relationship.started_on, *met, until]
    gaps = [(b - a).days for a, b in zip(points, points[1:], strict=False)]
    span = max((until - relationship.started_on).days, 0)
    return Dosage(
        relationship=relationship,
        meetings=len(met),
        minutes=minutes,
        months_active=max(span / 30.4375, 1.0),
        longest_gap_days=max(gaps, default=0),
        last_met_on=met[-1] if met else None,
        days_since_last=(until - (met[-1] if met else relationship.started_on)).days,
    )


# --- liaison check-ins -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInDue:
    school: School
    last_held_on: datetime.date | None


def schools_without_check_in(schools: QuerySet[School], *, as_of: datetime.date) -> list[CheckInDue]:
    """Schools with no MOU check-in held in the last 60 days (or never)."""
    held = (
        LiaisonMeeting.objects.filter(
            school__in=schools,
            kind=LiaisonMeetingKind.MOU_CHECK_IN,
            status=LiaisonMeetingStatus.HELD,
            starts_on__lte=as_of,
        )
        .values("school_id")
        .annotate(last=Max("starts_on"))
        .order_by()
    )
    last = {row["school_id"]: row["last"] for row in held}
    cutoff = as_of - datetime.timedelta(days=CHECK_IN_DUE_DAYS)
    return [
        CheckInDue(school, last.get(school.pk))
        for school in schools.order_by("name")
        if last.get(school.pk) is None or last[school.pk] < cutoff
    ]


def meeting_counts(relationships: QuerySet[MentoringRelationship]) -> dict[int, int]:
    rows = MentoringMeeting.objects.filter(relationship__in=relationships, voided=False)
    return dict(rows.values_list("relationship_id").annotate(n=Count("*")).order_by())


# --- one object by its key (pages and API reach models only through here) ----------------------------


def feedback_of(session: Session) -> TeacherFeedback | None:
    """The teacher's feedback on the session, if given."""
    return TeacherFeedback.objects.filter(session=session).first()


def session_by_feedback_token(token: str) -> Session | None:
    """The session whose teacher link carries this token."""
    found = Session.objects.select_related("school", "curriculum", "officer__user", "agency")
    return found.filter(feedback_token=token).first()


def calendar_feed_by_uuid(uuid: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("officer__agency", "school").filter(uuid=uuid).first()


def calendar_feed_by_token(token: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("officer__user", "school").filter(token=token).first()
