"""A school year of activity for the demo programs, entered through the same doors as real records.

The everyday contacts of each agency arrive as one CSV file through the contacts import (as a
program moving from another logging app would bring its history); the enforcement actions are
recorded one at a time through `interaction_record`, as an officer would on the form, so each is
evaluated against the MOU in force and the flagged ones carry the officer's justification and open
a review. Reviews then get comments and findings from the supervisor and the school's administrator.

Everything comes from one seeded generator and the demo's `today`: the same day gives the same
records. The year ends on `today`, so the officer's home page shows this week's work.
"""

from __future__ import annotations

import csv
import datetime
import math
import random
import tempfile
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from liaison.accounts.models import Membership, User
from liaison.accounts.roles import Role as UserRole
from liaison.directory.demo_calendar import demo_school_days
from liaison.directory.models import Agency, Assignment, Enrollment, Officer, School

from .imports import interaction_import_run
from .models import Interaction
from .services import interaction_change, interaction_record, interaction_void
from .vocabulary import (
    ActionType,
    DemographicsSource,
    Disability,
    GradeBand,
    Initiator,
    Kind,
    NibrsOffense,
    RaceEthnicity,
    ReasonCategory,
    RequestedBy,
    Service,
    Setting,
    Sex,
    StaffRole,
    YesNoUnknown,
)

SEED = "liaison-demo-activity"
YEAR_DAYS = 364

# --- who works where, and how busy a day is --------------------------------------------------------------

# Contacts a full-time officer logs on an ordinary day, and enforcement actions per school day.
CONTACTS_PER_DAY: dict[str, float] = {School.Level.ELEMENTARY: 6.0, School.Level.MIDDLE: 7.5, School.Level.HIGH: 9.0}
# Positive contacts rise across the year at one school and fall at another, so that the outcomes
# view's contacts-and-trust comparison has one of each (the surveys demo moves their trust the same way).
TRENDS: dict[str, float] = {"Fulton Middle School": 1.0, "Harmon Ridge Middle School": -1.0}
ENFORCEMENT_PER_DAY: dict[str, float] = {
    School.Level.ELEMENTARY: 0.004,
    School.Level.MIDDLE: 0.022,
    School.Level.HIGH: 0.045,
}
ABSENT = 0.06  # training, court, covering patrol
GRADE_BANDS: dict[str, tuple[str, ...]] = {
    School.Level.ELEMENTARY: (GradeBand.PRIMARY, GradeBand.INTERMEDIATE),
    School.Level.MIDDLE: (GradeBand.MIDDLE,),
    School.Level.HIGH: (GradeBand.HIGH,),
}

# Two schools go without their officer for weeks (the presence figures should show it): a rural
# elementary school for six weeks from February (the deputy covered patrol shifts), and a city middle
# school for the five weeks ending two weeks before today (the officer was on leave).
WEXLEY_ELEMENTARY = "299930300010"
ASH_STREET_MIDDLE = "399920100060"


@dataclass(frozen=True)
class Post:
    """An officer's assignment at a school, as the generator needs it."""

    officer: Officer
    school: School
    share: int
    start: datetime.date
    end: datetime.date | None

    def on(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    @property
    def officer_id(self) -> int:
        return self.officer.pk

    @property
    def level(self) -> str:
        return self.school.level if self.school.level in CONTACTS_PER_DAY else School.Level.HIGH


def _posts(agency: Agency) -> list[Post]:
    assignments = (
        Assignment.objects.filter(officer__agency=agency)
        .select_related("officer__user", "school")
        .order_by("officer__badge_number", "school__nces_id", "start_date")
    )
    return [Post(a.officer, a.school, a.share_of_time, a.start_date, a.end_date) for a in assignments]


def _count(rng: random.Random, mean: float) -> int:
    """A whole number of events around `mean` (normal approximation of a Poisson count)."""
    return max(0, round(rng.gauss(mean, math.sqrt(mean)))) if mean > 0 else 0


def demo_gaps(today: datetime.date) -> dict[str, tuple[datetime.date, datetime.date]]:
    """The demo's absences by school NCES id: (first day, last day) with no officer there."""
    february = _first_monday(datetime.date(today.year if today.month >= 3 else today.year - 1, 2, 1))
    recent_end = today - datetime.timedelta(days=14)
    return {
        WEXLEY_ELEMENTARY: (february, february + datetime.timedelta(weeks=6, days=-1)),
        ASH_STREET_MIDDLE: (recent_end - datetime.timedelta(weeks=5, days=-1), recent_end),
    }


def _first_monday(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


def _instruction_weeks(rng: random.Random, days: list[datetime.date]) -> set[datetime.date]:
    """Mondays of the weeks a school has the officer teach: the start of the year, October (internet
    safety, then Red Ribbon Week), a winter week and a spring week."""
    mondays = sorted({day - datetime.timedelta(days=day.weekday()) for day in days})
    chosen: set[datetime.date] = set()
    for months, count in (((8, 9), 1), ((10,), 2), ((1, 2), 1), ((4, 5), 1)):
        candidates = [monday for monday in mondays if monday.month in months]
        chosen.update(rng.sample(candidates, min(count, len(candidates))))
    return chosen


# --- everyday contacts, as one CSV file per agency --------------------------------------------------------

KIND_WEIGHTS: dict[str, int] = {
    Kind.POSITIVE: 64,
    Kind.STAFF: 11,
    Kind.SAFETY: 8,
    Kind.MENTORING: 7,
    Kind.FAMILY: 5,
    Kind.REFERRAL: 3,
    Kind.INSTRUCTION: 2,
}
SETTINGS: dict[str, tuple[str, ...]] = {
    Kind.POSITIVE: (Setting.HALLWAY, Setting.CAFETERIA, Setting.ATHLETIC_FIELD, Setting.BUS_STOP, Setting.GYM,
                    Setting.LIBRARY, Setting.PARKING_LOT, Setting.CLASSROOM),
    Kind.INSTRUCTION: (Setting.CLASSROOM, Setting.CLASSROOM, Setting.CLASSROOM, Setting.AUDITORIUM),
    Kind.MENTORING: (Setting.OFFICE, Setting.LIBRARY, Setting.CAFETERIA),
    Kind.FAMILY: (Setting.OFFICE, Setting.OFF_CAMPUS, Setting.ONLINE, Setting.PARKING_LOT),
    Kind.STAFF: (Setting.OFFICE, Setting.OFFICE, Setting.CLASSROOM, Setting.HALLWAY),
    Kind.SAFETY: (Setting.PARKING_LOT, Setting.BUS_STOP, Setting.WALKING, Setting.ATHLETIC_FIELD, Setting.HALLWAY,
                  Setting.OFF_CAMPUS_ACTIVITY),
    Kind.REFERRAL: (Setting.OFFICE,),
}  # fmt: skip
MINUTES: dict[str, tuple[int, int]] = {
    Kind.POSITIVE: (2, 10),
    Kind.INSTRUCTION: (40, 55),
    Kind.MENTORING: (15, 40),
    Kind.FAMILY: (10, 30),
    Kind.STAFF: (5, 20),
    Kind.SAFETY: (10, 60),
    Kind.REFERRAL: (15, 30),
}
INITIATORS: dict[str, tuple[str, ...]] = {
    Kind.POSITIVE: (Initiator.OFFICER, Initiator.OFFICER, Initiator.STUDENT),
    Kind.INSTRUCTION: (Initiator.STAFF,),
    Kind.MENTORING: (Initiator.STUDENT, Initiator.STAFF, Initiator.OFFICER),
    Kind.FAMILY: (Initiator.PARENT, Initiator.OFFICER, Initiator.STAFF),
    Kind.STAFF: (Initiator.STAFF, Initiator.OFFICER),
    Kind.SAFETY: (Initiator.OFFICER, Initiator.STAFF),
    Kind.REFERRAL: (Initiator.OFFICER, Initiator.STAFF),
}
# Notes an officer might write: short, and never a name, a number or a date.
NOTES: dict[str, tuple[str, ...]] = {
    Kind.POSITIVE: ("Talked about the weekend game at lunch.", "Helped open a stuck locker.",
                    "Shot hoops with a group at recess.", "Checked in with a new student about the first week."),
    Kind.INSTRUCTION: ("Internet safety lesson, good questions about sharing photos.",
                       "Bike and traffic safety talk.", "Careers in public safety, a lot of interest."),
    Kind.MENTORING: ("Weekly check-in about attendance goals.", "Talked through a conflict with friends."),
    Kind.FAMILY: ("Grandparent asked about pick-up traffic.", "Parent asked how to report online bullying."),
    Kind.STAFF: ("Planned the lockdown drill with the assistant principal.", "Counselor asked about a referral."),
    Kind.SAFETY: ("Traffic at dismissal.", "Fire drill.", "Walked the perimeter before the football game."),
    Kind.REFERRAL: ("Connected the family with the food pantry.", "Referred to the school counselor."),
}  # fmt: skip
CSV_COLUMNS = (
    "badge_number", "school_nces_id", "kind", "occurred_at", "duration_minutes", "student_count", "grade_band",
    "setting", "initiated_by", "note", "staff_role", "service", "instead_of_enforcement",
)  # fmt: skip


class _Agenda:
    """The agency's everyday contacts, day by day, as CSV rows."""

    def __init__(
        self, agency: Agency, posts: list[Post], days: list[datetime.date], today: datetime.date, now: datetime.datetime
    ) -> None:
        self.agency = agency
        self.posts = posts
        self.days = days
        self.now_local = now.astimezone(zoneinfo.ZoneInfo(agency.time_zone)).replace(tzinfo=None)
        self.rng = random.Random(f"{SEED}:contacts:{agency.ori}")
        self.gaps = demo_gaps(today)
        self.teaching = {
            post.school.pk: _instruction_weeks(random.Random(f"{SEED}:teaching:{post.school.nces_id}"), days)
            for post in posts
        }

    def rows(self) -> Iterator[tuple[Any, ...]]:
        for day in self.days:
            absent = {post.officer_id for post in self.posts if self.rng.random() < ABSENT}
            for post in self.posts:
                if post.on(day) and post.officer_id not in absent and not self._in_gap(post, day):
                    yield from self._day(post, day)

    def _in_gap(self, post: Post, day: datetime.date) -> bool:
        away = self.gaps.get(post.school.nces_id)
        return away is not None and away[0] <= day <= away[1]

    def _trend(self, post: Post, day: datetime.date) -> float:
        """1 at most schools; at the TRENDS schools, rising or falling steadily across the year."""
        slope = TRENDS.get(post.school.name, 0.0)
        if not slope or len(self.days) < 2:
            return 1.0
        progress = (day - self.days[0]).days / max((self.days[-1] - self.days[0]).days, 1)
        return 1.0 + slope * (progress - 0.5)

    def _day(self, post: Post, day: datetime.date) -> Iterator[tuple[Any, ...]]:
        mean = CONTACTS_PER_DAY[post.level] * post.share / 100 * self._trend(post, day)
        kinds = self.rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()), k=_count(self.rng, mean))
        if day - datetime.timedelta(days=day.weekday()) in self.teaching[post.school.pk]:
            kinds += [Kind.INSTRUCTION] * _count(self.rng, 2.0 * post.share / 100 + 0.5)
        for kind in kinds:
            moment = datetime.datetime.combine(day, datetime.time(7, 20)) + datetime.timedelta(
                minutes=self.rng.randrange(8 * 60 + 20)
            )
            if moment < self.now_local:
                yield self._row(post, kind, moment)

    def _row(self, post: Post, kind: str, moment: datetime.datetime) -> tuple[Any, ...]:
        rng = self.rng
        low, high = MINUTES[kind]
        return (
            post.officer.badge_number,
            post.school.nces_id,
            kind,
            moment.strftime("%Y-%m-%d %H:%M"),
            rng.randint(low, high) if kind == Kind.INSTRUCTION or rng.random() < 0.7 else "",
            self._students(kind),
            rng.choice(GRADE_BANDS.get(post.school.level, (GradeBand.MIXED,))) if rng.random() < 0.8 else "",
            rng.choice(SETTINGS[kind]),
            rng.choice(INITIATORS[kind]),
            rng.choice(NOTES[kind]) if rng.random() < 0.08 else "",
            rng.choice(list(StaffRole.values)) if kind == Kind.STAFF else "",
            rng.choice(list(Service.values)) if kind == Kind.REFERRAL else "",
            ("true" if rng.random() < 0.3 else "false") if kind == Kind.REFERRAL else "",
        )

    def _students(self, kind: str) -> int | str:
        if kind == Kind.INSTRUCTION:
            return self.rng.randint(18, 32) if self.rng.random() < 0.85 else self.rng.randint(120, 400)
        if kind in (Kind.MENTORING, Kind.REFERRAL):
            return 1
        if kind == Kind.POSITIVE and self.rng.random() < 0.75:
            return self.rng.choice((1, 1, 1, 2, 2, 3, 4, 6))
        return ""


def _contacts_import(agency: Agency, agenda: _Agenda) -> int:
    """Write the agenda to a CSV file and import it; returns how many contacts were added."""
    with tempfile.TemporaryDirectory(prefix="liaison-demo-") as folder:
        path = Path(folder) / "demo-contacts.csv"
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(CSV_COLUMNS)
            writer.writerows(agenda.rows())
        outcome = interaction_import_run(path=path, agency=agency, actor=None, source_name="demo-contacts.csv")
    if not outcome.succeeded:
        raise RuntimeError(f"The demo contacts of {agency.name} did not import: {outcome.errors[:5]}")
    return int(outcome.summary["added"])


# --- enforcement actions, one at a time through the form's service -------------------------------------


@dataclass(frozen=True)
class Scenario:
    category: str
    action: str
    requested_by: str
    consulted: bool
    nibrs: str = ""
    weight: int = 1
    justification: str = ""  # what the officer writes when the action falls outside the MOU
    setting: str = Setting.HALLWAY


SCENARIOS = (
    # Within the default MOU.
    Scenario(ReasonCategory.DRUG_DISTRIBUTION, ActionType.REFERRAL_TO_LAW_ENFORCEMENT, RequestedBy.ADMINISTRATOR,
             True, NibrsOffense.DRUG_NARCOTIC, 4, setting=Setting.OFFICE),
    Scenario(ReasonCategory.DRUG_DISTRIBUTION, ActionType.ARREST, RequestedBy.ADMINISTRATOR, True,
             NibrsOffense.DRUG_NARCOTIC, 2, setting=Setting.OFFICE),
    Scenario(ReasonCategory.ASSAULT_WITH_INJURY, ActionType.COURT_REFERRAL, RequestedBy.ADMINISTRATOR, True,
             NibrsOffense.SIMPLE_ASSAULT, 3),
    Scenario(ReasonCategory.ASSAULT_WITH_INJURY, ActionType.ARREST, RequestedBy.ADMINISTRATOR, True,
             NibrsOffense.AGGRAVATED_ASSAULT, 1, setting=Setting.ATHLETIC_FIELD),
    Scenario(ReasonCategory.THREAT_OF_VIOLENCE, ActionType.REFERRAL_TO_LAW_ENFORCEMENT, RequestedBy.ADMINISTRATOR,
             True, NibrsOffense.INTIMIDATION, 3, setting=Setting.ONLINE),
    Scenario(ReasonCategory.SIGNIFICANT_THEFT, ActionType.CRIMINAL_CITATION, RequestedBy.ADMINISTRATOR, True,
             NibrsOffense.THEFT_FROM_BUILDING, 2, setting=Setting.GYM),
    Scenario(ReasonCategory.SIGNIFICANT_VANDALISM, ActionType.CRIMINAL_CITATION, RequestedBy.ADMINISTRATOR, True,
             NibrsOffense.VANDALISM, 1, setting=Setting.RESTROOM),
    Scenario(ReasonCategory.WEAPON, ActionType.SEARCH, RequestedBy.STUDENT, False, NibrsOffense.WEAPON_LAW, 1),
    Scenario(ReasonCategory.FIGHT_NO_INJURY, ActionType.PHYSICAL_RESTRAINT, RequestedBy.ADMINISTRATOR, True,
             weight=3, setting=Setting.CAFETERIA),
    Scenario(ReasonCategory.STUDENT_IN_CRISIS, ActionType.PHYSICAL_RESTRAINT, RequestedBy.ADMINISTRATOR, True,
             weight=1, setting=Setting.CLASSROOM),
    Scenario(ReasonCategory.ADULT_OFFENSE, ActionType.WARNING, RequestedBy.SELF_INITIATED, False,
             NibrsOffense.TRESPASS, 1, setting=Setting.PARKING_LOT),
    # Outside the default MOU: the officer writes why.
    Scenario(ReasonCategory.TOBACCO_VAPING, ActionType.NONCRIMINAL_CITATION, RequestedBy.ADMINISTRATOR, True,
             weight=2, setting=Setting.RESTROOM,
             justification="The assistant principal asked me to cite under the city vaping ordinance after a "
                           "third offense this semester."),
    Scenario(ReasonCategory.CLASSROOM_DISRUPTION, ActionType.REFERRAL_TO_LAW_ENFORCEMENT, RequestedBy.TEACHER,
             False, NibrsOffense.DISORDERLY_CONDUCT, 1, setting=Setting.CLASSROOM,
             justification="The student refused to leave the classroom and threw a chair; no administrator "
                           "was free, so I referred it as disorderly conduct."),
    Scenario(ReasonCategory.FIGHT_NO_INJURY, ActionType.ARREST, RequestedBy.SELF_INITIATED, False,
             NibrsOffense.SIMPLE_ASSAULT, 1, setting=Setting.PARKING_LOT,
             justification="Second fight between the same students this week, in the parking lot after "
                           "dismissal; I arrested to stop it starting again."),
    Scenario(ReasonCategory.DRUG_DISTRIBUTION, ActionType.ARREST, RequestedBy.SELF_INITIATED, False,
             NibrsOffense.DRUG_NARCOTIC, 1, setting=Setting.PARKING_LOT,
             justification="I saw a sale in the parking lot at an evening game; no administrator was on site."),
    Scenario(ReasonCategory.DEVICE_USE, ActionType.SEARCH, RequestedBy.ADMINISTRATOR, True, weight=1,
             setting=Setting.OFFICE,
             justification="The principal asked me to search a phone for a video of a fight that had been "
                           "shared around the school."),
)  # fmt: skip
NO_MOU_JUSTIFICATION = (
    "No MOU with this district was in force yet; I followed the agency's general orders on school calls."
)
RACES: list[str] = [race for race in RaceEthnicity.values if race != RaceEthnicity.UNKNOWN]
# Who bears enforcement is not proportional to enrollment in most programs; the demo shows it so the
# equity figures have something to find.
RACE_WEIGHT: dict[str, float] = {
    RaceEthnicity.BLACK: 1.8,
    RaceEthnicity.HISPANIC_LATINO: 1.2,
    RaceEthnicity.TWO_OR_MORE: 1.1,
}


def _student(rng: random.Random, school: School, enrollment: Enrollment | None) -> dict[str, str]:
    """A plausible student: grade from the school's range, race/ethnicity in proportion to its enrollment."""
    grade = rng.randint(max(school.lowest_grade, 0), school.highest_grade)
    race: str = RaceEthnicity.UNKNOWN
    if enrollment is not None and rng.random() > 0.05:
        weights = [(getattr(enrollment, race) or 0) * RACE_WEIGHT.get(race, 1.0) for race in RACES]
        race = rng.choices(RACES, weights=weights)[0] if sum(weights) else RaceEthnicity.UNKNOWN
    learner_share = (enrollment.english_learner or 0) / enrollment.total if enrollment and enrollment.total else 0
    return {
        "student_grade": "KG" if grade == 0 else f"{grade:02d}",
        "race_ethnicity": race,
        "sex": rng.choices([Sex.MALE, Sex.FEMALE, Sex.UNKNOWN], weights=[68, 30, 2])[0],
        "disability": rng.choices(list(Disability.values), weights=[20, 6, 62, 12])[0],
        "english_learner": YesNoUnknown.YES
        if rng.random() < learner_share
        else rng.choice([YesNoUnknown.NO] * 9 + [YesNoUnknown.UNKNOWN]),
        "demographics_source": rng.choices(list(DemographicsSource.values), weights=[25, 75])[0],
    }


def _enforcement_record(
    post: Post,
    day: datetime.date,
    scenario: Scenario,
    rng: random.Random,
    enrollment: Enrollment | None,
    zone: zoneinfo.ZoneInfo,
) -> bool:
    """Record one action as the officer would on the form; False when its moment is still to come."""
    moment = datetime.datetime.combine(day, datetime.time(8), tzinfo=zone) + datetime.timedelta(
        minutes=rng.randrange(7 * 60)
    )
    if moment >= timezone.now():
        return False
    consulted_role = StaffRole.ADMINISTRATOR if scenario.consulted else ""
    details = {
        "action_type": scenario.action,
        "reason_category": scenario.category,
        "nibrs_code": scenario.nibrs,
        "requested_by": scenario.requested_by,
        "admin_consulted": scenario.consulted,
        "admin_consulted_role": consulted_role,
        "rms_report_number": f"{day:%y}-{rng.randrange(10_000, 99_999)}" if scenario.nibrs else "",
        **_student(rng, post.school, enrollment),
    }
    interaction_record(
        actor=post.officer.user,
        officer=post.officer,
        school=post.school,
        kind=Kind.ENFORCEMENT,
        occurred_at=moment,
        enforcement=details,
        # Read only when the action falls outside the MOU (or none is in force).
        justification=scenario.justification or NO_MOU_JUSTIFICATION,
        duration_minutes=rng.randint(20, 90),
        setting=scenario.setting,
        initiated_by=Initiator.STAFF if scenario.requested_by != RequestedBy.SELF_INITIATED else Initiator.OFFICER,
    )
    return True


# Actions the demo always has, whatever the random draws: (school NCES id, school day of the year, scenario).
# Blue Mound's MOU was signed only in January, so this one had no MOU in force.
NOTABLE = (
    ("299930400010", 6, Scenario(ReasonCategory.STUDENT_IN_CRISIS, ActionType.PHYSICAL_RESTRAINT,
                                 RequestedBy.ADMINISTRATOR, True, setting=Setting.CLASSROOM)),
)  # fmt: skip


def _enforcement_load(agency: Agency, posts: list[Post], days: list[datetime.date]) -> int:
    rng = random.Random(f"{SEED}:enforcement:{agency.ori}")
    zone = zoneinfo.ZoneInfo(agency.time_zone)
    enrollments = {e.school_id: e for e in Enrollment.objects.filter(school__in=[p.school for p in posts])}
    recorded = 0
    for day in days:
        for post in posts:
            rate = ENFORCEMENT_PER_DAY[post.level] * post.share / 100
            if post.on(day) and rng.random() < rate:
                scenario = rng.choices(SCENARIOS, weights=[s.weight for s in SCENARIOS])[0]
                recorded += _enforcement_record(post, day, scenario, rng, enrollments.get(post.school.pk), zone)
    for nces_id, day_number, scenario in NOTABLE:
        day = days[day_number]
        found = next((p for p in posts if p.school.nces_id == nces_id and p.on(day)), None)
        if found is not None:
            recorded += _enforcement_record(found, day, scenario, rng, enrollments.get(found.school.pk), zone)
    return recorded


def _member(role: str, **scope: Any) -> User | None:
    membership = Membership.objects.filter(role=role, **scope).select_related("user").order_by("pk").first()
    return membership.user if membership else None


# --- records changed over time ------------------------------------------------------------------------


def _corrections(today: datetime.date) -> None:
    """A record voided as a double entry and one amended by a supervisor: nothing disappears."""
    old = Q(occurred_on__lte=today - datetime.timedelta(days=14), source=Interaction.Source.IMPORT)
    for kind, change in ((Kind.POSITIVE, None), (Kind.INSTRUCTION, {"duration_minutes": 50})):
        found = Interaction.objects.filter(old, kind=kind).select_related("officer__user")
        record = found.order_by("-occurred_at").first()
        if record is None:
            continue
        if change is None:
            interaction_void(actor=record.officer.user, interaction=record, reason="Entered twice by mistake.")
        else:
            supervisor = _member(UserRole.SUPERVISOR, agency_id=record.agency_id)
            interaction_change(
                actor=supervisor, interaction=record, changes=change, reason="Class periods here are fifty minutes."
            )


# --- loading ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoActivity:
    contacts: int
    enforcement: int


def interactions_demo_load(*, today: datetime.date) -> DemoActivity:
    """A year of contacts and enforcement actions ending on `today`, all or nothing.

    Load the MOUs first: each enforcement action is evaluated against the MOU in force on its day."""
    days = demo_school_days(today - datetime.timedelta(days=YEAR_DAYS), today)
    contacts = enforcement = 0
    with transaction.atomic():
        for agency in Agency.objects.order_by("ori"):
            posts = _posts(agency)
            contacts += _contacts_import(agency, _Agenda(agency, posts, days, today, timezone.now()))
            enforcement += _enforcement_load(agency, posts, days)
        _corrections(today)
    return DemoActivity(contacts=contacts, enforcement=enforcement)
