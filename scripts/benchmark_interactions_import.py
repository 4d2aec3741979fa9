#!/usr/bin/env python3
"""Benchmark the contacts CSV import: 1,000,000 rows, through `manage.py import_interactions`.

    .venv/bin/python scripts/benchmark_interactions_import.py                 # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison .venv/bin/python scripts/benchmark_interactions_import.py

Creates a throwaway database (SQLite in a temporary folder, or NAME_bench_import next to the
PostgreSQL database named), migrates it, adds one agency with its districts, schools and officers,
writes a deterministic CSV (a school year of contacts, mostly positive, about 1.5% enforcement
actions, every row with a client_uuid), imports it with the management command, checks the counts
and the rollups, and prints rows per second, seconds and peak RSS. `--again` imports the same file
a second time (every row is skipped as already imported). Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import random
import resource
import sys
import tempfile
import time
import uuid
import zoneinfo
from contextlib import nullcontext
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from throwaway_database import engine_name, throwaway_database  # noqa: E402

ZONE = zoneinfo.ZoneInfo("America/Chicago")
BENCH_ORI = "IL0990000"
FIRST_DAY = datetime.date(2025, 8, 25)
SCHOOL_WEEKS = 38
DISTRICTS = 3
SCHOOLS_PER_DISTRICT = 15
OFFICERS = 60
# kind, weight (per 1,000 rows): mostly positive contacts, a few enforcement actions.
KINDS = (
    ("positive", 520), ("instruction", 110), ("mentoring", 110), ("family", 45), ("staff", 90), ("safety", 80),
    ("referral", 30), ("enforcement", 15),
)  # fmt: skip
HEADER = (
    "client_uuid", "badge_number", "school_nces_id", "kind", "role", "occurred_at", "duration_minutes",
    "student_count", "grade_band", "setting", "initiated_by", "note", "staff_role", "service",
    "instead_of_enforcement", "action_type", "reason_category", "nibrs_code", "requested_by", "admin_consulted",
    "admin_consulted_role", "student_grade", "race_ethnicity", "sex", "disability", "english_learner",
    "demographics_source", "rms_report_number",
)  # fmt: skip
NOTES = ("Lunch duty, talked about the game", "Helped with the bus line", "Career day questions", "Cafeteria visit")
SETTINGS = ("hallway", "cafeteria", "classroom", "gym", "athletic_field", "office", "parking_lot", "")
ACTIONS = (
    ("warning", "verbal_conflict", ""),
    ("search", "weapon", "520"),
    ("referral_to_law_enforcement", "assault_with_injury", "13A"),
    ("noncriminal_citation", "tobacco_vaping", ""),
    ("arrest", "drug_distribution", "35A"),
    ("court_referral", "significant_theft", "23D"),
)
RACES = ("white", "black", "hispanic_latino", "asian", "two_or_more_races", "unknown")


# --- the file ---------------------------------------------------------------------------------------


def school_ids() -> list[str]:
    return [f"17{d:05d}{s:05d}" for d in range(1, DISTRICTS + 1) for s in range(1, SCHOOLS_PER_DISTRICT + 1)]


def moment(rng: random.Random) -> str:
    """A school-day time in the agency's zone: most with an offset, some as local date and time."""
    day = FIRST_DAY + datetime.timedelta(weeks=rng.randrange(SCHOOL_WEEKS), days=rng.randrange(5))
    local = datetime.datetime.combine(day, datetime.time(7 + rng.randrange(9), rng.randrange(60)), tzinfo=ZONE)
    return local.isoformat() if rng.random() < 0.8 else local.strftime("%Y-%m-%d %H:%M")


def enforcement_cells(rng: random.Random, line: int) -> list[str]:
    action, reason, nibrs = rng.choice(ACTIONS)
    consulted = rng.random() < 0.6
    return [
        action, reason, nibrs, rng.choice(("administrator", "teacher", "self", "dispatch")),
        "true" if consulted else "false", "administrator" if consulted else "", rng.choice(("09", "10", "11", "12")),
        rng.choice(RACES), rng.choice(("male", "female")), rng.choice(("none", "idea", "504_only", "unknown")),
        rng.choice(("yes", "no", "unknown")), rng.choice(("perceived", "school_record")), f"25-{line:06d}",
    ]  # fmt: skip


def contact_row(rng: random.Random, schools: list[str], kinds: list[str], line: int) -> list[str]:
    kind = rng.choice(kinds)
    officer = rng.randrange(OFFICERS)
    row = [
        str(uuid.UUID(int=rng.getrandbits(128), version=4)), f"B{officer:03d}", schools[officer % len(schools)],
        kind, "", moment(rng), str(rng.randrange(1, 60)) if rng.random() < 0.7 else "",
        str(rng.randrange(1, 30)) if rng.random() < 0.6 else "", rng.choice(("9_12", "6_8", "3_5", "")),
        rng.choice(SETTINGS), rng.choice(("officer", "student", "staff", "")),
        rng.choice(NOTES) if rng.random() < 0.05 else "", "counselor" if kind == "staff" else "",
        "counselling" if kind == "referral" else "", "true" if kind == "referral" and rng.random() < 0.3 else "",
    ]  # fmt: skip
    return row + (enforcement_cells(rng, line) if kind == "enforcement" else [""] * 13)


def write_csv(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    kinds = [kind for kind, weight in KINDS for _ in range(weight)]
    schools = school_ids()
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for line in range(2, rows + 2):
            writer.writerow(contact_row(rng, schools, kinds, line))


# --- the program ------------------------------------------------------------------------------------


def seed_program() -> Any:
    """One agency serving three districts' schools, with OFFICERS officers (badges B000…)."""
    from liaison.directory import services
    from liaison.directory.models import Agency, School

    actor = None
    agency = services.agency_create(
        actor=actor, name="Benchmark Police", kind=Agency.Kind.MUNICIPAL, state="IL", ori=BENCH_ORI,
        time_zone=ZONE.key,
    )  # fmt: skip
    for d in range(1, DISTRICTS + 1):
        district = services.district_create(actor=actor, name=f"District {d}", state="IL", nces_id=f"17{d:05d}")
        services.partnership_create(actor=actor, agency=agency, district=district, start_date=FIRST_DAY)
        for s in range(1, SCHOOLS_PER_DISTRICT + 1):
            services.school_create(
                actor=actor, district=district, name=f"School {d}-{s}", nces_id=f"17{d:05d}{s:05d}",
                level=School.Level.HIGH, lowest_grade=9, highest_grade=12,
            )  # fmt: skip
    for o in range(OFFICERS):
        services.officer_create(
            actor=actor, agency=agency, username=f"officer{o}", first_name="Officer", last_name=f"N{o}",
            badge_number=f"B{o:03d}", rank="Officer",
        )  # fmt: skip
    return agency


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def server_cpu_seconds() -> float | None:
    """CPU used so far by this connection's PostgreSQL backend (a local server), or None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def import_file(path: Path, agency: Any, label: str, rows: int) -> None:
    """Time the command; on a busy machine the CPU seconds of each side say more than the clock."""
    from django.core.management import call_command

    cpu, server, started = own_cpu_seconds(), server_cpu_seconds(), time.perf_counter()
    call_command("import_interactions", str(path), agency=str(agency.uuid), no_progress=True, verbosity=0)
    seconds = time.perf_counter() - started
    cpu, server_after = own_cpu_seconds() - cpu, server_cpu_seconds()
    used = f"CPU {cpu:.1f} s here" + (f", {server_after - server:.1f} s in PostgreSQL" if server is not None else "")
    print(f"{label}: {seconds:.1f} s, {rows / seconds:,.0f} rows/s ({used}); peak RSS so far {peak_rss_mb():.0f} MB; "
          f"load average {load_average()}")  # fmt: skip
    print(f"  phases (wall s): {phases()}")


def load_average() -> str:
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


def phases() -> str:
    """Where the last import's time went, from its summary ("write" includes checking the rows)."""
    from liaison.interactions.models import InteractionImport

    job = InteractionImport.objects.order_by("-id").first()
    spent = (job.summary or {}).get("phases", {}) if job else {}
    return ", ".join(f"{name} {seconds:.1f}" for name, seconds in spent.items()) or "none recorded"


def check_counts(rows: int) -> None:
    from django.db.models import Sum

    from liaison.interactions.models import DailyRollup, EnforcementDetail, Interaction

    # Only the benchmark's agency: with --existing, the table holds other agencies' contacts too.
    agency = {"agency__ori": BENCH_ORI}
    stored = Interaction.objects.filter(**agency).count()
    counted = DailyRollup.objects.filter(**agency).aggregate(n=Sum("count"))["n"]
    enforcement = EnforcementDetail.objects.filter(**agency).count()
    print(f"Stored {stored:,} contacts ({enforcement:,} enforcement actions); the rollups count {counted:,}")
    if not stored == counted == rows:
        raise SystemExit("The counts do not match the file")


# --- the floor: the same rows bulk-inserted raw into an identical empty table --------------------------

BASELINE = "benchmark_raw_insert"
TABLE = "interactions_interaction"
COLUMNS = (
    "uuid", "agency_id", "district_id", "school_id", "officer_id", "kind", "role", "occurred_at", "occurred_on",
    "duration_minutes", "student_count", "grade_band", "setting", "initiated_by", "note", "staff_role", "service",
    "instead_of_enforcement", "created_by_id", "source", "voided", "created_at", "updated_at",
)  # fmt: skip


def raw_insert_baseline(folder: Path, rows: int, agency_id: int) -> None:
    """Time a raw COPY (PostgreSQL) or executemany (SQLite) of the imported rows (the benchmark agency's) into
    an empty table with the same indexes and foreign keys, no checking: what the import would cost if
    checking and formatting were free."""
    from django.db import connection, transaction

    if connection.vendor == "postgresql":
        _clone_postgresql()
    copy = _copy_postgresql if connection.vendor == "postgresql" else _executemany_sqlite
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as the import sets them
        else:
            _clone_sqlite()
        cpu, server, started = own_cpu_seconds(), server_cpu_seconds(), time.perf_counter()
        copy(folder, agency_id)
        seconds = time.perf_counter() - started
        cpu, server_after = own_cpu_seconds() - cpu, server_cpu_seconds()
        transaction.set_rollback(True)
    if connection.vendor == "postgresql":
        _drop_postgresql_clone()
    used = f"CPU {cpu:.1f} s here" + (f", {server_after - server:.1f} s in PostgreSQL" if server is not None else "")
    print(f"Raw bulk insert of the same rows, same indexes and foreign keys: {seconds:.1f} s, "
          f"{rows / seconds:,.0f} rows/s ({used}); load average {load_average()}")  # fmt: skip


def _clone_postgresql() -> None:
    """The owner creates the copy of the table (the application's role may not create tables) and lets
    the application's role write to it: the baseline COPY runs as the same role as the import."""
    from liaison.accounts.db_roles import application_role, as_owner, owner_credentials

    with as_owner() as connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {BASELINE} (LIKE {TABLE} INCLUDING ALL)")
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
            [TABLE],
        )
        for (definition,) in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {BASELINE} ADD {definition}")
        if owner_credentials() is not None:
            cursor.execute(f'GRANT SELECT, INSERT ON {BASELINE} TO "{application_role()}"')


def _drop_postgresql_clone() -> None:
    from liaison.accounts.db_roles import as_owner

    with as_owner() as connection, connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {BASELINE}")


def _copy_postgresql(folder: Path, agency_id: int) -> None:
    from django.db import connection

    dump = folder / "rows.copy"
    names = ", ".join(COLUMNS)
    # Only the imported agency's rows: with --existing the table holds millions of others.
    rows = f"SELECT {names} FROM {TABLE} WHERE agency_id = {int(agency_id)}"
    with connection.cursor() as cursor, open(dump, "wb") as out:
        with cursor.cursor.copy(f"COPY ({rows}) TO STDOUT") as copy:
            for block in copy:
                out.write(block)
    with connection.cursor() as cursor, open(dump, "rb") as data:
        with cursor.cursor.copy(f"COPY {BASELINE} ({names}) FROM STDIN") as copy:
            while block := data.read(1 << 20):
                copy.write(block)


def _clone_sqlite() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL", [TABLE])
        for (ddl,) in cursor.fetchall():
            cursor.execute(ddl.replace(f'"{TABLE}"', f'"{BASELINE}"').replace('INDEX "', f'INDEX "{BASELINE}_'))


def _executemany_sqlite(folder: Path, agency_id: int) -> None:
    from django.db import connection

    names = ", ".join(COLUMNS)
    statement = f"INSERT INTO {BASELINE} ({names}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    with connection.cursor() as reader, connection.cursor() as writer:
        reader.execute(f"SELECT {names} FROM {TABLE} WHERE agency_id = %s", [agency_id])
        while batch := reader.fetchmany(25_000):
            writer.executemany(statement, batch)


def run(*, rows: int, seed: int, again: bool, keep: Path | None, baseline: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    agency = seed_program()
    role = connection.settings_dict["USER"]
    print(f"{engine_name()} ({connection.vendor}, role {role or '-'}); {os.cpu_count()} CPUs; load {load_average()}")
    with tempfile.TemporaryDirectory(prefix="contacts-import-") as folder:
        path = keep or Path(folder) / "contacts.csv"
        started = time.perf_counter()
        made = not path.exists()
        if made:
            write_csv(path, rows, seed)
        size = path.stat().st_size / 1e6
        print(f"{'Wrote' if made else 'Reused'} {rows:,} rows ({size:.0f} MB) in {time.perf_counter() - started:.1f} s")
        print(f"Peak RSS before importing: {peak_rss_mb():.0f} MB")
        import_file(path, agency, "Import", rows)
        check_counts(rows)
        if baseline:
            raw_insert_baseline(Path(folder), rows, agency.pk)
        if again:
            import_file(path, agency, "Same file again (every row already imported)", rows)
            check_counts(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--again", action="store_true", help="import the same file a second time")
    parser.add_argument("--csv", type=Path, help="keep the generated file here (and reuse it if it is there)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the raw bulk insert for comparison")
    parser.add_argument(
        "--single-role",
        action="store_true",
        help="PostgreSQL: connect as DATABASE_URL's role throughout (by default it only migrates, and the "
        "import and the baseline run as a new role with the application's privileges only)",
    )
    parser.add_argument(
        "--existing",
        action="store_true",
        help="PostgreSQL: import into DATABASE_URL's database as it is (e.g. one `generate_scale` filled with "
        "millions of contacts) instead of a new empty one; the file's agency is added to what is there",
    )
    args = parser.parse_args()
    context = nullcontext({}) if args.existing else throwaway_database("bench_import", app_role=not args.single_role)
    with context as environment:
        os.environ.update(environment)
        secret = "benchmark-only-" + "x" * 40
        os.environ.update({"SECRET_KEY": secret, "STUDENT_KEY_SECRET": secret + "-students"})
        os.environ.update({"HTTPS": "false", "DEBUG": "false", "LOG_LEVEL": "WARNING"})
        os.environ["DJANGO_SETTINGS_MODULE"] = "liaison.settings"
        import django

        django.setup()
        run(rows=args.rows, seed=args.seed, again=args.again, keep=args.csv, baseline=not args.no_baseline)
        from django.db import connections

        connections.close_all()


if __name__ == "__main__":
    main()
