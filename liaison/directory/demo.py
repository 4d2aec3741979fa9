"""Three fictional SRO programs for demos, loaded only through the directory's services.

Every name, code and person here is invented; the shapes are real: a town department with an
officer at each of its three schools, a city division covering two districts with officers
split across schools, and a county sheriff's office whose two deputies cover four rural districts.
Enrollment counts come from a seeded generator, so every load gives the same numbers.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from liaison.accounts.models import User
from liaison.accounts.roles import Role
from liaison.accounts.services import membership_grant, user_create

from . import services
from .models import Agency, District, Officer, School, TrainingCourse

DEMO_PASSWORD = "liaison-demo-2025"  # shared by every demo login; the demo is for DEBUG servers only
ADMIN_USERNAME = "admin"
SCHOOL_YEARS = ("2024-2025", "2025-2026")  # the first is last year's count
RACE_FIELDS = (
    "hispanic_latino",
    "american_indian_alaska_native",
    "asian",
    "native_hawaiian_pacific_islander",
    "black",
    "white",
    "two_or_more_races",
)
SEX_FIELDS = ("male", "female", "nonbinary")
PLATFORM_ADMIN_LABEL = "Platform admin (superuser)"

d = datetime.date


# --- the shape of a program ---------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """Who the schools of a place enrol: race/ethnicity shares and the English-learner rate."""

    race: dict[str, float]
    english_learner: float


@dataclass(frozen=True)
class SchoolPlan:
    key: str
    name: str
    nces_suffix: str  # five digits after the district's NCES id
    level: str
    grades: tuple[int, int]
    enrollment: int  # 2025-2026
    street: str


@dataclass(frozen=True)
class DistrictPlan:
    key: str
    name: str
    nces_id: str
    town: str
    profile: Profile
    partner_since: datetime.date
    schools: tuple[SchoolPlan, ...]


@dataclass(frozen=True)
class Course:
    course: str
    hours: int
    completed_on: datetime.date
    title: str = ""
    provider: str = ""


@dataclass(frozen=True)
class OfficerPlan:
    username: str
    first_name: str
    last_name: str
    badge_number: str
    rank: str
    started: datetime.date
    posts: tuple[tuple[str, int], ...]  # (school key, percent of time)
    training: tuple[Course, ...] = ()
    languages: tuple[str, ...] = ("en",)
    left_on: datetime.date | None = None  # the day the officer left the program


@dataclass(frozen=True)
class PersonPlan:
    """A login that is not an officer. `where` is a district or school key; empty means the agency."""

    username: str
    first_name: str
    last_name: str
    role: Role
    where: str = ""


@dataclass(frozen=True)
class ProgramPlan:
    agency_name: str
    kind: str
    state: str
    ori: str
    time_zone: str
    districts: tuple[DistrictPlan, ...]
    officers: tuple[OfficerPlan, ...]
    people: tuple[PersonPlan, ...] = field(default=())


def basic_sro(completed_on: datetime.date) -> Course:
    return Course(TrainingCourse.BASIC_SRO, 40, completed_on, "Basic School Resource Officer Course", "NASRO")


def advanced_sro(completed_on: datetime.date) -> Course:
    return Course(TrainingCourse.ADVANCED_SRO, 24, completed_on, "Advanced School Resource Officer Course", "NASRO")


def cit(completed_on: datetime.date) -> Course:
    """The 40-hour Crisis Intervention Team course."""
    return course(TrainingCourse.CRISIS_INTERVENTION, 40, completed_on, "Crisis Intervention Team")


def course(kind: str, hours: int, completed_on: datetime.date, title: str) -> Course:
    return Course(kind, hours, completed_on, title, "State police training academy")


# --- the places ---------------------------------------------------------------------------

SMALL_TOWN = Profile(
    race={
        "white": 0.86,
        "hispanic_latino": 0.045,
        "two_or_more_races": 0.045,
        "asian": 0.03,
        "black": 0.015,
        "american_indian_alaska_native": 0.003,
        "native_hawaiian_pacific_islander": 0.002,
    },
    english_learner=0.025,
)
CITY = Profile(
    race={
        "black": 0.44,
        "white": 0.27,
        "hispanic_latino": 0.15,
        "two_or_more_races": 0.085,
        "asian": 0.045,
        "american_indian_alaska_native": 0.004,
        "native_hawaiian_pacific_islander": 0.002,
    },
    english_learner=0.13,
)
INNER_SUBURB = Profile(
    race={
        "white": 0.66,
        "black": 0.13,
        "hispanic_latino": 0.08,
        "two_or_more_races": 0.07,
        "asian": 0.055,
        "american_indian_alaska_native": 0.003,
        "native_hawaiian_pacific_islander": 0.002,
    },
    english_learner=0.05,
)
RURAL = Profile(
    race={
        "white": 0.905,
        "two_or_more_races": 0.04,
        "hispanic_latino": 0.035,
        "black": 0.008,
        "american_indian_alaska_native": 0.007,
        "asian": 0.004,
        "native_hawaiian_pacific_islander": 0.001,
    },
    english_learner=0.012,
)

E, M, H, K12 = School.Level.ELEMENTARY, School.Level.MIDDLE, School.Level.HIGH, School.Level.K12


def _school(
    key: str, name: str, suffix: str, level: str, grades: tuple[int, int], size: int, street: str
) -> SchoolPlan:
    return SchoolPlan(key, name, suffix, level, grades, size, street)


# The program definitions are tables; they read best aligned by hand.
# fmt: off

# (a) A New England town: one district, one officer at each school.
TOWN = ProgramPlan(
    agency_name="Kestrel Falls Police Department",
    kind=Agency.Kind.MUNICIPAL,
    state="NH",
    ori="NH0099100",
    time_zone="America/New_York",
    districts=(
        DistrictPlan(
            key="kfsd", name="Kestrel Falls School District", nces_id="3399101", town="Kestrel Falls",
            profile=SMALL_TOWN, partner_since=d(2015, 7, 1),
            schools=(
                _school("kf-elem", "Kestrel Falls Elementary School", "00010", E, (0, 4), 482, "14 Mill Pond Road"),
                _school("kf-middle", "Kestrel Falls Middle School", "00020", M, (5, 8), 411, "200 Ledge Street"),
                _school("kf-high", "Kestrel Falls High School", "00030", H, (9, 12), 589, "1 Falcon Way"),
            ),
        ),
    ),
    officers=(
        OfficerPlan("kfpd.marsh", "Jenna", "Marsh", "117", "Officer", d(2018, 8, 27), (("kf-elem", 100),),
                    training=(basic_sro(d(2018, 6, 15)),)),
        OfficerPlan("kfpd.brennan", "Tom", "Brennan", "124", "Officer", d(2021, 8, 30), (("kf-middle", 100),),
                    training=(basic_sro(d(2021, 7, 12)),
                              course(TrainingCourse.DE_ESCALATION, 8, d(2023, 3, 9), "ICAT de-escalation"))),
        OfficerPlan("kfpd.fisk", "Alan", "Fisk", "96", "Corporal", d(2016, 8, 29), (("kf-high", 100),),
                    training=(basic_sro(d(2016, 6, 20)), advanced_sro(d(2019, 7, 15)),
                              cit(d(2022, 4, 4)))),
    ),
    people=(
        PersonPlan("kfpd.chief", "Robert", "Caldwell", Role.AGENCY_ADMIN),
        PersonPlan("kfpd.lt", "Maria", "Santos", Role.SUPERVISOR),
        PersonPlan("kfsd.superintendent", "Helen", "Ward", Role.DISTRICT_ADMIN, "kfsd"),
        PersonPlan("kfhs.principal", "Owen", "Pratt", Role.SCHOOL_ADMIN, "kf-high"),
    ),
)

# (b) A Midwestern city: the city's district and an inner-suburb district, fifteen schools.
CITY_DIVISION = ProgramPlan(
    agency_name="Port Calder Division of Police",
    kind=Agency.Kind.MUNICIPAL,
    state="OH",
    ori="OH0991200",
    time_zone="America/New_York",
    districts=(
        DistrictPlan(
            key="pccs", name="Port Calder City Schools", nces_id="3999201", town="Port Calder",
            profile=CITY, partner_since=d(2010, 7, 1),
            schools=(
                _school("east-high", "Port Calder East High School", "00010", H, (9, 12), 1418, "1200 Kinsey Avenue"),
                _school("west-high", "Port Calder West High School", "00020", H, (9, 12), 1264, "3300 Lorain Street"),
                _school("riverside", "Riverside Career Academy", "00030", H, (9, 12), 607, "45 Front Street"),
                _school("fulton", "Fulton Middle School", "00040", M, (6, 8), 722, "900 Fulton Road"),
                _school("whitcomb", "Whitcomb Middle School", "00050", M, (6, 8), 655, "2150 Whitcomb Street"),
                _school("ash-street", "Ash Street Middle School", "00060", M, (6, 8), 538, "610 Ash Street"),
                _school("garfield", "Garfield Park Elementary School", "00070", E, (0, 5), 455, "77 Park Drive"),
                _school("ninth-street", "Ninth Street Elementary School", "00080", E, (0, 5), 391, "1010 Ninth Street"),
                _school("linden", "Linden Elementary School", "00090", E, (0, 5), 342, "18 Linden Avenue"),
                _school("oakwood", "Oakwood Elementary School", "00100", E, (0, 5), 416, "2500 Oakwood Boulevard"),
                _school("sullivan", "Sullivan Elementary School", "00110", E, (-1, 5), 288, "340 Sullivan Street"),
            ),
        ),
        DistrictPlan(
            key="hrls", name="Harmon Ridge Local Schools", nces_id="3999202", town="Harmon Ridge",
            profile=INNER_SUBURB, partner_since=d(2019, 7, 1),
            schools=(
                _school("hr-high", "Harmon Ridge High School", "00010", H, (9, 12), 981, "5000 Ridge Road"),
                _school("hr-middle", "Harmon Ridge Middle School", "00020", M, (6, 8), 712, "4800 Ridge Road"),
                _school("birchwood", "Birchwood Elementary School", "00030", E, (0, 5), 468, "12 Birchwood Lane"),
                _school("tanager", "Tanager Elementary School", "00040", E, (0, 5), 401, "730 Tanager Court"),
            ),
        ),
    ),
    officers=(
        # Turnover at East High: Paulsen went back to patrol in June 2024. Bell replaced her
        # and has not taken the basic SRO course yet.
        OfficerPlan("pcpd.paulsen", "Denise", "Paulsen", "2231", "Officer", d(2019, 8, 19), (("east-high", 100),),
                    training=(basic_sro(d(2019, 6, 10)),), left_on=d(2024, 6, 7)),
        OfficerPlan("pcpd.bell", "Marcus", "Bell", "2417", "Officer", d(2024, 8, 19), (("east-high", 100),),
                    training=(cit(d(2024, 3, 22)),)),
        OfficerPlan("pcpd.ortega", "Luis", "Ortega", "1986", "Officer", d(2021, 8, 16), (("west-high", 100),),
                    training=(basic_sro(d(2021, 6, 14)),
                              course(TrainingCourse.IMPLICIT_BIAS, 4, d(2024, 1, 25), "Fair and impartial policing")),
                    languages=("en", "es")),
        OfficerPlan("pcpd.rhodes", "Tamika", "Rhodes", "2104", "Officer", d(2022, 8, 15),
                    (("riverside", 50), ("ash-street", 50)),
                    training=(basic_sro(d(2022, 6, 13)),
                              course(TrainingCourse.ADOLESCENT_DEVELOPMENT, 8, d(2023, 2, 16), "Adolescent brain"))),
        OfficerPlan("pcpd.albright", "Kevin", "Albright", "2290", "Officer", d(2023, 8, 14),
                    (("fulton", 60), ("garfield", 40)),
                    training=(basic_sro(d(2023, 6, 12)),)),
        OfficerPlan("pcpd.nguyen", "Sarah", "Nguyen", "2488", "Officer", d(2025, 8, 18),
                    (("whitcomb", 60), ("ninth-street", 40)),
                    training=(basic_sro(d(2025, 6, 9)),
                              course(TrainingCourse.SPECIAL_EDUCATION, 8, d(2025, 7, 17), "Disability awareness")),
                    languages=("en", "vi")),
        OfficerPlan("pcpd.whitaker", "James", "Whitaker", "2352", "Officer", d(2024, 8, 19),
                    (("linden", 34), ("oakwood", 33), ("sullivan", 33)),
                    training=(basic_sro(d(2024, 6, 10)),)),
        OfficerPlan("pcpd.kim", "Rachel", "Kim", "1875", "Corporal", d(2020, 8, 17), (("hr-high", 100),),
                    training=(basic_sro(d(2020, 6, 15)), advanced_sro(d(2022, 7, 11)),
                              course(TrainingCourse.DE_ESCALATION, 8, d(2023, 10, 5), "ICAT de-escalation"))),
        OfficerPlan("pcpd.price", "Darnell", "Price", "2199", "Officer", d(2023, 8, 14),
                    (("hr-middle", 50), ("birchwood", 25), ("tanager", 25)),
                    training=(basic_sro(d(2023, 6, 12)),
                              cit(d(2024, 4, 19)))),
    ),
    people=(
        PersonPlan("pcpd.chief", "Andrea", "Holloway", Role.AGENCY_ADMIN),
        PersonPlan("pcpd.sgt", "Victor", "Lang", Role.SUPERVISOR),
        PersonPlan("pccs.superintendent", "Elaine", "Foster", Role.DISTRICT_ADMIN, "pccs"),
        PersonPlan("hrls.superintendent", "Dana", "Whitfield", Role.DISTRICT_ADMIN, "hrls"),
        PersonPlan("pceast.principal", "Gregory", "Moss", Role.SCHOOL_ADMIN, "east-high"),
        PersonPlan("evaluator", "Priya", "Raman", Role.EVALUATOR),
    ),
)

# (c) A rural county: four small districts, two deputies who drive between them.
COUNTY_SHERIFF = ProgramPlan(
    agency_name="Larkin County Sheriff's Office",
    kind=Agency.Kind.SHERIFF,
    state="MO",
    ori="MO0990000",
    time_zone="America/Chicago",
    districts=(
        DistrictPlan(
            key="pruett", name="Larkin County R-I School District", nces_id="2999301", town="Pruett",
            profile=RURAL, partner_since=d(2018, 7, 1),
            schools=(
                _school("pruett-elem", "Pruett Elementary School", "00010", E, (0, 6), 236, "300 School Street"),
                _school("pruett-high", "Pruett High School", "00020", H, (7, 12), 214, "310 School Street"),
            ),
        ),
        DistrictPlan(
            key="stony-ford-r2", name="Stony Ford R-II School District", nces_id="2999302", town="Stony Ford",
            profile=RURAL, partner_since=d(2018, 7, 1),
            schools=(_school("stony-ford", "Stony Ford School", "00010", K12, (0, 12), 268, "1 Bulldog Drive"),),
        ),
        DistrictPlan(
            key="wexley", name="Wexley R-III School District", nces_id="2999303", town="Wexley",
            profile=RURAL, partner_since=d(2021, 7, 1),
            schools=(
                _school("wexley-elem", "Wexley Elementary School", "00010", E, (0, 6), 162, "22 Main Street"),
                _school("wexley-high", "Wexley High School", "00020", H, (7, 12), 149, "24 Main Street"),
            ),
        ),
        DistrictPlan(
            key="blue-mound-r4", name="Blue Mound R-IV School District", nces_id="2999304", town="Blue Mound",
            profile=RURAL, partner_since=d(2021, 7, 1),
            schools=(_school("blue-mound", "Blue Mound School", "00010", E, (0, 8), 118, "Route 2"),),
        ),
    ),
    officers=(
        OfficerPlan("lcso.reeves", "Cody", "Reeves", "31", "Deputy", d(2018, 8, 20),
                    (("pruett-high", 40), ("pruett-elem", 20), ("stony-ford", 40)),
                    training=(basic_sro(d(2018, 7, 9)),
                              cit(d(2021, 9, 13)))),
        # Vance has only the state's short orientation course, not the 40-hour basic SRO course.
        OfficerPlan("lcso.vance", "Amber", "Vance", "44", "Deputy", d(2021, 8, 23),
                    (("wexley-high", 50), ("wexley-elem", 20), ("blue-mound", 30)),
                    training=(course(TrainingCourse.OTHER, 16, d(2021, 7, 28), "School safety officer orientation"),)),
    ),
    people=(
        PersonPlan("lcso.sheriff", "Wade", "Tillman", Role.AGENCY_ADMIN),
        PersonPlan("lcso.sgt", "Lena", "Hollis", Role.SUPERVISOR),
        # Each rural district's superintendent signs its own MOU with the sheriff.
        PersonPlan("pruett.superintendent", "Carl", "Beasley", Role.DISTRICT_ADMIN, "pruett"),
        PersonPlan("stonyford.superintendent", "Judith", "Kerr", Role.DISTRICT_ADMIN, "stony-ford-r2"),
        PersonPlan("wexley.superintendent", "Ray", "Dunning", Role.DISTRICT_ADMIN, "wexley"),
        PersonPlan("bluemound.superintendent", "Teresa", "Vogel", Role.DISTRICT_ADMIN, "blue-mound-r4"),
    ),
)

# fmt: on

PROGRAMS = (TOWN, CITY_DIVISION, COUNTY_SHERIFF)
ADMIN_NAME = ("Pat", "Okafor")


def demo_usernames() -> list[str]:
    """Every demo login, in the order they are printed."""
    names = [ADMIN_USERNAME]
    for program in PROGRAMS:
        names += [person.username for person in program.people]
        names += [officer.username for officer in program.officers]
    return names


# --- loading --------------------------------------------------------------------------------


def demo_load(*, password: str = DEMO_PASSWORD) -> User:
    """Create the three programs and their logins, all or nothing. Returns the platform admin."""
    with transaction.atomic():
        admin = user_create(
            actor=None,
            username=ADMIN_USERNAME,
            password=password,
            first_name=ADMIN_NAME[0],
            last_name=ADMIN_NAME[1],
            is_superuser=True,
        )
        for program in PROGRAMS:
            _program_load(program, actor=admin, password=password)
    return admin


def _program_load(program: ProgramPlan, *, actor: User, password: str) -> None:
    agency = services.agency_create(
        actor=actor,
        name=program.agency_name,
        kind=program.kind,
        state=program.state,
        ori=program.ori,
        time_zone=program.time_zone,
    )
    places: dict[str, Any] = {}
    for plan in program.districts:
        places.update(_district_load(plan, agency=agency, state=program.state, actor=actor))
    for officer_plan in program.officers:
        _officer_load(officer_plan, agency=agency, schools=places, actor=actor, password=password)
    for person in program.people:
        _person_load(person, agency=agency, places=places, actor=actor, password=password)


def _district_load(plan: DistrictPlan, *, agency: Agency, state: str, actor: User) -> dict[str, Any]:
    """The district, its partnership with the agency and its schools, keyed for lookup."""
    district = services.district_create(actor=actor, name=plan.name, state=state, nces_id=plan.nces_id)
    services.partnership_create(actor=actor, agency=agency, district=district, start_date=plan.partner_since)
    places: dict[str, Any] = {plan.key: district}
    for school_plan in plan.schools:
        places[school_plan.key] = _school_load(
            school_plan, district=district, town=plan.town, profile=plan.profile, actor=actor
        )
    return places


def _school_load(plan: SchoolPlan, *, district: District, town: str, profile: Profile, actor: User) -> School:
    school = services.school_create(
        actor=actor,
        district=district,
        name=plan.name,
        nces_id=district.nces_id + plan.nces_suffix,
        level=plan.level,
        lowest_grade=plan.grades[0],
        highest_grade=plan.grades[1],
        address=f"{plan.street}, {town}, {district.state}",
    )
    for school_year in SCHOOL_YEARS:
        rng = random.Random(f"liaison-demo:{school.nces_id}:{school_year}")
        total = plan.enrollment if school_year == SCHOOL_YEARS[-1] else round(plan.enrollment * rng.uniform(0.95, 1.04))
        counts = enrollment_counts(total=total, profile=profile, level=plan.level, rng=rng)
        services.enrollment_set(actor=actor, school=school, school_year=school_year, total=total, **counts)
    return school


def _officer_load(plan: OfficerPlan, *, agency: Agency, schools: dict[str, Any], actor: User, password: str) -> Officer:
    officer = services.officer_create(
        actor=actor,
        agency=agency,
        username=plan.username,
        first_name=plan.first_name,
        last_name=plan.last_name,
        badge_number=plan.badge_number,
        rank=plan.rank,
        languages=list(plan.languages),
        password=password,
    )
    for taken in plan.training:
        services.training_record_create(
            actor=actor,
            officer=officer,
            course=taken.course,
            title=taken.title,
            provider=taken.provider,
            hours=Decimal(taken.hours),
            completed_on=taken.completed_on,
        )
    for key, share in plan.posts:
        assignment = services.assignment_create(
            actor=actor, officer=officer, school=schools[key], start_date=plan.started, share_of_time=share
        )
        if plan.left_on is not None:
            services.assignment_end(actor=actor, assignment=assignment, end_date=plan.left_on)
    if plan.left_on is not None:
        services.officer_update(actor=actor, officer=officer, status=Officer.Status.INACTIVE)
    return officer


def _person_load(person: PersonPlan, *, agency: Agency, places: dict[str, Any], actor: User, password: str) -> User:
    user = user_create(
        actor=actor,
        username=person.username,
        password=password,
        first_name=person.first_name,
        last_name=person.last_name,
    )
    scope: dict[str, Any] = {"agency": agency}
    if person.where:
        place = places[person.where]
        scope = {"school": place} if isinstance(place, School) else {"district": place}
    membership_grant(actor=actor, user=user, role=person.role, **scope)
    return user


# --- enrollment counts ------------------------------------------------------------------------

# English learners are most common in the early grades.
EL_BY_LEVEL: dict[str, float] = {School.Level.ELEMENTARY: 1.3, School.Level.MIDDLE: 1.0, School.Level.HIGH: 0.75}


def enrollment_counts(*, total: int, profile: Profile, level: str, rng: random.Random) -> dict[str, int]:
    """Subgroup counts that add up: races sum to the total, and so do the sexes."""
    race_shares = {name: share * rng.uniform(0.85, 1.15) for name, share in profile.race.items()}
    counts = apportion(total, {name: race_shares.get(name, 0.0) for name in RACE_FIELDS})
    secondary = level in (School.Level.MIDDLE, School.Level.HIGH, School.Level.K12)
    nonbinary = round(total * rng.uniform(0.0, 0.003)) if secondary else 0
    male = round((total - nonbinary) * rng.uniform(0.505, 0.525))
    counts |= {"male": male, "female": total - nonbinary - male, "nonbinary": nonbinary}
    el_rate = profile.english_learner * EL_BY_LEVEL.get(level, 1.0) * rng.uniform(0.8, 1.2)
    counts |= {
        "disability_idea": round(total * rng.uniform(0.13, 0.15)),
        "disability_504_only": round(total * rng.uniform(0.03, 0.05)),
        "english_learner": round(total * el_rate),
    }
    return counts


def apportion(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split `total` in proportion to `weights` so the parts add up exactly (largest remainder)."""
    weight_sum = sum(weights.values())
    exact = {name: total * weight / weight_sum for name, weight in weights.items()}
    parts = {name: int(value) for name, value in exact.items()}
    by_remainder = sorted(exact, key=lambda name: exact[name] - parts[name], reverse=True)
    for name in by_remainder[: total - sum(parts.values())]:
        parts[name] += 1
    return parts


# --- who can sign in ------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    where: str


def demo_logins() -> list[DemoLogin]:
    """The demo logins present in the database (none if the demo was never loaded)."""
    order = {name: index for index, name in enumerate(demo_usernames())}
    users = User.objects.filter(username__in=order, is_active=True).prefetch_related(
        "memberships__agency", "memberships__district", "memberships__school"
    )
    logins = [login for user in users for login in _user_logins(user)]
    return sorted(logins, key=lambda login: order[login.username])


def _user_logins(user: User) -> Iterable[DemoLogin]:
    if user.is_superuser:
        yield DemoLogin(user.username, PLATFORM_ADMIN_LABEL, "everywhere")
    for membership in user.memberships.all():
        place = membership.school or membership.district or membership.agency
        yield DemoLogin(user.username, membership.get_role_display(), str(place))


def demo_logins_table(logins: list[DemoLogin], *, password: str = DEMO_PASSWORD) -> str:
    """The logins as a plain-text table, with the one password they share."""
    rows = [("Username", "Role", "Where"), *((x.username, x.role, x.where) for x in logins)]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(
        ["Demo logins (every one signs in with the password below):", "", *lines, "", f"Password: {password}"]
    )
