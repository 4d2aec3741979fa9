"""Reads about the program directory: who is assigned where, which schools lack an officer, who lacks training.

These functions hold the business rules; they do not scope by user. Callers pass querysets
that came through `directory.access` wherever the result is shown to someone.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Sum

from liaison.lib.local_days import today_in

from .models import (
    Agency,
    Assignment,
    District,
    Enrollment,
    Officer,
    Partnership,
    School,
    TrainingRecord,
    TrainingRequirement,
)

# --- dates -------------------------------------------------------------------------------


def agency_today(agency: Agency) -> datetime.date:
    """Today's date where the agency is: the day that 'assigned today' means to its chief."""
    return today_in(agency.time_zone)


def in_force_on(on: datetime.date) -> Q:
    """Rows with a start_date/end_date range that includes the day (an open end runs on)."""
    return Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))


def assignment_state(assignment: Assignment, on: datetime.date) -> str:
    """'current', 'ended' or 'upcoming' on the day."""
    if assignment.start_date > on:
        return "upcoming"
    if assignment.end_date is not None and assignment.end_date < on:
        return "ended"
    return "current"


# --- assignments ---------------------------------------------------------------------------


def _current(assignments: QuerySet[Assignment] | None, on: datetime.date) -> QuerySet[Assignment]:
    base = Assignment.objects.all() if assignments is None else assignments
    return base.filter(in_force_on(on))


def school_officers_current(
    *, school: School, on: datetime.date, assignments: QuerySet[Assignment] | None = None
) -> list[Assignment]:
    """The school's assignments in force on the day, with their officers."""
    current = _current(assignments, on).filter(school=school).select_related("officer__user")
    return sorted(current, key=lambda a: (a.officer.user.last_name, a.officer.user.first_name))


def officer_schools_current(
    *, officer: Officer, on: datetime.date, assignments: QuerySet[Assignment] | None = None
) -> list[Assignment]:
    """The officer's assignments in force on the day, with their schools."""
    return list(_current(assignments, on).filter(officer=officer).select_related("school").order_by("school__name"))


def assignments_in_force_attached(
    in_force: QuerySet[Assignment], officers: list[Officer], schools: list[School]
) -> list[Assignment]:
    """The assignments in force, read once for the tables of an agency's officers and schools: each
    takes its officer and school from those lists (the ones not among them are read here), and each
    officer and school gets its `current_assignments` in the list's order."""
    current = list(in_force)
    officer_of = {officer.pk: officer for officer in officers}
    school_of = {school.pk: school for school in schools}
    others = [a.pk for a in current if a.officer_id not in officer_of or a.school_id not in school_of]
    loaded = {a.pk: a for a in in_force.filter(pk__in=others).select_related("officer__user", "school")}
    for assignment in current:
        found = loaded.get(assignment.pk)
        assignment.officer = found.officer if found else officer_of[assignment.officer_id]
        assignment.school = found.school if found else school_of[assignment.school_id]
    attach_current_assignments(officers, schools, current)
    return current


def attach_current_assignments(officers: list[Officer], schools: list[School], current: list[Assignment]) -> None:
    """Set `current_assignments` on each officer and school from one list of assignments in force,
    in that list's order (as with_current_officers does with a query)."""
    by_officer: dict[int, list[Assignment]] = defaultdict(list)
    by_school: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in current:
        by_officer[assignment.officer_id].append(assignment)
        by_school[assignment.school_id].append(assignment)
    for officer in officers:
        officer.current_assignments = by_officer.get(officer.pk, [])  # type: ignore[attr-defined]
    for school in schools:
        school.current_assignments = by_school.get(school.pk, [])  # type: ignore[attr-defined]


def with_current_officers(
    schools: QuerySet[School], *, on: datetime.date, assignments: QuerySet[Assignment] | None = None
) -> QuerySet[School]:
    """Schools with `current_assignments` (officer loaded) prefetched: one query for the whole list."""
    current = _current(assignments, on).select_related("officer__user").order_by("officer__user__last_name")
    return schools.prefetch_related(Prefetch("assignments", queryset=current, to_attr="current_assignments"))


# --- schools and enrollment ---------------------------------------------------------------


def with_latest_enrollment(schools: QuerySet[School]) -> QuerySet[School]:
    """Schools annotated with `latest_year` and `latest_total` (None when no year is on file)."""
    latest = Enrollment.objects.filter(school=OuterRef("pk")).order_by("-school_year")
    return schools.annotate(
        latest_year=Subquery(latest.values("school_year")[:1]),
        latest_total=Subquery(latest.values("total")[:1]),
    )


def partnerships_in_force(*, agency: Agency, on: datetime.date) -> QuerySet[Partnership]:
    return Partnership.objects.filter(in_force_on(on), agency=agency)


def agency_schools_served(*, agency: Agency, on: datetime.date) -> QuerySet[School]:
    """Schools in the districts the agency has a partnership with on the day."""
    districts = partnerships_in_force(agency=agency, on=on).values("district_id")
    return School.objects.filter(district_id__in=districts)


def schools_partnered_with(*, agency: Agency) -> QuerySet[School]:
    """Schools the agency may assign officers to, and its officers record at: in a district it has a
    partnership with, at any date. The one rule (`interactions.access.served_district_ids` asks it
    for one officer in plain SQL)."""
    return schools_served_by(agency_ids=[agency.pk])


def schools_served_by(*, agency_ids: Iterable[int]) -> QuerySet[School]:
    """`schools_partnered_with` for several agencies at once (a supervisor recording for their officers)."""
    districts = Partnership.objects.filter(agency_id__in=list(agency_ids)).values("district_id")
    return School.objects.filter(district_id__in=districts)


def district_agencies_serving(*, district: District, on: datetime.date) -> QuerySet[Agency]:
    """Agencies with a partnership in force with the district on the day."""
    agency_ids = Partnership.objects.filter(in_force_on(on), district=district).values("agency_id")
    return Agency.objects.filter(pk__in=agency_ids)


def agency_schools_uncovered(*, agency: Agency, on: datetime.date) -> QuerySet[School]:
    """Schools the agency serves where no officer (of any agency) is assigned on the day.

    Any agency's officer counts: where two agencies share a district, a school the other
    agency covers is not a gap for this one.
    """
    covered = Assignment.objects.filter(in_force_on(on)).values("school_id")
    schools = agency_schools_served(agency=agency, on=on).exclude(pk__in=covered)
    return schools.select_related("district").order_by("district__name", "name")


# --- training ----------------------------------------------------------------------------

TENTH = Decimal("0.1")  # hours are kept to one decimal place; databases sum them with different scales


@dataclass(frozen=True)
class TrainingGap:
    """A required course the officer has too few hours of."""

    course: str
    course_name: str
    required_hours: Decimal
    completed_hours: Decimal

    @property
    def missing_hours(self) -> Decimal:
        return self.required_hours - self.completed_hours


def training_gaps(
    requirements: Iterable[TrainingRequirement], hours_by_course: dict[str, Decimal]
) -> list[TrainingGap]:
    """A requirement is met when the hours of that course add up to at least its minimum."""
    gaps = []
    for requirement in sorted(requirements, key=lambda r: r.get_course_display()):
        done = hours_by_course.get(requirement.course, Decimal("0.0"))
        if done < requirement.minimum_hours:
            gaps.append(
                TrainingGap(
                    course=requirement.course,
                    course_name=requirement.get_course_display(),
                    required_hours=requirement.minimum_hours,
                    completed_hours=done,
                )
            )
    return gaps


def _hours_by_officer(officer_ids: Iterable[int], on: datetime.date) -> dict[int, dict[str, Decimal]]:
    """Hours of each course completed by the day, per officer, in one query."""
    rows = (
        TrainingRecord.objects.filter(officer_id__in=list(officer_ids), completed_on__lte=on)
        .values("officer_id", "course")
        .annotate(hours=Sum("hours"))
        .order_by()
    )
    hours: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        hours[row["officer_id"]][row["course"]] = Decimal(row["hours"]).quantize(TENTH)
    return hours


def officer_training_gaps(*, officer: Officer, on: datetime.date | None = None) -> list[TrainingGap]:
    """The agency's required courses this officer has not completed enough hours of by the day."""
    on = on or agency_today(officer.agency)
    requirements = TrainingRequirement.objects.filter(agency_id=officer.agency_id)
    return training_gaps(requirements, _hours_by_officer([officer.pk], on).get(officer.pk, {}))


# --- coverage ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficerGaps:
    officer: Officer
    gaps: list[TrainingGap]


@dataclass(frozen=True)
class Coverage:
    """What a chief needs to know on a day: schools without an officer, assigned officers lacking training."""

    on: datetime.date
    schools_without_officer: list[School] = field(default_factory=list)
    officers_lacking_training: list[OfficerGaps] = field(default_factory=list)
    requirements: list[TrainingRequirement] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.schools_without_officer and not self.officers_lacking_training


def officers_assigned_on(*, agency: Agency, on: datetime.date) -> QuerySet[Officer]:
    assigned = Assignment.objects.filter(in_force_on(on), agency=agency).values("officer_id")
    return Officer.objects.filter(agency=agency, pk__in=assigned).select_related("user")


def agency_coverage(*, agency: Agency, on: datetime.date) -> Coverage:
    requirements = list(TrainingRequirement.objects.filter(agency=agency))
    officers = list(officers_assigned_on(agency=agency, on=on))
    hours = _hours_by_officer([o.pk for o in officers], on)
    lacking = [OfficerGaps(o, gaps) for o in officers if (gaps := training_gaps(requirements, hours.get(o.pk, {})))]
    return Coverage(
        on=on,
        schools_without_officer=list(agency_schools_uncovered(agency=agency, on=on)),
        officers_lacking_training=lacking,
        requirements=sorted(requirements, key=lambda r: r.get_course_display()),
    )


# --- the first of several places (a landing page, a default) ------------------------------------


def agency_first_of(ids: Iterable[int]) -> Agency | None:
    """The first by name of these agencies."""
    return Agency.objects.filter(pk__in=ids).order_by("name").first()


def district_first_of(ids: Iterable[int]) -> District | None:
    """The first of these districts (in their default order, by name)."""
    return District.objects.filter(pk__in=ids).first()


def school_first_of(ids: Iterable[int]) -> School | None:
    """The first of these schools (in their default order, by name)."""
    return School.objects.filter(pk__in=ids).first()


def school_names(ids: Iterable[int]) -> dict[int, str]:
    """Each school's name by its id (for a history that stored ids)."""
    return dict(School.objects.filter(pk__in=ids).values_list("pk", "name"))


def schools_by_uuid(uuids: Iterable[Any]) -> QuerySet[School]:
    """These schools, by name."""
    return School.objects.filter(uuid__in=uuids).order_by("name")


def agency_by_id(pk: int) -> Agency:
    return Agency.objects.get(pk=pk)


def district_schools(district_id: int) -> QuerySet[School]:
    """The district's schools, by name."""
    return School.objects.filter(district_id=district_id).order_by("name")


def schools_among(ids: Any) -> QuerySet[School]:
    """These schools (ids, or a query of them), by name."""
    return School.objects.filter(pk__in=ids).order_by("name")
