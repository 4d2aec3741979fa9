"""Server time of the records list, its counts and the API list over 1,000,000 contacts.

    .venv/bin/python scripts/benchmark_lists.py                      # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison .venv/bin/python scripts/benchmark_lists.py

Migrates a throwaway database, loads one agency's school year of contacts (COPY on PostgreSQL,
executemany on SQLite), rebuilds the daily rollups, then times each request in-process through
Django's test client (server time: no network, no gunicorn). The target is under 150 ms.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from throwaway_database import engine_name, throwaway_database  # noqa: E402

TARGET_MS = 150
SCHOOLS = 20
OFFICERS = 40
SCHOOL_DAYS = 200
# Forty school weeks ending this week, so the officer's home page has a full week of records.
FIRST_DAY = datetime.date.today() - datetime.timedelta(days=datetime.date.today().weekday(), weeks=39)
# Mostly positive contacts, a few enforcement actions; the last two are rare on purpose (a filter
# that matches a handful of rows scattered over the year is the hard case for a list).
KIND_WEIGHTS = [
    ("positive", "mentor", 550),
    ("instruction", "educator", 100),
    ("mentoring", "mentor", 100),
    ("family", "mentor", 50),
    ("staff", "law_enforcement", 80),
    ("safety", "law_enforcement", 80),
    ("referral", "mentor", 30),
    ("enforcement", "law_enforcement", 10),
]
RARE = ("safety", "educator")
RARE_COUNT = 12
COLUMNS = (
    "uuid", "agency_id", "district_id", "school_id", "officer_id", "kind", "role", "occurred_at", "occurred_on",
    "duration_minutes", "student_count", "grade_band", "setting", "initiated_by", "note", "staff_role", "service",
    "instead_of_enforcement", "source", "voided", "created_by_id", "created_at", "updated_at",
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15, help="requests per case (the median is reported)")
    args = parser.parse_args()
    with throwaway_database("bench_lists") as environment:
        os.environ.update(environment)
        os.environ.update(
            {
                "SECRET_KEY": "benchmark-only-key-for-a-throwaway-database",
                "STUDENT_KEY_SECRET": "benchmark-only-student-key-for-a-throwaway-database",
                "HTTPS": "false",
                "DEBUG": "false",
            }
        )
        os.environ["ALLOWED_HOSTS"] = "testserver"
        # The test settings serve static files without a collected manifest; DEBUG stays off.
        os.environ["DJANGO_SETTINGS_MODULE"] = "liaison.settings_test"
        import django

        django.setup()
        run(rows=args.rows, repeat=args.repeat)
        from django.db import connections

        connections.close_all()


def run(*, rows: int, repeat: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    world = seed_directory()
    started = time.perf_counter()
    seed_contacts(world, rows)
    print(f"{engine_name()}: loaded {rows:,} contacts and rebuilt rollups in {time.perf_counter() - started:.0f} s")
    print(f"{'case':<52} {'median ms':>10} {'max ms':>8}")
    for name, request in cases(world):
        times = timed(request, repeat)
        median, worst = statistics.median(times), max(times)
        flag = "" if median < TARGET_MS else "  over target"
        print(f"{name:<52} {median:>10.1f} {worst:>8.1f}{flag}")


# --- the directory: one agency serving one district of SCHOOLS schools ------------------------------------


def seed_directory() -> dict[str, Any]:
    from liaison.accounts.models import Membership, User
    from liaison.accounts.roles import Role
    from liaison.directory import services
    from liaison.directory.models import Agency, School

    root = User.objects.create_superuser("bench_root", password=None)
    agency = services.agency_create(
        actor=root, name="Capital City Police", kind=Agency.Kind.MUNICIPAL, state="MA", ori="MA0999900"
    )
    district = services.district_create(actor=root, name="Capital City Schools", state="MA", nces_id="2599999")
    services.partnership_create(actor=root, agency=agency, district=district, start_date=FIRST_DAY)
    schools = [
        services.school_create(
            actor=root,
            district=district,
            name=f"School {n:02d}",
            nces_id=f"2599999{n:05d}",
            level=School.Level.HIGH,
            lowest_grade=9,
            highest_grade=12,
        )
        for n in range(SCHOOLS)
    ]
    officers = [
        services.officer_create(
            actor=root, agency=agency, username=f"officer{n}", first_name="Pat", last_name=f"O{n}", badge_number=str(n)
        )
        for n in range(OFFICERS)
    ]
    users = {"officer": officers[0].user}
    for role, scope in (
        (Role.SUPERVISOR, {"agency": agency}),
        (Role.DISTRICT_ADMIN, {"district": district}),
        (Role.SCHOOL_ADMIN, {"school": schools[0]}),
    ):
        users[role] = User.objects.create_user(f"bench_{role}", password=None)
        Membership.objects.create(user=users[role], role=role, **scope)
    return {"root": root, "agency": agency, "district": district, "schools": schools, "officers": officers, **users}


# --- the contacts ---------------------------------------------------------------------------------------


def _days() -> list[datetime.date]:
    days, day = [], FIRST_DAY
    while len(days) < SCHOOL_DAYS:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _contacts(world: dict[str, Any], rows: int) -> Iterator[tuple]:
    random.seed(7)
    days = _days()
    kinds = random.choices(KIND_WEIGHTS, weights=[w for _, _, w in KIND_WEIGHTS], k=rows)
    rare = set(random.sample(range(rows), RARE_COUNT))
    ids = (world["agency"].pk, world["district"].pk, world["root"].pk)
    pairs = [(o.pk, world["schools"][n % SCHOOLS].pk) for n, o in enumerate(world["officers"])]
    now = datetime.datetime.now(datetime.UTC)
    for n in range(rows):
        day = days[n * len(days) // rows]
        moment = datetime.datetime.combine(day, datetime.time(12), datetime.UTC) + datetime.timedelta(
            seconds=random.randrange(-4 * 3600, 5 * 3600)
        )
        kind, role = RARE if n in rare else kinds[n][:2]
        officer_id, school_id = pairs[n % OFFICERS]
        yield (
            uuid.uuid4(), ids[0], ids[1], school_id, officer_id, kind, role, moment, day,
            random.choice((None, 5, 10, 30)), random.choice((None, 1, 3, 25)), "", "", "", "", "", "",
            None, "import", False, ids[2], now, now,
        )  # fmt: skip


def seed_contacts(world: dict[str, Any], rows: int) -> None:
    from django.db import connection, transaction

    from liaison.interactions.rollups import rollup_rebuild

    with transaction.atomic():
        if connection.vendor == "postgresql":
            _copy_postgres(_contacts(world, rows))
        else:
            _insert_sqlite(_contacts(world, rows))
        _enforcement_details(world)
    rollup_rebuild()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _copy_postgres(rows: Iterator[tuple]) -> None:
    from django.db import connection

    statement = f"COPY interactions_interaction ({', '.join(COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _insert_sqlite(rows: Iterator[tuple]) -> None:
    """executemany on the driver's own cursor, with the secondary indexes built after the load."""
    from django.db import connection

    adapt_datetime = connection.ops.adapt_datetimefield_value
    statement = f"INSERT INTO interactions_interaction ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"

    def adapted(row: tuple) -> tuple:
        values = list(row)
        values[0] = row[0].hex
        values[7], values[21], values[22] = adapt_datetime(row[7]), adapt_datetime(row[21]), adapt_datetime(row[22])
        values[8] = row[8].isoformat()
        return tuple(values)

    connection.ensure_connection()
    raw = connection.connection
    indexes = raw.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'interactions_interaction'"
        " AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in indexes:
        raw.execute(f'DROP INDEX "{name}"')
    raw.executemany(statement, (adapted(row) for row in rows))
    for _, sql in indexes:
        raw.execute(sql)


def _enforcement_details(world: dict[str, Any]) -> None:
    from liaison.interactions.models import EnforcementDetail, Interaction

    enforcement = Interaction.objects.filter(kind="enforcement").values_list("pk", flat=True).iterator()
    EnforcementDetail.objects.bulk_create(
        (
            EnforcementDetail(
                interaction_id=pk,
                agency_id=world["agency"].pk,
                action_type="warning",
                counts_as_referral=False,
                counts_as_arrest=False,
                reason_category="fight_no_injury",
                requested_by="administrator",
                admin_consulted=False,
                demographics_source="perceived",
            )
            for pk in enforcement
        ),
        batch_size=2000,
    )


# --- the requests ---------------------------------------------------------------------------------------


def cases(world: dict[str, Any]) -> list[tuple[str, Callable[[], Any]]]:
    from django.test import Client
    from django.urls import reverse

    def as_user(user: Any) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    supervisor, district_admin = as_user(world["supervisor"]), as_user(world["district_admin"])
    school_admin, officer = as_user(world["school_admin"]), as_user(world["officer"])
    page, api, counts = reverse("interactions:list"), "/api/v1/interactions", "/api/v1/interactions/counts"
    school, other_officer = str(world["schools"][3].uuid), str(world["officers"][5].uuid)
    second_page = _next_link(supervisor, page)
    api_second_page = supervisor.get(api).json()["next"]
    home = reverse("interactions:quick_log")
    month_start = FIRST_DAY + datetime.timedelta(weeks=20)
    month = {"since": str(month_start), "until": str(month_start + datetime.timedelta(days=30))}
    rare = {"kind": RARE[0], "role": RARE[1]}
    return [
        ("list page, supervisor, no filters", lambda: supervisor.get(page)),
        ("list page, supervisor, second page", lambda: supervisor.get(second_page)),
        ("list page, supervisor, one school", lambda: supervisor.get(page, {"school": school})),
        ("list page, supervisor, one officer", lambda: supervisor.get(page, {"officer": other_officer})),
        ("list page, supervisor, enforcement only", lambda: supervisor.get(page, {"kind": "enforcement"})),
        ("list page, supervisor, one month", lambda: supervisor.get(page, month)),
        (f"list page, supervisor, {RARE_COUNT} rare rows", lambda: supervisor.get(page, rare)),
        ("list page, supervisor, no match", lambda: supervisor.get(page, {"kind": "enforcement", "role": "mentor"})),
        ("list page, supervisor, void records shown", lambda: supervisor.get(page, {"include_void": "on"})),
        ("list page, district admin, no filters", lambda: district_admin.get(page)),
        ("list page, school admin, no filters", lambda: school_admin.get(page)),
        ("list page, officer (own records)", lambda: officer.get(page)),
        ("officer's home page (quick log, today and this week)", lambda: officer.get(home)),
        ("API list, supervisor, no filters", lambda: supervisor.get(api)),
        ("API list, supervisor, second page", lambda: supervisor.get(api_second_page)),
        ("API list, supervisor, enforcement only", lambda: supervisor.get(api, {"kind": "enforcement"})),
        ("API counts, supervisor, no filters", lambda: supervisor.get(counts)),
        ("API counts, district admin, one month", lambda: district_admin.get(counts, month)),
    ]


def _next_link(client: Any, page: str) -> str:
    import re

    html = client.get(page).content.decode()
    found = re.search(r'href="\?([^"]*cursor=[^"]*)"', html)
    return f"{page}?{found.group(1)}".replace("&amp;", "&") if found else page


def timed(request: Callable[[], Any], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = request()
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"unexpected status {response.status_code}: {response.content[:300]!r}")
    return times


if __name__ == "__main__":
    main()
