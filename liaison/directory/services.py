"""Writes to the program directory. Views, API and commands all call these."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum

from liaison.accounts.audit import audit_record
from liaison.accounts.invitations import AbsoluteUrl, invitation_send
from liaison.accounts.models import Membership, User
from liaison.accounts.records import record_create, record_update, validate_record
from liaison.accounts.roles import Role
from liaison.lib.errors import ConflictError

from .models import (
    ENROLLMENT_FIELDS,
    Agency,
    Assignment,
    District,
    Enrollment,
    Officer,
    Partnership,
    School,
    TrainingCourse,
    TrainingRecord,
    TrainingRequirement,
)

NO_PARTNERSHIP = "The officer's agency has no partnership with this school's district."
OVERLAPPING_ASSIGNMENT = "The officer already has an assignment to this school that overlaps these dates."
SHARE_OVER_100 = "With this assignment the officer's time would add up to {total}% on some day; at most 100%."
ALREADY_ENDED = "This assignment has already ended."
ASSIGNMENT_BEFORE_PARTNERSHIP = "The partnership with this school's district starts on {start}; start on or after it."
ASSIGNMENT_AFTER_PARTNERSHIP = "The partnership with this school's district ends on {end}; end the assignment by then."
PARTNERSHIP_STRANDS_ASSIGNMENTS = "These assignments lie outside the new dates; end or correct them: {assignments}."
OFFICER_USERNAME_TAKEN = "This username is already taken."
DEFAULT_BASIC_SRO_HOURS = Decimal("40")  # NASRO's recommended basic course before assignment

# --- agencies, districts, schools ------------------------------------------------


def agency_create(*, actor: Any, **fields: Any) -> Agency:
    with transaction.atomic():
        agency = record_create(Agency(**fields), actor=actor, tenant_is_self=True)
        TrainingRequirement.objects.create(
            agency=agency, course=TrainingCourse.BASIC_SRO, minimum_hours=DEFAULT_BASIC_SRO_HOURS
        )
    return agency


def agency_update(*, actor: Any, agency: Agency, **changes: Any) -> Agency:
    return record_update(agency, actor=actor, changes=changes, agency_id=agency.pk)


def district_create(*, actor: Any, **fields: Any) -> District:
    return record_create(District(**fields), actor=actor, tenant_is_self=True)


def district_update(*, actor: Any, district: District, **changes: Any) -> District:
    return record_update(district, actor=actor, changes=changes, district_id=district.pk)


def school_create(*, actor: Any, district: District, **fields: Any) -> School:
    return record_create(School(district=district, **fields), actor=actor, district_id=district.pk)


def school_update(*, actor: Any, school: School, **changes: Any) -> School:
    return record_update(school, actor=actor, changes=changes, district_id=school.district_id)


def enrollment_set(*, actor: Any, school: School, school_year: str, total: int, **counts: int | None) -> Enrollment:
    """Create or replace the enrollment counts for one school and year."""
    return _enrollment_save(actor, school, school_year, total, counts, source="manual")


def enrollment_import(
    *, actor: Any, school: School, school_year: str, total: int, counts: dict[str, int | None]
) -> Enrollment:
    """enrollment_set for counts computed by a roster import (the record says where they came from)."""
    return _enrollment_save(actor, school, school_year, total, counts, source="oneroster")


def _enrollment_save(
    actor: Any, school: School, school_year: str, total: int, counts: dict[str, int | None], *, source: str
) -> Enrollment:
    unknown = set(counts) - set(ENROLLMENT_FIELDS)
    if unknown:
        raise ValidationError({name: "Not an enrollment subgroup." for name in sorted(unknown)})
    values = {name: counts.get(name) for name in ENROLLMENT_FIELDS}
    existing = Enrollment.objects.filter(school=school, school_year=school_year).first()
    if existing is None:
        enrollment = Enrollment(
            school=school, district_id=school.district_id, school_year=school_year, total=total, source=source, **values
        )
        return record_create(enrollment, actor=actor, district_id=school.district_id)
    changes = {"total": total, "source": source, **values}
    return record_update(existing, actor=actor, changes=changes, district_id=school.district_id)


# --- partnerships --------------------------------------------------------------------


def partnership_create(
    *, actor: Any, agency: Agency, district: District, start_date: datetime.date, end_date: datetime.date | None = None
) -> Partnership:
    partnership = Partnership(agency=agency, district=district, start_date=start_date, end_date=end_date)
    return record_create(partnership, actor=actor, agency_id=agency.pk, district_id=district.pk)


def partnership_update(*, actor: Any, partnership: Partnership, **changes: Any) -> Partnership:
    """Change a partnership's dates. Its assignments still open past a new end date end on it (each
    audited); an assignment wholly outside the new dates is listed for a decision and nothing changes."""
    try:
        with transaction.atomic():
            updated = record_update(
                partnership,
                actor=actor,
                changes=changes,
                agency_id=partnership.agency_id,
                district_id=partnership.district_id,
            )
            _fit_assignments(actor, updated)
    except ValidationError:
        partnership.refresh_from_db()
        raise
    return updated


def _partnership_assignments(partnership: Partnership) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        agency_id=partnership.agency_id, school__district_id=partnership.district_id
    ).select_related("officer__user", "school")


def _fit_assignments(actor: Any, partnership: Partnership) -> None:
    assignments = _partnership_assignments(partnership)
    start, end = partnership.start_date, partnership.end_date
    early = assignments.filter(start_date__lt=start)
    late = assignments.filter(start_date__gt=end) if end is not None else assignments.none()
    stranded = [*early, *late]
    if stranded:
        field = "start_date" if early else "end_date"
        named = "; ".join(f"{a.officer} at {a.school.name} from {a.start_date}" for a in stranded[:10])
        raise ConflictError({field: PARTNERSHIP_STRANDS_ASSIGNMENTS.format(assignments=named)})
    if end is None:
        return
    for assignment in assignments.filter(Q(end_date__isnull=True) | Q(end_date__gt=end)):
        record_update(
            assignment,
            actor=actor,
            changes={"end_date": end},
            agency_id=assignment.agency_id,
            district_id=partnership.district_id,
        )


# --- officers and training --------------------------------------------------------------


def officer_create(
    *,
    actor: Any,
    agency: Agency,
    username: str,
    first_name: str,
    last_name: str,
    badge_number: str,
    email: str = "",
    rank: str = "",
    languages: list[str] | None = None,
    status: str = Officer.Status.ACTIVE,
    password: str | None = None,
) -> Officer:
    """Create the officer's login, profile and officer membership together."""
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise ConflictError({"username": OFFICER_USERNAME_TAKEN})
        user = User(username=username, first_name=first_name, last_name=last_name, email=email)
        validate_record(user, exclude=["password"])
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        officer = Officer(
            agency=agency,
            user=user,
            badge_number=badge_number,
            rank=rank,
            languages=languages or [],
            status=status,
        )
        record_create(officer, actor=actor, agency_id=agency.pk)
        Membership.objects.create(user=user, role=Role.OFFICER, agency=agency)
    return officer


def officer_add(*, actor: Any, agency: Agency, absolute: AbsoluteUrl, **fields: Any) -> Officer:
    """officer_create, and for a login made without a password but with an e-mail address the
    invitation to choose one (sent once this commits). The page and the API both add officers so."""
    with transaction.atomic():
        officer = officer_create(actor=actor, agency=agency, **fields)
        if not fields.get("password") and officer.user.email:
            invitation_send(
                actor=actor,
                user=officer.user,
                role=str(Role.OFFICER.label),
                place=agency.name,
                absolute=absolute,
                agency_id=agency.pk,
                district_id=None,
            )
    return officer


OFFICER_USER_FIELDS = ("first_name", "last_name", "email")


def officer_update(*, actor: Any, officer: Officer, **changes: Any) -> Officer:
    """Change the officer's profile (and the name and address on their login). An officer made
    inactive has left: their login is switched off unless it holds another role; reactivating
    switches it back on. Their records stay either way."""
    user_changes = {k: changes.pop(k) for k in OFFICER_USER_FIELDS if k in changes}
    with transaction.atomic():
        record_update(officer, actor=actor, changes=changes, agency_id=officer.agency_id)
        if "status" in changes:
            user_changes |= _login_follows_status(officer)
        if user_changes:
            record_update(officer.user, actor=actor, changes=user_changes, agency_id=officer.agency_id)
    return officer


def _login_follows_status(officer: Officer) -> dict[str, bool]:
    user = officer.user
    other_roles = Membership.objects.filter(user=user).exclude(role=Role.OFFICER).exists()
    active = officer.status != Officer.Status.INACTIVE or other_roles or user.is_superuser
    return {} if user.is_active == active else {"is_active": active}


# Courses an agency may require before assignment ("Other" names no course, so it cannot be required).
REQUIRABLE_COURSES = tuple(course for course in TrainingCourse if course != TrainingCourse.OTHER)
REQUIREMENT_HOURS_RANGE = "Give between 0.5 and 999 hours, in half hours, or leave it empty if not required."
NOT_REQUIRABLE = "Not a course an agency can require."
MIN_REQUIRED_HOURS, MAX_REQUIRED_HOURS = Decimal("0.5"), Decimal("999")


def training_requirements_set(
    *, actor: Any, agency: Agency, hours: dict[str, Decimal | None]
) -> list[TrainingRequirement]:
    """Replace the agency's required courses: `hours` maps a course to its minimum hours (None or
    absent: not required). All or nothing, one audit entry with the requirements before and after."""
    _check_requirement_hours(hours)
    wanted = {course: value for course, value in hours.items() if value is not None}
    with transaction.atomic():
        current = {r.course: r for r in TrainingRequirement.objects.select_for_update().filter(agency=agency)}
        before = {course: _hours_text(r.minimum_hours) for course, r in current.items()}
        for course, requirement in current.items():
            if course not in wanted:
                requirement.delete()
            elif requirement.minimum_hours != wanted[course]:
                requirement.minimum_hours = wanted[course]
                requirement.save(update_fields=["minimum_hours"])
        for course, value in wanted.items():
            if course not in current:
                TrainingRequirement.objects.create(agency=agency, course=course, minimum_hours=value)
        after: dict[str, str | None] = {course: None for course in before}  # a dropped course shows as None
        after |= {course: _hours_text(value) for course, value in wanted.items()}
        if before != after:
            audit_record(
                actor=actor,
                action="update",
                obj=agency,
                object_type="directory.trainingrequirements",
                summary=f"Changed the training {agency.name} requires before assignment",
                before=before,
                after=after,
                agency_id=agency.pk,
            )
    return list(TrainingRequirement.objects.filter(agency=agency).order_by("course"))


def _hours_text(hours: Decimal) -> str:
    """ "40", "7.5": the same hours read the same whether stored (40.0) or given (40)."""
    return f"{hours.normalize():f}"


def _check_requirement_hours(hours: dict[str, Decimal | None]) -> None:
    problems: dict[str, str] = {}
    for course, value in hours.items():
        if course not in REQUIRABLE_COURSES:
            problems[course] = NOT_REQUIRABLE
        elif value is not None and not (
            MIN_REQUIRED_HOURS <= value <= MAX_REQUIRED_HOURS and (value * 2) == (value * 2).to_integral_value()
        ):
            problems[course] = REQUIREMENT_HOURS_RANGE
    if problems:
        raise ValidationError(problems)


def training_record_create(*, actor: Any, officer: Officer, **fields: Any) -> TrainingRecord:
    record = TrainingRecord(officer=officer, agency_id=officer.agency_id, **fields)
    return record_create(record, actor=actor, agency_id=officer.agency_id)


# --- assignments --------------------------------------------------------------------


def _overlapping(queryset: Any, start: datetime.date, end: datetime.date | None) -> Any:
    """Rows whose [start_date, end_date] range meets [start, end] (open ends are unbounded)."""
    queryset = queryset.filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
    if end is not None:
        queryset = queryset.filter(start_date__lte=end)
    return queryset


def _check_assignment(assignment: Assignment) -> None:
    school, officer = assignment.school, assignment.officer
    partnership = Partnership.objects.filter(agency_id=officer.agency_id, district_id=school.district_id).first()
    if partnership is None:
        raise ValidationError({"school": NO_PARTNERSHIP})
    _check_within_partnership(assignment, partnership)
    others = Assignment.objects.filter(officer=officer).exclude(pk=assignment.pk)
    overlapping = _overlapping(others, assignment.start_date, assignment.end_date)
    if overlapping.filter(school=school).exists():
        raise ConflictError({"start_date": OVERLAPPING_ASSIGNMENT})
    shared = overlapping.aggregate(total=Sum("share_of_time"))["total"] or 0
    if shared + assignment.share_of_time > 100:
        raise ValidationError({"share_of_time": SHARE_OVER_100.format(total=shared + assignment.share_of_time)})


def _check_within_partnership(assignment: Assignment, partnership: Partnership) -> None:
    if assignment.start_date < partnership.start_date:
        raise ValidationError({"start_date": ASSIGNMENT_BEFORE_PARTNERSHIP.format(start=partnership.start_date)})
    end = partnership.end_date
    if end is None:
        return
    if assignment.start_date > end:
        raise ValidationError({"start_date": ASSIGNMENT_AFTER_PARTNERSHIP.format(end=end)})
    if assignment.end_date is None or assignment.end_date > end:
        raise ValidationError({"end_date": ASSIGNMENT_AFTER_PARTNERSHIP.format(end=end)})


def assignment_create(
    *,
    actor: Any,
    officer: Officer,
    school: School,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    share_of_time: int = 100,
) -> Assignment:
    assignment = Assignment(
        agency_id=officer.agency_id,
        officer=officer,
        school=school,
        start_date=start_date,
        end_date=end_date,
        share_of_time=share_of_time,
    )
    with transaction.atomic():
        # Lock the officer row so two concurrent assignments cannot both pass the overlap check.
        Officer.objects.select_for_update().filter(pk=officer.pk).first()
        validate_record(assignment)
        _check_assignment(assignment)
        return record_create(assignment, actor=actor, agency_id=officer.agency_id, district_id=school.district_id)


def assignment_end(*, actor: Any, assignment: Assignment, end_date: datetime.date) -> Assignment:
    if assignment.end_date is not None and assignment.end_date <= end_date:
        raise ValidationError({"end_date": ALREADY_ENDED})
    return record_update(
        assignment,
        actor=actor,
        changes={"end_date": end_date},
        agency_id=assignment.agency_id,
        district_id=assignment.school.district_id,
    )


def training_record_update(*, actor: Any, record: TrainingRecord, **changes: Any) -> TrainingRecord:
    return record_update(record, actor=actor, changes=changes, agency_id=record.agency_id)
