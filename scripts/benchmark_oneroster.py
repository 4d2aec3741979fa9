#!/usr/bin/env python3
"""Benchmark the OneRoster import: generate a synthetic roster, import it twice, print timings and memory.

    .venv/bin/python scripts/benchmark_oneroster.py                 # throwaway SQLite under var/benchmark/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_benchmark .venv/bin/python scripts/benchmark_oneroster.py

Without DATABASE_URL the database is a fresh SQLite file under var/benchmark/, migrated here.
With DATABASE_URL the import writes into that database (migrated here too): use a scratch one.
The first import creates the districts, schools and enrollment counts; the second re-imports
the same files, which checks everything again and changes nothing. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARK_DATA = ROOT / "var" / "benchmark"
GRADES = ["KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"]
SPANS = {"elementary": GRADES[0:6], "middle": GRADES[6:9], "high": GRADES[9:13]}
RACES = (
    "americanIndianOrAlaskaNative",
    "asian",
    "blackOrAfricanAmerican",
    "nativeHawaiianOrOtherPacificIslander",
    "white",
)
RACE_WEIGHTS = (1, 5, 15, 0.5, 55)
USER_HEADER = [
    "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds",
    "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
    "password",
]  # fmt: skip
DEMOGRAPHIC_HEADER = [
    "sourcedId", "status", "dateLastModified", "birthDate", "sex", *RACES, "demographicRaceTwoOrMoreRaces",
    "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth",
    "publicSchoolResidenceStatus",
]  # fmt: skip
ENROLLMENT_HEADER = [
    "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role",
    "primary", "beginDate", "endDate",
]  # fmt: skip


def configure_django() -> None:
    """Settings for a run from a fresh clone: no .env needed, SQLite under var/benchmark/ by default."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "liaison.settings"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-key-for-a-throwaway-database")
    os.environ.setdefault("STUDENT_KEY_SECRET", "benchmark-only-student-key-for-a-throwaway-database")
    os.environ.setdefault("HTTPS", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATA_DIR"] = str(BENCHMARK_DATA)
        for suffix in ("", "-wal", "-shm"):
            (BENCHMARK_DATA / f"liaison.sqlite3{suffix}").unlink(missing_ok=True)
    import django

    django.setup()


# --- the synthetic roster ----------------------------------------------------------------------


@dataclass(frozen=True)
class School:
    sourced_id: str
    nces_id: str
    grades: list[str]


def make_schools(districts: int, schools: int) -> tuple[list[tuple[str, str]], list[tuple[School, str]]]:
    """(district sourcedId, NCES id) pairs, and (school, district sourcedId) pairs: 60% elementary, 25% middle."""
    district_rows = [(f"dist-{d}", f"39{99000 + d:05d}") for d in range(1, districts + 1)]
    school_rows = []
    for s in range(schools):
        district_id, district_nces = district_rows[s % districts]
        kind = "elementary" if s % 20 < 12 else "middle" if s % 20 < 17 else "high"
        school = School(f"sch-{s + 1}", f"{district_nces}{s + 1:05d}", SPANS[kind])
        school_rows.append((school, district_id))
    return district_rows, school_rows


def write_orgs(folder: Path, districts: list[tuple[str, str]], schools: list[tuple[School, str]]) -> None:
    with open(folder / "orgs.csv", "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"])
        for sourced_id, nces in districts:
            writer.writerow([sourced_id, "active", "", f"Benchmark District {sourced_id}", "district", nces, ""])
        for school, district_id in schools:
            name = f"Benchmark School {school.sourced_id}"
            writer.writerow([school.sourced_id, "active", "", name, "school", school.nces_id, district_id])


def demographics_row(rng: random.Random, sourced_id: str) -> list[str]:
    flags = dict.fromkeys(RACES, "false")
    for race in rng.choices(RACES, RACE_WEIGHTS, k=2 if rng.random() < 0.04 else 1):
        flags[race] = "true"
    sex = rng.choices(("male", "female", "other", ""), (49, 49, 1, 1))[0]
    hispanic = "true" if rng.random() < 0.27 else "false"
    return [sourced_id, "active", "", "2012-01-01", sex, *flags.values(), "false", hispanic, "US", "OH", "", ""]


def students(count: int, schools: list[tuple[School, str]], rng: random.Random) -> Iterator[tuple[str, School, str]]:
    for i in range(count):
        school, district_id = schools[i % len(schools)]
        yield f"stu-{i:07d}", school, district_id


def write_people(folder: Path, count: int, schools: list[tuple[School, str]], seed: int) -> None:
    """users.csv, demographics.csv and enrollments.csv, streamed: 4 class enrollments per student."""
    rng = random.Random(seed)
    with ExitStack() as stack:
        users, demographics, enrollments = (
            csv.writer(stack.enter_context(open(folder / name, "w", newline="")))
            for name in ("users.csv", "demographics.csv", "enrollments.csv")
        )
        users.writerow(USER_HEADER)
        demographics.writerow(DEMOGRAPHIC_HEADER)
        enrollments.writerow(ENROLLMENT_HEADER)
        for sourced_id, school, district_id in students(count, schools, rng):
            grade = rng.choice(school.grades)
            users.writerow(
                [sourced_id, "active", "", "true", f"{district_id},{school.sourced_id}", "student", sourced_id, "",
                 f"Given{sourced_id[-4:]}", "Family", "", sourced_id, "", "", "", "", grade, ""]
            )  # fmt: skip
            demographics.writerow(demographics_row(rng, sourced_id))
            for period in range(1, 5):
                enrollments.writerow(
                    [f"enr-{sourced_id}-{period}", "active", "", f"cls-{school.sourced_id}-{grade}-{period}",
                     school.sourced_id, sourced_id, "student", "false", "", ""]
                )  # fmt: skip
        write_teachers(users, schools, count // 20)


def write_teachers(users: object, schools: list[tuple[School, str]], count: int) -> None:
    for i in range(count):
        school, district_id = schools[i % len(schools)]
        users.writerow(  # type: ignore[attr-defined]
            [f"tch-{i:06d}", "active", "", "true", f"{district_id},{school.sourced_id}", "teacher", f"t{i}", "",
             "Teacher", "Example", "", "", "", "", "", "", "", ""]
        )  # fmt: skip


def generate(folder: Path, *, districts: int, schools: int, count: int, seed: int) -> None:
    district_rows, school_rows = make_schools(districts, schools)
    write_orgs(folder, district_rows, school_rows)
    write_people(folder, count, school_rows, seed)
    with open(folder / "manifest.csv", "w", newline="") as out:
        csv.writer(out).writerows(
            [["propertyName", "value"], ["manifest.version", "1.0"], ["oneroster.version", "1.1"]]
        )


# --- the run ----------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def import_once(folder: Path, label: str, school_year: str) -> None:
    from liaison.directory.roster_imports import roster_import_run

    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = roster_import_run(path=folder, school_year=school_year, actor=None)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    if not outcome.succeeded:
        for error in outcome.errors[:20]:
            print(f"  {error}")
        raise SystemExit(f"{label}: the import failed with {outcome.error_count} errors")
    summary = outcome.summary
    print(
        f"{label}: {seconds:6.2f} s, {cpu_seconds:.2f} s CPU in this process "
        f"(read {summary['seconds']['read']} s, write {summary['seconds']['write']} s); "
        f"{summary['students']} students, {len(summary['per_school'])} schools; "
        f"schools {dict(summary['schools'])}, enrollments {dict(summary['enrollments'])}; "
        f"peak RSS so far {peak_rss_mb():.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--schools", type=int, default=60)
    parser.add_argument("--districts", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--school-year", default="2025-2026")
    options = parser.parse_args()

    configure_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']}); load average {load}")
    with tempfile.TemporaryDirectory(prefix="oneroster-benchmark-") as folder:
        started = time.perf_counter()
        generate(
            Path(folder),
            districts=options.districts,
            schools=options.schools,
            count=options.students,
            seed=options.seed,
        )
        sizes = {path.name: path.stat().st_size for path in sorted(Path(folder).iterdir())}
        print(
            f"Generated in {time.perf_counter() - started:.1f} s: "
            + ", ".join(f"{n} {s / 1e6:.1f} MB" for n, s in sizes.items())
        )
        print(f"Peak RSS before importing: {peak_rss_mb():.0f} MB")
        import_once(Path(folder), "First import (creates)", options.school_year)
        import_once(Path(folder), "Re-import (unchanged)", options.school_year)


if __name__ == "__main__":
    main()
