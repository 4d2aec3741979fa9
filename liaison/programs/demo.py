"""A school year of programs for the three demo agencies (liaison/directory/demo.py), loaded through
the programs and interactions services so every record is counted as real ones are.

Every agency gets a small catalogue of curricula; every assigned officer teaches a class every week
or two and meets the school's administration monthly (their everyday contacts come from the
interactions demo). Three officers mentor students. Ash Street Middle School has a five-week gap in
its officer's presence (`interactions.demo.demo_gaps`, visible on the presence heat map), and no
MOU check-in since. Dates follow the day the demo is
loaded: the current school year up to today, and a few weeks of scheduled sessions ahead.
"""

from __future__ import annotations

import datetime
import random
import zoneinfo
from typing import Any

from django.db import transaction
from django.utils import timezone

from liaison.directory import services as directory_services
from liaison.directory.demo_calendar import year_calendar
from liaison.directory.models import ENROLLMENT_FIELDS, Agency, Assignment, District, Enrollment, Officer, School
from liaison.directory.selectors import in_force_on
from liaison.interactions.demo import demo_gaps
from liaison.interactions.services import student_keys_enable
from liaison.interactions.vocabulary import Setting, StaffRole
from liaison.lib.school_years import school_year_of
from liaison.programs import selectors, services
from liaison.programs.models import SchoolCalendar
from liaison.programs.vocabulary import AttendeeRole, LiaisonMeetingKind, MeetingTopic, RelationshipStatus

GAP_SCHOOL = "Ash Street Middle School"
CURRICULA = (
    ("Internet safety", "online safety, privacy, cyberbullying", 3, 8, 4),
    ("Substance-use prevention", "vaping, alcohol, refusal skills", 5, 12, 6),
    ("Traffic and bike safety", "helmets, crosswalks, school bus", 0, 5, 2),
    ("Conflict resolution", "de-escalation, mediation, empathy", 4, 12, 5),
    ("Careers in public safety", "policing, fire, EMS, dispatch", 8, 12, 3),
)
MENTORS = (  # officer, student id, weeks ago started, status, weeks without a meeting at the end
    ("pcpd.ortega", "PC-100482", 11, RelationshipStatus.ACTIVE, 0),
    ("pcpd.ortega", "PC-100913", 10, RelationshipStatus.ACTIVE, 6),
    ("pcpd.kim", "HR-55120", 12, RelationshipStatus.ACTIVE, 1),
    ("kfpd.fisk", "KF-2231", 12, RelationshipStatus.PAUSED, 4),
)
CO_CONTACTS = (
    ("Ms. Alvarez", StaffRole.COUNSELOR),
    ("Mr. Boyd", StaffRole.TEACHER),
    ("Dr. Chen", StaffRole.ADMINISTRATOR),
)


def d(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, day)


def _demo_year(today: datetime.date) -> int:
    """The current school year, or last year's while the new one has barely begun."""
    start = int(school_year_of(today)[:4])
    first, _, _ = year_calendar(start)
    return start if today >= first + datetime.timedelta(days=21) else start - 1


def programs_demo_load(*, actor: Any, today: datetime.date | None = None) -> None:
    """Load the programs demo onto the demo agencies, all or nothing."""
    today = today or timezone.localdate()
    start_year = _demo_year(today)
    rng = random.Random("liaison-programs-demo")
    with transaction.atomic():
        calendars = _calendars(actor, start_year)
        for agency in Agency.objects.order_by("name"):
            catalogue = _catalogue(actor, agency)
            for officer in Officer.objects.filter(agency=agency, status=Officer.Status.ACTIVE).select_related(
                "user", "agency"
            ):
                _officer_year(actor, officer, catalogue, calendars, today, rng)
        _mentoring(actor, calendars, today, rng)


def _calendars(actor: Any, start_year: int) -> dict[int, SchoolCalendar]:
    school_year = f"{start_year}-{start_year + 1}"
    first, last, breaks = year_calendar(start_year)
    found = {}
    for district in District.objects.all():
        found[district.pk] = services.school_calendar_set(
            actor=actor, district=district, school_year=school_year, first_day=first, last_day=last, breaks=breaks
        )
        student_keys_enable(actor=actor, district=district)
        _enrollment_for(actor, district, school_year)
    return found


def _enrollment_for(actor: Any, district: District, school_year: str) -> None:
    """This year's counts, carried over from the latest year on file where the district has none yet."""
    for school in School.objects.filter(district=district):
        if Enrollment.objects.filter(school=school, school_year=school_year).exists():
            continue
        latest = Enrollment.objects.filter(school=school).order_by("-school_year").first()
        if latest is None:
            continue
        counts = {name: getattr(latest, name) for name in ENROLLMENT_FIELDS}
        directory_services.enrollment_set(
            actor=actor, school=school, school_year=school_year, total=latest.total, **counts
        )


def _catalogue(actor: Any, agency: Agency) -> list[Any]:
    return [
        services.curriculum_create(
            actor=actor,
            agency=agency,
            title=title,
            topics=topics,
            lowest_grade=low,
            highest_grade=high,
            lesson_count=lessons,
            objectives=f"Students can explain the main ideas of {title.lower()} and where to get help.",
        )
        for title, topics, low, high, lessons in CURRICULA
    ]


def _at(day: datetime.date, hour: int, minute: int, agency: Agency) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(agency.time_zone))


def _fits(curriculum: Any, school: School) -> bool:
    return curriculum.lowest_grade <= school.highest_grade and curriculum.highest_grade >= school.lowest_grade


def _officer_year(
    actor: Any,
    officer: Officer,
    catalogue: list[Any],
    calendars: dict[int, SchoolCalendar],
    today: datetime.date,
    rng: random.Random,
) -> None:
    assignments = Assignment.objects.filter(in_force_on(today), officer=officer).select_related("school")
    for assignment in assignments:
        school = assignment.school
        calendar = calendars[school.district_id]
        days = selectors.school_days(calendar)
        gap = _gap(school, days, today)
        courses = [c for c in catalogue if _fits(c, school)] or catalogue
        _school_sessions(actor, officer, school, days, gap, today, courses, rng)
        _school_check_ins(actor, officer, school, days, today, rng, skip_recent=school.name == GAP_SCHOOL)


def _gap(school: School, days: list[datetime.date], today: datetime.date) -> set[datetime.date]:
    """The days the officer was away from the school (the interactions demo logs no contact there)."""
    away = demo_gaps(today).get(school.nces_id)
    return {day for day in days if away[0] <= day <= away[1]} if away else set()


def _school_sessions(
    actor: Any,
    officer: Officer,
    school: School,
    days: list[datetime.date],
    gap: set[datetime.date],
    today: datetime.date,
    courses: list[Any],
    rng: random.Random,
) -> None:
    """A class every week or two, delivered up to today, scheduled four weeks ahead; one in ten cancelled."""
    horizon = today + datetime.timedelta(weeks=4)
    weeks = sorted({selectors.monday(day) for day in days if day <= horizon})
    lesson: dict[int, int] = {}
    for week in weeks:
        if rng.random() < 0.4:
            continue
        week_days = [day for day in days if selectors.monday(day) == week and day not in gap]
        if not week_days:
            continue
        course = rng.choice(courses)
        lesson[course.pk] = lesson.get(course.pk, 0) % course.lesson_count + 1
        grade = (
            rng.randint(max(course.lowest_grade, school.lowest_grade), min(course.highest_grade, school.highest_grade))
            if _fits(course, school)
            else None
        )
        day = rng.choice(week_days)
        session = services.session_schedule(
            actor=actor,
            officer=officer,
            school=school,
            curriculum=course,
            starts_at=_at(day, rng.choice((9, 10, 13)), 0, officer.agency),
            lesson_number=lesson[course.pk],
            planned_minutes=45,
            class_name=f"Grade {grade if grade is not None and grade > 0 else 'K'}, room {rng.randint(101, 240)}",
            grade=grade,
            co_teacher_role=StaffRole.TEACHER,
            expected_students=rng.randint(18, 28),
        )
        if day >= today:
            continue
        if rng.random() < 0.1:
            services.session_cancel(actor=actor, session=session, reason="School assembly moved into the slot")
            continue
        services.session_deliver(
            actor=actor,
            session=session,
            attendance=session.expected_students - rng.randint(0, 3),
            delivered_minutes=rng.choice((40, 45, 50)),
            reflection=rng.choice(("Lots of questions.", "Ran short on time for the activity.", "")),
        )
        if rng.random() < 0.5:
            services.feedback_submit(
                session=session, rating=rng.choice((3, 4, 4, 5, 5)), comment="Thank you for coming."
            )


def _school_check_ins(
    actor: Any,
    officer: Officer,
    school: School,
    days: list[datetime.date],
    today: datetime.date,
    rng: random.Random,
    skip_recent: bool,
) -> None:
    """A monthly MOU check-in with the principal; the gap school has had none for over 60 days."""
    months = sorted({(day.year, day.month) for day in days if day <= today + datetime.timedelta(days=20)})
    for year, month in months:
        candidates = [day for day in days if (day.year, day.month) == (year, month) and day.day >= 8]
        if not candidates:
            continue
        day = candidates[0]
        if skip_recent and (today - day).days < 75:
            continue
        meeting = services.liaison_meeting_schedule(
            actor=actor,
            agency=officer.agency,
            school=school,
            officer=officer,
            kind=LiaisonMeetingKind.MOU_CHECK_IN,
            starts_at=_at(day, 15, 0, officer.agency),
        )
        if day < today:
            services.liaison_meeting_held(
                actor=actor,
                meeting=meeting,
                attendee_roles=[
                    AttendeeRole.OFFICER,
                    AttendeeRole.PRINCIPAL,
                    rng.choice((AttendeeRole.COUNSELOR, AttendeeRole.SUPERVISOR)),
                ],
                notes="Reviewed the month's contacts and any referrals against the MOU.",
            )
    if school.level in {School.Level.HIGH, School.Level.MIDDLE} and days:
        event_day = min((day for day in days if day > today), default=days[-1])
        services.liaison_meeting_schedule(
            actor=actor,
            agency=officer.agency,
            school=school,
            officer=officer,
            kind=LiaisonMeetingKind.FAMILY_EVENT,
            starts_at=_at(event_day, 18, 30, officer.agency),
            attendee_roles=[AttendeeRole.OFFICER, AttendeeRole.PARENT, AttendeeRole.STUDENT],
        )


def _mentoring(actor: Any, calendars: dict[int, SchoolCalendar], today: datetime.date, rng: random.Random) -> None:
    for n, (username, student_id, weeks_ago, status, quiet_weeks) in enumerate(MENTORS):
        officer = Officer.objects.select_related("user", "agency").get(user__username=username)
        school = Assignment.objects.filter(in_force_on(today), officer=officer).select_related("school").first().school  # type: ignore[union-attr]
        started = today - datetime.timedelta(weeks=weeks_ago)
        name, role = CO_CONTACTS[n % len(CO_CONTACTS)]
        relationship = services.relationship_start(
            actor=actor,
            officer=officer,
            school=school,
            student_id=student_id,
            started_on=started,
            consent_on=started - datetime.timedelta(days=3),
            goals="Attendance, a plan for next year, and someone to check in with.",
            co_contact_name=name,
            co_contact_role=role,
            school_consent_by="Principal",
            guardian_consent_method=rng.choice(("written", "in_person")),
        )
        days = [
            day
            for day in selectors.school_days(calendars[school.district_id])
            if started < day < today - datetime.timedelta(weeks=quiet_weeks)
        ]
        for day in days[:: rng.choice((7, 9, 10))]:
            services.meeting_record(
                actor=actor,
                relationship=relationship,
                met_at=_at(day, 12, 15, officer.agency),
                duration_minutes=rng.choice((15, 20, 30)),
                setting=Setting.OFFICE,
                topic=rng.choice(MeetingTopic.values),
            )
        if status != RelationshipStatus.ACTIVE:
            services.relationship_status_set(
                actor=actor,
                relationship=relationship,
                status=status,
                reason="Student is on an extended absence.",
            )
