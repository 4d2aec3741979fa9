"""Build and audit a district's restricted figures; serve a stored snapshot.

    .venv/bin/python scripts/benchmark_disclosure.py                 # SQLite for the serving part
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison .venv/bin/python scripts/benchmark_disclosure.py

1. Build + audit: the table an evaluator's snapshot is protected as — the equity analysis (four
   decision points × eight groups, each point's total, every rate and index) and the CRDC counts of
   SCHOOLS schools (instances, actions without a student key, unique students split four ways, for
   referrals and arrests), linked by each point's total being the sum of the schools' instances —
   with counts drawn so that many cells are small, through `protect` (primary and complementary
   suppression, repeated LP audits until every small hidden cell is protected). Target: under 10 s.
2. Serving: a stored snapshot of that size, read by the evaluator's API request in-process through
   Django's test client (server time). Target: under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from throwaway_database import engine_name, throwaway_database  # noqa: E402

BUILD_TARGET_S = 10
SERVE_TARGET_MS = 100
RACES = ("hispanic_latino", "american_indian_alaska_native", "asian", "native_hawaiian_pacific_islander", "black")
RACES += ("white", "two_or_more_races", "unknown")
SPLITS = {
    "sex": ("female", "male", "nonbinary", "unknown"),
    "disability": ("idea", "504_only", "none", "unknown"),
    "english_learner": ("yes", "no", "unknown"),
}
POINTS = ("referral", "citation", "arrest", "court_referral")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the build (the median is reported)")
    args = parser.parse_args()
    with throwaway_database("bench_disclosure") as environment:
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
        os.environ["DJANGO_SETTINGS_MODULE"] = "liaison.settings_test"
        import django

        django.setup()
        table = build_and_audit(args.schools, args.repeat)
        serve(args.schools, table)
        from django.db import connections

        connections.close_all()


def district_table(schools: int, seed: int = 2026):  # type: ignore[no-untyped-def]
    """The joint equity + CRDC table of a district, with realistic small counts."""
    from liaison.insights.disclosure import crdc_kind_cells, equity_table, subset_of
    from liaison.lib.disclosure import Table

    rng = random.Random(seed)
    table = Table()
    by_point: dict[str, dict[str, int]] = {point: dict.fromkeys(RACES, 0) for point in POINTS}
    instances: dict[str, list[tuple[int, str, str]]] = {"referral": [], "arrest": []}
    for school in range(schools):
        size = rng.choice((0, 2, 5, 8, 14, 25, 40))
        for kind, point, share in (("referred", "referral", 1.0), ("arrested", "arrest", 0.3)):
            count = round(size * share)
            races = [rng.choices(RACES, weights=(25, 1, 5, 1, 20, 40, 5, 3))[0] for _ in range(count)]
            for race in races:
                by_point[point][race] += 1
            splits = {"race": {race: races.count(race) for race in RACES}}
            for split, values in SPLITS.items():
                drawn = [rng.choice(values) for _ in range(count)]
                splits[split] = {value: drawn.count(value) for value in values}
            without_key = rng.choice((0, 0, 0, 1, 3)) if count else 0
            without_key = min(without_key, count)
            crdc_kind_cells(
                table,
                (school, kind),
                instances=count,
                without_key=without_key,
                students=None if without_key else count,
                splits={} if without_key else splits,
                reported=None,
            )
            instances[point].append((school, kind, "instances"))
        subset_of(table, [((school, "arrested", "instances"), (school, "referred", "instances"))])
    for race in RACES:  # citations and court referrals: a share of each group's referrals
        by_point["citation"][race] = by_point["referral"][race] // 4
        by_point["court_referral"][race] = by_point["referral"][race] // 6
        by_point["arrest"][race] = min(by_point["arrest"][race], by_point["referral"][race])
    joint = equity_table(by_point, groups=list(RACES), reference="white", first="referral").merge(table)
    for point, cells in instances.items():
        joint.relate((point, "total"), cells)
    return joint


def build_and_audit(schools: int, repeat: int):  # type: ignore[no-untyped-def]
    from liaison.lib.disclosure import protect
    from liaison.lib.disclosure_audit import audit

    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        table = district_table(schools)
        released = protect(table)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    cells = len(table.cells)
    check = audit(table, released.hidden, threshold=10)
    median = statistics.median(times)
    flag = "" if median < BUILD_TARGET_S else "  over target"
    print(f"{schools} schools: {cells} cells, {len(table.relations)} relations, {len(table.bands)} bands")
    print(f"  small cells {len(released.primary)}, hidden in all {len(released.hidden)}; audit passes: {check.passed}")
    print(f"  build + protect + audit: median {median:.2f} s wall, {statistics.median(cpu):.2f} s CPU{flag}")
    return released


def serve(schools: int, released) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command
    from django.test import Client

    from liaison.accounts.models import Membership, User
    from liaison.accounts.roles import Role
    from liaison.directory.models import District
    from liaison.insights.figures import CRDC, EQUITY
    from liaison.insights.models import FigureSnapshot

    call_command("migrate", verbosity=0)
    district = District.objects.create(name="Capital City Schools", state="MA", nces_id="2599999")
    evaluator = User.objects.create_user("bench_evaluator", password=None)
    Membership.objects.create(user=evaluator, role=Role.EVALUATOR, district=district)
    school_year = "2024-2025"
    splits = {split: {value: 3 for value in values} for split, values in SPLITS.items()}
    kind = {
        "instances": 12,
        "school_reported": None,
        "school_reported_entered": False,
        "gap": None,
        "without_student_key": 0,
        "students_collected": True,
        "students": 12,
        "splits": {"race": {race: None for race in RACES}, **splits},
    }
    crdc = {
        "district": str(district.uuid),
        "school_year": school_year,
        "every_agency": True,
        "suppressed": True,
        "schools": [
            {"school": str(district.uuid), "name": f"School {n}", "nces_id": f"{n}", "referred": kind, "arrested": kind}
            for n in range(schools)
        ],
    }
    scope = f"district:{district.uuid}"
    FigureSnapshot.objects.create(figure=CRDC, scope=scope, period=school_year, district=district, payload=crdc)
    FigureSnapshot.objects.create(figure=EQUITY, scope=scope, period=school_year, district=district, payload={})
    client = Client()
    client.force_login(evaluator, backend="django.contrib.auth.backends.ModelBackend")
    url = f"/api/v1/insights/crdc/{district.uuid}?school_year={school_year}"
    assert client.get(url).status_code == 200
    times, cpu = [], []
    for _ in range(30):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    assert response.status_code == 200, response.content[:300]
    median = statistics.median(times)
    flag = "" if median < SERVE_TARGET_MS else "  over target"
    size = len(response.content) // 1024
    print(f"{engine_name()}: serving the stored CRDC snapshot of {schools} schools ({size} KB of JSON)")
    print(f"  median {median:.1f} ms wall ({statistics.median(cpu):.1f} ms CPU), max {max(times):.1f} ms{flag}")


if __name__ == "__main__":
    main()
