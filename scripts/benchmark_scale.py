"""Server time of the pages and API lists each role uses, on a database filled by `generate_scale`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/q19_scale_bench1m DEBUG=true \\
        .venv/bin/python manage.py generate_scale state --officers 150 --contacts 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/q19_scale_bench1m .venv/bin/python scripts/benchmark_scale.py

Unlike the other benchmarks this one does not make a throwaway database: it reads the one named by
DATABASE_URL (generating ten million contacts takes longer than measuring them). It adds four
logins (a supervisor, a district admin and a principal at the agency with the most contacts, whose
district and school they manage, and one of that agency's officers), then times each request
in-process through Django's test client (server time: no network, no gunicorn; DEBUG off) and
reports the median and the 95th percentile of wall time and of CPU time (Django's plus the PostgreSQL
backend's: on a shared machine the steadier figure). The target is 300 ms at the 95th percentile. It also
prints the database's size and the size of each large table, per million contacts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 300
LARGE_TABLES = (
    "interactions_interaction", "interactions_enforcementdetail", "interactions_dailyrollup",
    "interactions_monthlyrollup", "interactions_enforcementrollup", "interactions_officermonthrollup",
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20, help="requests per case")
    parser.add_argument("--agency", choices=("largest", "median"), default="largest")
    parser.add_argument("--skip", default="", help="leave out the cases whose name contains this (e.g. 'equity')")
    parser.add_argument(
        "--agency-contacts",
        type=int,
        default=0,
        help="use the agency whose contacts are nearest this number (to compare tenants of one size in "
        "databases of different sizes)",
    )
    args = parser.parse_args()
    setup_generated_database()
    sizes()
    world = logins(args.agency, args.agency_contacts)
    print(
        f"agency {world['agency'].name}: {world['agency_contacts']:,} contacts; "
        f"district {world['district'].name}; school {world['school'].name}"
    )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'case':<58} {'median ms':>10} {'p95 ms':>8} {'CPU median':>10} {'CPU p95':>8}")
    for name, request in cases(world):
        if args.skip and any(word in name for word in args.skip.split(",")):
            continue
        try:
            times, cpu = timed(request, args.repeat)
        except RuntimeError as error:
            print(f"{name:<58} {error}", flush=True)
            continue
        median, p95 = statistics.median(times), statistics.quantiles(times, n=20)[-1]
        cpu_median, cpu_p95 = statistics.median(cpu), statistics.quantiles(cpu, n=20)[-1]
        flag = "" if cpu_p95 < TARGET_MS else "  over target"
        print(f"{name:<58} {median:>10.1f} {p95:>8.1f} {cpu_median:>10.1f} {cpu_p95:>8.1f}{flag}", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}")


def setup_generated_database() -> None:
    """Django set up on the PostgreSQL database DATABASE_URL names (one `generate_scale` filled), with
    benchmark-only secrets, DEBUG off and requests through the test client allowed."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database generate_scale filled.")
    os.environ.update(
        {
            "SECRET_KEY": "benchmark-only-key-for-a-generated-database-0123456789",
            "STUDENT_KEY_SECRET": "benchmark-only-student-key-for-a-generated-database",
            "HTTPS": "false",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "liaison.settings_test",
        }
    )
    import django

    django.setup()


def sizes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM interactions_interaction")
        contacts = cursor.fetchone()[0]
        cursor.execute("SELECT pg_database_size(current_database())")
        database = cursor.fetchone()[0]
        mib = database / 2**20
        print(f"{contacts:,} contacts; database {mib:,.0f} MiB, {mib / contacts * 1e6:,.0f} MiB per million")
        for table in LARGE_TABLES:
            # A partitioned table's size is the sum of its partitions'.
            cursor.execute(
                "SELECT coalesce(sum(pg_total_relation_size(relid)), 0), count(*) FROM pg_partition_tree(%s::regclass)"
                " WHERE isleaf",
                [table],
            )
            size = int(cursor.fetchone()[0])
            if not size:  # not partitioned
                cursor.execute("SELECT pg_total_relation_size(%s::regclass)", [table])
                size = int(cursor.fetchone()[0])
            cursor.execute(f"SELECT count(*) FROM {table}")
            rows = cursor.fetchone()[0]
            mib = size / 2**20
            print(f"  {table:<34} {rows:>12,} rows {mib:>9,.0f} MiB {mib / contacts * 1e6:>7,.1f} MiB per million")


def logins(which: str, near: int = 0) -> dict[str, Any]:
    from django.db.models import Count, Sum

    from liaison.accounts.models import Membership, User
    from liaison.accounts.roles import Role
    from liaison.directory.models import Agency, Officer, Partnership, School
    from liaison.interactions.models import MonthlyRollup

    totals = list(
        MonthlyRollup.objects.values_list("agency_id")
        .annotate(n=Count("*"))
        .order_by("-n")
        .values_list("agency_id", flat=True)
    )
    agency_id = totals[0] if which == "largest" else totals[len(totals) // 2]
    if near:
        per_agency = MonthlyRollup.objects.values_list("agency_id").annotate(n=Sum("count"))
        agency_id = min(per_agency, key=lambda row: abs(row[1] - near))[0]
    agency = Agency.objects.get(pk=agency_id)
    contacts = MonthlyRollup.objects.filter(agency=agency).aggregate(n=Sum("count"))["n"]
    district = Partnership.objects.filter(agency=agency).select_related("district").first().district
    school = School.objects.filter(district=district).order_by("pk").first()
    officer = Officer.objects.filter(agency=agency, assignments__school=school).select_related("user").first()
    officer = officer or Officer.objects.filter(agency=agency).select_related("user").first()
    # Databases generated before the generator made officers' memberships lack this one.
    Membership.objects.get_or_create(user=officer.user, role=Role.OFFICER, agency=agency)
    users: dict[str, Any] = {"officer": officer.user}
    for role, scope in (
        (Role.SUPERVISOR, {"agency": agency}),
        (Role.DISTRICT_ADMIN, {"district": district}),
        (Role.SCHOOL_ADMIN, {"school": school}),
    ):
        user, _ = User.objects.get_or_create(username=f"bench_scale_{role}_{agency.pk}")
        Membership.objects.get_or_create(user=user, role=role, **scope)
        users[role] = user
    return {
        "agency": agency,
        "agency_contacts": contacts,
        "district": district,
        "school": school,
        "officer_record": officer,
        **users,
    }


def cases(world: dict[str, Any]) -> list[tuple[str, Callable[[], Any]]]:
    from django.test import Client
    from django.urls import reverse

    from liaison.accounts.roles import Role

    def as_user(user: Any) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    officer, supervisor = as_user(world["officer"]), as_user(world[Role.SUPERVISOR])
    district_admin, principal = as_user(world[Role.DISTRICT_ADMIN]), as_user(world[Role.SCHOOL_ADMIN])
    agency, district, school = str(world["agency"].uuid), str(world["district"].uuid), str(world["school"].uuid)
    records, api, counts = reverse("interactions:list"), "/api/v1/interactions", "/api/v1/interactions/counts"
    presence_api = "/api/v1/programs/presence/schools"
    month = {"since": "2026-02-01", "until": "2026-02-28"}
    weeks = {"since": "2026-02-09", "until": "2026-03-13"}
    year = {"school_year": "2025-2026"}
    agency_page = reverse("directory:agency_detail", args=[agency])
    school_page = reverse("directory:school_detail", args=[school])
    district_page = reverse("directory:district_detail", args=[district])
    equity, crdc = reverse("insights:equity", args=[district]), reverse("insights:crdc", args=[district])
    return [
        ("officer: home page (quick log, today and this week)", lambda: officer.get(reverse("interactions:quick_log"))),
        ("officer: own records list", lambda: officer.get(records)),
        ("officer: API own records", lambda: officer.get(api)),
        ("officer: API week summary", lambda: officer.get("/api/v1/interactions/summary/week")),
        ("supervisor: records list, no filters", lambda: supervisor.get(records)),
        ("supervisor: records list, one school", lambda: supervisor.get(records, {"school": school})),
        ("supervisor: records list, enforcement only", lambda: supervisor.get(records, {"kind": "enforcement"})),
        ("supervisor: records list, one month", lambda: supervisor.get(records, month)),
        ("supervisor: records list, five weeks across months", lambda: supervisor.get(records, weeks)),
        ("supervisor: API list", lambda: supervisor.get(api)),
        ("supervisor: API counts, whole year", lambda: supervisor.get(counts)),
        ("supervisor: API counts, five weeks", lambda: supervisor.get(counts, weeks)),
        ("supervisor: agency page", lambda: supervisor.get(agency_page)),
        ("supervisor: presence (days at schools)", lambda: supervisor.get(reverse("programs:presence"), year)),
        ("supervisor: API presence, first page of schools (50)", lambda: supervisor.get(presence_api, year)),
        ("supervisor: API presence, a page of 100 schools",
         lambda: supervisor.get(presence_api, {**year, "limit": 100, "offset": 100})),
        ("supervisor: API presence, every officer", lambda: supervisor.get("/api/v1/programs/presence/officers", year)),
        ("supervisor: MOU reviews", lambda: supervisor.get(reverse("agreements:reviews"))),
        ("principal: records list (one school)", lambda: principal.get(records)),
        ("principal: API counts (one school)", lambda: principal.get(counts)),
        ("principal: school page", lambda: principal.get(school_page)),
        ("district admin: records list", lambda: district_admin.get(records)),
        ("district admin: API counts, whole year", lambda: district_admin.get(counts)),
        ("district admin: district page", lambda: district_admin.get(district_page)),
        ("district admin: equity, 2025-2026", lambda: district_admin.get(equity, year)),
        ("district admin: CRDC counts, 2025-2026", lambda: district_admin.get(crdc, year)),
        ("district admin: API equity", lambda: district_admin.get(f"/api/v1/insights/equity/{district}", year)),
    ]  # fmt: skip


def timed(request: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock times, and the CPU each request used here (Django) plus in its PostgreSQL backend.

    On a machine shared with other work, wall time mostly measures the queue for a core; the CPU sum
    is what the request costs, and about its server time on an idle machine (the data is in memory).
    """
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu, started_db = time.perf_counter(), time.process_time(), backend_cpu()
        response = request()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu + backend_cpu() - started_db) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"status {response.status_code} {response.get('Location', '')}")
    return times, cpu


def backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (a server on this machine; the
    connection is kept between requests, DB_CONN_MAX_AGE)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
