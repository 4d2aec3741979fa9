"""A synthetic state or nation, for measuring Liaison at scale (`manage.py generate_scale`).

Agencies of very different sizes (a few big-city departments, many small ones), each serving one
district (a county sheriff two or three), schools with enrollment by CRDC subgroup, officers with
their assignments, and a school year of contacts: about 1.5% enforcement actions (with their CRDC
details), fewer contacts in the first and last weeks and around holidays, and each district's own
calendar (its first day, its winter and spring breaks). Everything follows from the seed: two runs
with the same arguments into empty databases write the same rows.

The contacts are streamed to PostgreSQL with COPY (psycopg's `copy`), an agency at a time, and on
SQLite written with `executemany`; the daily rollups are summed from what was written in one
statement per agency, and the monthly ones and the officer months follow by trigger. This is a loader
of synthetic data for a benchmark, not a way to record anything: it writes rows directly, without the
services' checks, audit entries or MOU judgments.
"""

from __future__ import annotations

import datetime
import math
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection, transaction

from liaison.lib.school_years import school_year_days
from liaison.lib.states import STATE_FIPS

# Officers and contacts of the two presets (the figures: a state of 1,500 SROs logs about ten
# million contacts a year; the nation's 14,000-23,000 SROs about a hundred million).
PRESETS = {"state": (1_500, 10_000_000), "nation": (18_000, 100_000_000)}
SCHOOL_DAYS = 180
# (kind, default role, share in thousandths): 15 of 1,000 are enforcement actions.
KIND_MIX = (
    ("positive", "mentor", 520),
    ("instruction", "educator", 95),
    ("mentoring", "mentor", 110),
    ("family", "mentor", 50),
    ("staff", "law_enforcement", 100),
    ("safety", "law_enforcement", 55),
    ("referral", "mentor", 55),
    ("enforcement", "law_enforcement", 15),
)
ENFORCEMENT_SHARE = 0.015
ROLES = ("educator", "law_enforcement", "mentor")
# (action type, share, counts as referral, counts as arrest): CRDC counts citations, court referrals
# and arrests as referrals too.
ACTION_MIX = (
    ("warning", 0.36, False, False),
    ("search", 0.08, False, False),
    ("referral_to_law_enforcement", 0.18, True, False),
    ("noncriminal_citation", 0.12, True, False),
    ("criminal_citation", 0.08, True, False),
    ("court_referral", 0.05, True, False),
    ("arrest", 0.10, True, True),
    ("use_of_force", 0.02, False, False),
    ("physical_restraint", 0.01, False, False),
)
REASONS = (
    "fight_no_injury", "tobacco_vaping", "threat_of_violence", "assault_with_injury", "drug_distribution",
    "student_trespass", "significant_theft", "weapon", "student_in_crisis", "verbal_conflict",
)  # fmt: skip
REQUESTED_BY = ("administrator", "teacher", "self", "dispatch", "other_staff")
# CRDC race/ethnicity with the enrollment column it is counted against, and the statewide share.
RACES = (
    ("hispanic_latino", 0.28),
    ("american_indian_alaska_native", 0.01),
    ("asian", 0.05),
    ("native_hawaiian_pacific_islander", 0.005),
    ("black", 0.15),
    ("white", 0.455),
    ("two_or_more_races", 0.05),
)
TIME_ZONES = {
    "CA": "America/Los_Angeles", "WA": "America/Los_Angeles", "OR": "America/Los_Angeles",
    "NV": "America/Los_Angeles", "AZ": "America/Phoenix", "CO": "America/Denver", "UT": "America/Denver",
    "NM": "America/Denver", "MT": "America/Denver", "ID": "America/Boise", "WY": "America/Denver",
    "TX": "America/Chicago", "IL": "America/Chicago", "MN": "America/Chicago", "MO": "America/Chicago",
    "WI": "America/Chicago", "IA": "America/Chicago", "KS": "America/Chicago", "NE": "America/Chicago",
    "OK": "America/Chicago", "AR": "America/Chicago", "LA": "America/Chicago", "MS": "America/Chicago",
    "AL": "America/Chicago", "TN": "America/Chicago", "ND": "America/Chicago", "SD": "America/Chicago",
    "AK": "America/Anchorage", "HI": "Pacific/Honolulu",
}  # fmt: skip
NATION_STATES = tuple(code for code in STATE_FIPS if int(STATE_FIPS[code]) < 60)
CONTACT_COLUMNS = (
    "id", "uuid", "agency_id", "district_id", "school_id", "officer_id", "kind", "role", "occurred_at",
    "occurred_on", "duration_minutes", "student_count", "grade_band", "setting", "initiated_by", "note",
    "staff_role", "service", "instead_of_enforcement", "source", "voided", "created_by_id", "created_at",
    "updated_at",
)  # fmt: skip
DETAIL_COLUMNS = (
    "interaction_id", "agency_id", "action_type", "counts_as_referral", "counts_as_arrest", "reason_category",
    "nibrs_code", "requested_by", "admin_consulted", "admin_consulted_role", "student_grade", "race_ethnicity", "sex",
    "disability", "english_learner", "demographics_source", "rms_report_number", "student_key",
)  # fmt: skip
ROLLUP_SQL = """
INSERT INTO interactions_dailyrollup
    (agency_id, district_id, school_id, officer_id, day, kind, role, count, minutes, minutes_count, students)
SELECT agency_id, district_id, school_id, officer_id, occurred_on, kind, role, count(*),
    coalesce(sum(duration_minutes), 0), count(duration_minutes), coalesce(sum(student_count), 0)
FROM interactions_interaction WHERE agency_id = %s AND NOT voided
GROUP BY agency_id, district_id, school_id, officer_id, occurred_on, kind, role
"""

MONTHLY_SQL = """
INSERT INTO interactions_monthlyrollup
    (agency_id, district_id, school_id, officer_id, month, kind, role, count, minutes, minutes_count, students)
SELECT agency_id, district_id, school_id, officer_id, date_trunc('month', day)::date, kind, role, sum(count),
    sum(minutes), sum(minutes_count), sum(students)
FROM interactions_dailyrollup WHERE agency_id = %s
GROUP BY agency_id, district_id, school_id, officer_id, date_trunc('month', day)::date, kind, role
"""
# The officer months (interactions/0012_officer_month_rollups), summed from the agency's months.
OFFICER_MONTHLY_SQL = """
INSERT INTO interactions_officermonthrollup (agency_id, officer_id, month, role, count, minutes, minutes_count)
SELECT agency_id, officer_id, month, role, sum(count), sum(minutes), sum(minutes_count)
FROM interactions_monthlyrollup WHERE agency_id = %s
GROUP BY agency_id, officer_id, month, role
ON CONFLICT (officer_id, month, role) DO UPDATE SET
    count = interactions_officermonthrollup.count + excluded.count,
    minutes = interactions_officermonthrollup.minutes + excluded.minutes,
    minutes_count = interactions_officermonthrollup.minutes_count + excluded.minutes_count
"""

# The enforcement rollups (interactions/enforcement_rollups.py), summed from the written actions.
ENFORCEMENT_SQL = """
INSERT INTO interactions_enforcementrollup
    (agency_id, district_id, school_id, month, action_type, counts_as_referral, counts_as_arrest, race_ethnicity, count)
SELECT i.agency_id, i.district_id, i.school_id, {month}, d.action_type, d.counts_as_referral, d.counts_as_arrest,
    d.race_ethnicity, count(*)
FROM interactions_interaction i JOIN interactions_enforcementdetail d ON d.interaction_id = i.id
WHERE i.agency_id = %s AND i.kind = 'enforcement' AND NOT i.voided
GROUP BY i.agency_id, i.district_id, i.school_id, {month}, d.action_type, d.counts_as_referral, d.counts_as_arrest,
    d.race_ethnicity
"""


def _enforcement_sql() -> str:
    month = (
        "date_trunc('month', i.occurred_on)::date"
        if connection.vendor == "postgresql"
        else ("date(i.occurred_on, 'start of month')")
    )
    return ENFORCEMENT_SQL.format(month=month)


@dataclass(frozen=True)
class ScalePlan:
    """What to generate. `state` is a two-letter code, or "US" for the nation (agencies spread over
    the states)."""

    state: str
    officers: int
    contacts: int
    school_year: str
    seed: int = 1

    @classmethod
    def preset(cls, scope: str, *, school_year: str, seed: int = 1, state: str = "MA", **overrides: int) -> ScalePlan:
        officers, contacts = PRESETS[scope]
        return cls(
            state="US" if scope == "nation" else state,
            officers=overrides.get("officers") or officers,
            contacts=overrides.get("contacts") or contacts,
            school_year=school_year,
            seed=seed,
        )


@dataclass
class Generated:
    agencies: int = 0
    districts: int = 0
    schools: int = 0
    officers: int = 0
    contacts: int = 0
    enforcement: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


@dataclass
class _Agency:
    pk: int
    state: str
    time_zone: str
    officers: list[tuple[int, int, int]]  # (officer id, user id, school index in districts' schools)
    schools: list[tuple[int, int, str, dict[str, int]]]  # (school id, district id, grade band, enrollment)
    calendars: dict[int, list[datetime.date]]  # district id -> its school days


# --- the directory ------------------------------------------------------------------------------------


def _agency_sizes(rng: np.random.Generator, officers: int) -> list[int]:
    """Officers per agency: heavy-tailed (Pareto), 1 to 300 officers, summing to `officers`."""
    sizes: list[int] = []
    left = officers
    while left > 0:
        size = min(left, max(1, min(300, int(rng.pareto(1.3) * 2) + 1)))
        sizes.append(size)
        left -= size
    return sizes


def _calendar(rng: np.random.Generator, school_year: str) -> list[datetime.date]:
    """A district's school days: its own first day (mid-August to early September), Labor Day,
    Thanksgiving, two weeks of winter break, a spring-break week of its own, then SCHOOL_DAYS days."""
    start_year = int(school_year[:4])
    first = datetime.date(start_year, 8, 12) + datetime.timedelta(days=int(rng.integers(0, 24)))
    thanksgiving = datetime.date(start_year, 11, 22 + (3 - datetime.date(start_year, 11, 22).weekday()) % 7)
    winter = (datetime.date(start_year, 12, 22), datetime.date(start_year + 1, 1, 2))
    spring_start = datetime.date(start_year + 1, 3, 9) + datetime.timedelta(weeks=int(rng.integers(0, 5)))
    spring_start -= datetime.timedelta(days=spring_start.weekday())
    closed = {thanksgiving, thanksgiving + datetime.timedelta(days=1)}
    labor_day = datetime.date(start_year, 9, 1 + (0 - datetime.date(start_year, 9, 1).weekday()) % 7)
    closed.add(labor_day)
    days: list[datetime.date] = []
    day = first
    _, last_day = school_year_days(school_year)
    while len(days) < SCHOOL_DAYS and day <= last_day:
        if (
            day.weekday() < 5
            and day not in closed
            and not winter[0] <= day <= winter[1]
            and not spring_start <= day < spring_start + datetime.timedelta(days=5)
        ):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _day_weight(day: datetime.date, position: int, total: int) -> float:
    """Seasonal weeks: officers log fewer contacts in the first and last weeks, before breaks and on
    Fridays, and more in October and February-March."""
    weight = {10: 1.12, 11: 1.05, 12: 0.9, 2: 1.1, 3: 1.08, 5: 0.9, 6: 0.75}.get(day.month, 1.0)
    if position < 10 or position >= total - 10:
        weight *= 0.75
    if day.weekday() == 4:
        weight *= 0.88
    return weight


def _enrollment(rng: np.random.Generator, level: str) -> dict[str, int]:
    mean = {"high": 1300, "middle": 750, "elementary": 450}[level]
    total = max(80, int(rng.normal(mean, mean * 0.3)))
    shares = rng.dirichlet([max(0.05, share * 20) for _, share in RACES])
    counts = {name: int(total * share) for (name, _), share in zip(RACES, shares, strict=True)}
    counts["white"] += total - sum(counts.values())
    male = int(total * rng.uniform(0.49, 0.53))
    counts.update(
        total=total,
        male=male,
        female=total - male,
        disability_idea=int(total * rng.uniform(0.1, 0.17)),
        disability_504_only=int(total * rng.uniform(0.02, 0.06)),
        english_learner=int(total * rng.uniform(0.03, 0.2)),
    )
    return counts


def _breaks(days: list[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    """The weekdays between a calendar's first and last school day that are not school days, as runs
    (a holiday, Thanksgiving, the winter and spring breaks)."""
    school_days = set(days)
    runs: list[tuple[datetime.date, datetime.date]] = []
    day = days[0]
    while day <= days[-1]:
        if day.weekday() < 5 and day not in school_days:
            if (
                runs
                and (day - runs[-1][1]).days <= 3
                and all(
                    d.weekday() >= 5 or d not in school_days
                    for d in (runs[-1][1] + datetime.timedelta(days=n) for n in range(1, (day - runs[-1][1]).days))
                )
            ):
                runs[-1] = (runs[-1][0], day)
            else:
                runs.append((day, day))
        day += datetime.timedelta(days=1)
    return runs


def _store_calendar(district: Any, school_year: str, days: list[datetime.date]) -> None:
    """The district's calendar as presence reads it: its first and last school day and its breaks."""
    from liaison.programs.models import CalendarBreak, SchoolCalendar

    calendar = SchoolCalendar.objects.create(
        district=district, school_year=school_year, first_day=days[0], last_day=days[-1]
    )
    CalendarBreak.objects.bulk_create(
        CalendarBreak(
            calendar=calendar, name="Holiday" if (last - first).days < 2 else "Break", first_day=first, last_day=last
        )
        for first, last in _breaks(days)
    )


def _directory(plan: ScalePlan, rng: np.random.Generator, say: Callable[[str], None]) -> list[_Agency]:
    from django.contrib.auth.hashers import make_password

    from liaison.accounts.models import Membership, User
    from liaison.directory.models import Agency, Assignment, District, Enrollment, Officer, Partnership, School

    sizes = _agency_sizes(rng, plan.officers)
    states = NATION_STATES if plan.state == "US" else (plan.state,)
    first_day, _ = school_year_days(plan.school_year)
    prefix = f"s{plan.seed}"
    unusable = make_password(None)
    agencies_out: list[_Agency] = []
    per_state: dict[str, int] = {}
    officer_number = 0
    for index, size in enumerate(sizes):
        state = states[index % len(states)]
        number = per_state[state] = per_state.get(state, 0) + 1
        time_zone = TIME_ZONES.get(state, "America/New_York")
        sheriff = index % 5 == 4
        agency = Agency.objects.create(
            name=f"{'County Sheriff' if sheriff else 'Police Department'} {state}-{number}",
            kind="county_sheriff" if sheriff else "municipal_police",
            state=state,
            ori=f"{state}{plan.seed % 100:02d}{number:05d}",
            time_zone=time_zone,
        )
        district_count = 1 + (sheriff and size > 2) + (sheriff and size > 20)
        schools: list[tuple[int, int, str, dict[str, int]]] = []
        calendars: dict[int, list[datetime.date]] = {}
        for d in range(district_count):
            district_number = number * 3 + d
            district = District.objects.create(
                name=f"School District {state}-{district_number}",
                state=state,
                nces_id=f"{STATE_FIPS[state]}{plan.seed % 10}{district_number:04d}",
            )
            Partnership.objects.create(agency=agency, district=district, start_date=first_day)
            calendars[district.pk] = _calendar(rng, plan.school_year)
            _store_calendar(district, plan.school_year, calendars[district.pk])
            # About one school per officer, a third more where officers cover elementary schools too.
            count = max(1, math.ceil(size * 1.3 / district_count))
            for s in range(count):
                level = "high" if s % 4 == 0 else "middle" if s % 4 == 1 else "elementary"
                grades = {"high": (9, 12), "middle": (6, 8), "elementary": (0, 5)}[level]
                school = School.objects.create(
                    district=district,
                    name=f"{level.title()} School {state}-{district_number}-{s}",
                    nces_id=f"{district.nces_id}{s:05d}",
                    level=level,
                    lowest_grade=grades[0],
                    highest_grade=grades[1],
                )
                counts = _enrollment(rng, level)
                Enrollment.objects.create(
                    district=district, school=school, school_year=plan.school_year, source="synthetic", **counts
                )
                band = {"high": "9_12", "middle": "6_8", "elementary": "3_5"}[level]
                schools.append((school.pk, district.pk, band, counts))
        users = User.objects.bulk_create(
            User(
                username=f"{prefix}_officer{officer_number + n}",
                password=unusable,
                first_name="Officer",
                last_name=f"{officer_number + n}",
            )  # fmt: skip
            for n in range(size)
        )
        officers = Officer.objects.bulk_create(
            Officer(agency=agency, user=user, badge_number=str(officer_number + n)) for n, user in enumerate(users)
        )
        Membership.objects.bulk_create(Membership(user=user, role="officer", agency=agency) for user in users)
        officer_number += size
        # Officers at the high and middle schools first (every fourth school is a high school).
        order = sorted(range(len(schools)), key=lambda s: (s % 4 > 1, s))
        placed = [
            (officer.pk, user.pk, order[n % len(order)])
            for n, (officer, user) in enumerate(zip(officers, users, strict=True))
        ]
        Assignment.objects.bulk_create(
            Assignment(agency=agency, officer_id=officer_id, school_id=schools[s][0], start_date=first_day)
            for officer_id, _, s in placed
        )
        agencies_out.append(_Agency(agency.pk, state, time_zone, placed, schools, calendars))
        if (index + 1) % 100 == 0:
            say(f"directory: {index + 1} of {len(sizes)} agencies")
    return agencies_out


# --- the contacts -------------------------------------------------------------------------------------


def _contacts(
    agency: _Agency,
    rng: np.random.Generator,
    per_officer_day: float,
    activity: dict[int, float],
    next_id: int,
    created: str,
) -> tuple[list[tuple], list[tuple]]:
    """One agency's school year of contacts and the CRDC details of its enforcement actions, as rows
    of text and integers ready for COPY (or SQLite), built column by column with numpy: a row at a
    time in Python was 20 times slower."""
    zone = zoneinfo.ZoneInfo(agency.time_zone)
    postgres = connection.vendor == "postgresql"
    kinds = np.array([k for k, _, _ in KIND_MIX])
    default_roles = np.array([r for _, r, _ in KIND_MIX])
    kind_p = np.array([w for _, _, w in KIND_MIX], dtype=float)
    kind_p /= kind_p.sum()
    actions = [a for a, *_ in ACTION_MIX]
    action_p = np.array([p for _, p, _, _ in ACTION_MIX])
    action_p /= action_p.sum()
    races = np.array([r for r, _ in RACES])
    rows: list[tuple] = []
    details: list[tuple] = []
    for officer_id, user_id, school_index in agency.officers:
        school_id, district_id, band, enrollment = agency.schools[school_index]
        days = agency.calendars[district_id]
        weights = np.array([_day_weight(day, n, len(days)) for n, day in enumerate(days)])
        counts = rng.poisson(per_officer_day * activity[officer_id] * weights)
        n = int(counts.sum())
        if n == 0:
            continue
        day_of = np.repeat(np.arange(len(days)), counts)
        kind_index = rng.choice(len(kinds), size=n, p=kind_p)
        kind = kinds[kind_index]
        other_role = rng.random(n) < 0.08
        roles = np.where(other_role, np.array(ROLES)[rng.integers(0, 3, n)], default_roles[kind_index])
        roles = np.where(kind == "enforcement", "law_enforcement", roles)
        # The local time of day, 7:30 to 16:00, turned into UTC with the day's offset (summer time moves).
        local_seconds = rng.integers(7 * 3600 + 1800, 16 * 3600, n)
        day_values = np.array(days, dtype="datetime64[D]")
        offsets = np.array(
            [datetime.datetime.combine(day, datetime.time(12), zone).utcoffset().total_seconds() for day in days],  # type: ignore[union-attr]
            dtype="int64",
        )
        moments = day_values[day_of].astype("datetime64[s]") + (local_seconds - offsets[day_of]).astype(
            "timedelta64[s]"
        )
        occurred_at = np.datetime_as_string(moments, unit="s").tolist()
        occurred_at = [m + "+00:00" for m in occurred_at] if postgres else [m.replace("T", " ") for m in occurred_at]
        occurred_on = np.datetime_as_string(day_values[day_of], unit="D").tolist()
        durations = rng.choice([-1, 5, 10, 15, 30, 45], size=n, p=[0.35, 0.25, 0.15, 0.12, 0.09, 0.04]).tolist()
        students = rng.choice([-1, 1, 2, 3, 5, 25], size=n, p=[0.2, 0.45, 0.15, 0.08, 0.07, 0.05]).tolist()
        uuids = rng.bytes(16 * n).hex()
        first = next_id + len(rows)
        kind_list = kind.tolist()
        rows.extend(
            (
                first + i, uuids[32 * i : 32 * i + 32], agency.pk, district_id, school_id, officer_id, kind_list[i],
                role, occurred_at[i], occurred_on[i], None if durations[i] < 0 else durations[i],
                None if students[i] < 0 else students[i], band, "", "", "", "",
                "counselling" if kind_list[i] == "referral" else "", None, "import", False, user_id, created, created,
            )
            for i, role in enumerate(roles.tolist())
        )  # fmt: skip
        enforced = np.flatnonzero(kind == "enforcement")
        m = len(enforced)
        if not m:
            continue
        race_p = np.array([max(enrollment[r], 1) for r in races], dtype=float)
        # Black students' actions at twice their share (the disparity the equity figures must find).
        race_p[list(races).index("black")] *= 2
        race_p /= race_p.sum()
        action = rng.choice(len(actions), size=m, p=action_p).tolist()
        reason = rng.integers(0, len(REASONS), m).tolist()
        requested = rng.integers(0, len(REQUESTED_BY), m).tolist()
        race = races[rng.choice(len(races), size=m, p=race_p)].tolist()
        male = (rng.random(m) < 0.62).tolist()
        student = rng.integers(0, 2000, m).tolist()
        details.extend(
            (
                first + int(i), agency.pk, actions[a], ACTION_MIX[a][2], ACTION_MIX[a][3], REASONS[reason[j]], "",
                REQUESTED_BY[requested[j]], False, "", "unknown", race[j], "male" if male[j] else "female", "none",
                "unknown", "perceived", "", f"{school_id:08x}{student[j]:056x}",
            )
            for j, (i, a) in enumerate(zip(enforced.tolist(), action, strict=True))
        )  # fmt: skip
    return rows, details


def _without_triggers() -> bool:
    """PostgreSQL, in the agency's transaction: switch foreign-key and other triggers off when the role
    may (`session_replication_role`, a superuser's privilege, as a bulk restore does); every id written
    was just made here, so nothing is left unchecked that could be wrong. Otherwise the keys are checked
    as COPY goes rather than queued for the commit, where five million deferred checks ran one after
    another (the import does the same: import_writers.CopyWriter)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = bool(cursor.fetchone()[0])
        cursor.execute("SET LOCAL session_replication_role = replica" if superuser else "SET CONSTRAINTS ALL IMMEDIATE")
    return superuser


def _write(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _first_free_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
        return int(cursor.fetchone()[0])


def _advance_sequence(table: str) -> None:
    """Move the table's id sequence past the ids written here, with nextval only: the application's
    database role may use a sequence but not set it (setval), and this runs as that role too."""
    if connection.vendor != "postgresql":
        return  # SQLite takes the next id from the table itself
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        top = int(cursor.fetchone()[0])
        cursor.execute(f"SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {sequence}")
        behind = top - int(cursor.fetchone()[0])
        if behind > 0:
            cursor.execute("SELECT max(nextval(%s)) FROM generate_series(1, %s)", [sequence, behind])


def generate(plan: ScalePlan, *, say: Callable[[str], None] = lambda _: None) -> Generated:
    """Write the plan's directory and contacts. Deterministic for a given plan on an empty database
    (ids included); on a database that holds data, the same rows after the existing ones."""
    from liaison.interactions.partitions import partitions_ensure

    rng = np.random.default_rng(plan.seed)
    result = Generated()
    with transaction.atomic():
        agencies = _directory(plan, rng, say)
    partitions_ensure(through=school_year_days(plan.school_year)[1])
    # Some officers log much more than others; the rate per officer-day is set so the expected total
    # (activity times each school day's seasonal weight) is the plan's.
    activity = {officer: float(rng.lognormal(0, 0.35)) for a in agencies for officer, _, _ in a.officers}
    expected = sum(
        activity[officer] * sum(_day_weight(day, n, len(days)) for n, day in enumerate(days))
        for a in agencies
        for officer, _, s in a.officers
        for days in [a.calendars[a.schools[s][1]]]
    )
    per_officer_day = plan.contacts / max(expected, 1.0)
    created = f"{school_year_days(plan.school_year)[1].isoformat()} 00:00:00"
    if connection.vendor == "postgresql":
        created += "+00:00"
    next_id = _first_free_id("interactions_interaction")
    result.agencies = len(agencies)
    result.districts = sum(len(a.calendars) for a in agencies)
    result.schools = sum(len(a.schools) for a in agencies)
    result.officers = sum(len(a.officers) for a in agencies)
    for number, agency in enumerate(agencies, start=1):
        rows, details = _contacts(agency, rng, per_officer_day, activity, next_id, created)
        with transaction.atomic():
            triggers_off = _without_triggers()
            _write("interactions_interaction", CONTACT_COLUMNS, rows)
            _write("interactions_enforcementdetail", DETAIL_COLUMNS, details)
            with connection.cursor() as cursor:
                cursor.execute(ROLLUP_SQL, [agency.pk])
                cursor.execute(_enforcement_sql(), [agency.pk])
                if triggers_off:  # the monthly and officer-month rollups' triggers were off too
                    cursor.execute(MONTHLY_SQL, [agency.pk])
                    cursor.execute(OFFICER_MONTHLY_SQL, [agency.pk])
                    # SET LOCAL lasts to the end of the outermost transaction, not this block's savepoint
                    # when the caller holds one (a test does): switch the triggers back on at once.
                    cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        next_id += len(rows)
        result.contacts += len(rows)
        result.enforcement += len(details)
        for row in rows:
            result.by_kind[row[6]] = result.by_kind.get(row[6], 0) + 1
        if number % 25 == 0 or number == len(agencies):
            say(f"contacts: {number} of {len(agencies)} agencies, {result.contacts:,} contacts")
    _advance_sequence("interactions_interaction")  # the details' own ids came from their sequence
    return result


def rows_digest() -> str:
    """A fingerprint of the generated contacts that does not depend on the database's ids (for the
    determinism test and a quick comparison of two runs)."""
    import hashlib

    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.uuid, s.nces_id, o.badge_number, i.kind, i.role, i.occurred_at, i.occurred_on,"
            " i.duration_minutes, i.student_count, e.action_type, e.race_ethnicity"
            " FROM interactions_interaction i JOIN directory_school s ON s.id = i.school_id"
            " JOIN directory_officer o ON o.id = i.officer_id"
            " LEFT JOIN interactions_enforcementdetail e ON e.interaction_id = i.id ORDER BY i.uuid"
        )
        for row in cursor.fetchall():
            digest.update(repr(tuple(str(v) for v in row)).encode())
    return digest.hexdigest()
