"""Benchmark the annual program report of a 15-school district: every section and the tagged PDF.

    .venv/bin/python scripts/benchmark_report.py                 # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison .venv/bin/python scripts/benchmark_report.py

Creates a throwaway database, one agency serving one district of 15 schools with 15 officers (one
assigned to each school), a school calendar, enrollment by race/ethnicity, and a school year of
contacts imported through `manage.py import_interactions` (the contacts benchmark's generator:
mostly positive, about 1.5% enforcement actions). Then it builds the district's report for its
leaders, and the evaluators' version, as the background task does (`report_build`: every section from
the pages' selectors, the HTML, the PDF), and prints the time of each. Target: under 10 s.
Results: docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/q19_scale_bench10m \
        .venv/bin/python scripts/benchmark_report.py --existing --schools 15 390 [--audience full]

`--existing` builds the reports of districts already in the database DATABASE_URL names (one that
`generate_scale` filled, with its 2025-2026 school year): for each number given, the district whose
count of schools is nearest it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import benchmark_interactions_import as contacts  # noqa: E402
from throwaway_database import engine_name, throwaway_database  # noqa: E402

TARGET_S = 10
SCHOOL_YEAR = "2025-2026"
contacts.DISTRICTS = 1
contacts.SCHOOLS_PER_DISTRICT = 15
contacts.OFFICERS = 15


def seed() -> Any:
    from liaison.directory import services
    from liaison.directory.models import District, Officer, School
    from liaison.programs.services import school_calendar_set

    agency = contacts.seed_program()
    district = District.objects.get()
    school_calendar_set(
        actor=None,
        district=district,
        school_year=SCHOOL_YEAR,
        first_day=contacts.FIRST_DAY,
        last_day=contacts.FIRST_DAY + datetime.timedelta(weeks=contacts.SCHOOL_WEEKS),
        breaks=[("Winter break", datetime.date(2025, 12, 22), datetime.date(2026, 1, 2))],
    )
    schools = list(School.objects.order_by("nces_id"))
    for i, (officer, school) in enumerate(zip(Officer.objects.order_by("badge_number"), schools, strict=True)):
        services.assignment_create(actor=None, officer=officer, school=school, start_date=contacts.FIRST_DAY)
        total = 600 + 40 * i
        services.enrollment_set(
            actor=None, school=school, school_year=SCHOOL_YEAR, total=total, white=total // 2, black=total // 5,
            hispanic_latino=total // 5, asian=total // 20, american_indian_alaska_native=0,
            native_hawaiian_pacific_islander=0, two_or_more_races=total - total // 2 - 2 * (total // 5) - total // 20,
        )  # fmt: skip
    return agency, district


def build(district: Any, audience: str, repeat: int) -> float:
    from liaison.insights.models import ProgramReport
    from liaison.insights.report import report_build

    times, cpu = [], []
    for _ in range(repeat):
        report, _ = ProgramReport.objects.get_or_create(district=district, school_year=SCHOOL_YEAR, audience=audience)
        started, started_cpu = time.perf_counter(), time.process_time()
        report_build(report, today=datetime.date(2026, 12, 1))
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert report.status == ProgramReport.Status.DONE, report.error
    median = statistics.median(times)
    timings(district, audience)
    pages = bytes(report.pdf).count(b"/Type /Page") - bytes(report.pdf).count(b"/Type /Pages")
    print(
        f"{audience} report: median {median:.2f} s over {repeat} (runs: {', '.join(f'{t:.2f}' for t in times)}; "
        f"CPU here {', '.join(f'{t:.2f}' for t in cpu)}; load {contacts.load_average()}); "
        f"{len(report.html) / 1000:.0f} kB of HTML, PDF {len(report.pdf) / 1000:.0f} kB"
        f"{f', {pages} pages' if pages > 0 else ''}; target {TARGET_S} s: {'met' if median < TARGET_S else 'MISSED'}"
    )
    return median


def timings(district: Any, audience: str) -> None:
    """Where the time goes: each section's figures, then the PDF from the stored HTML."""
    from liaison.insights.models import ProgramReport
    from liaison.insights.report import report_pdf, report_scope, sections_for

    scope = report_scope(district, SCHOOL_YEAR, audience, datetime.date(2026, 12, 1))
    spent = []
    for section in sections_for(audience):
        started = time.perf_counter()
        section.build(scope)
        spent.append(f"{section.key} {time.perf_counter() - started:.2f}")
    report = ProgramReport.objects.get(district=district, school_year=SCHOOL_YEAR, audience=audience)
    started = time.perf_counter()
    report_pdf(report)
    spent.append(f"pdf {time.perf_counter() - started:.2f}")
    print(f"  seconds: {', '.join(spent)}")


def run(rows: int, repeat: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    agency, district = seed()
    print(f"{engine_name()} ({connection.vendor}); {os.cpu_count()} CPUs; load {contacts.load_average()}")
    with tempfile.TemporaryDirectory(prefix="report-") as folder:
        path = Path(folder) / "contacts.csv"
        contacts.write_csv(path, rows, 2025)
        contacts.import_file(path, agency, "Contacts import", rows)
    build(district, "full", repeat)
    build(district, "restricted", repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=60_000, help="contacts in the school year")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--existing", action="store_true", help="the districts of DATABASE_URL's database")
    parser.add_argument("--schools", type=int, nargs="*", default=[15], help="--existing: districts of about so many")
    parser.add_argument(
        "--audience",
        nargs="*",
        choices=["full", "restricted"],
        default=["full", "restricted"],
        help="--existing: whose versions to build (the evaluators' first build also builds their releases)",
    )
    args = parser.parse_args()
    if args.existing:
        existing(args.schools, args.repeat, args.audience)
        return
    with throwaway_database("bench_report") as environment:
        os.environ.update(environment)
        secret = "benchmark-only-" + "x" * 40
        os.environ.update({"SECRET_KEY": secret, "STUDENT_KEY_SECRET": secret + "-students"})
        os.environ.update({"HTTPS": "false", "DEBUG": "false", "LOG_LEVEL": "WARNING"})
        os.environ["DJANGO_SETTINGS_MODULE"] = "liaison.settings_test"
        import django

        django.setup()
        run(args.rows, args.repeat)
        from django.db import connections

        connections.close_all()


def existing(sizes: list[int], repeat: int, audiences: list[str]) -> None:
    secret = "benchmark-only-" + "x" * 40
    os.environ.update({"SECRET_KEY": secret, "STUDENT_KEY_SECRET": secret + "-students"})
    os.environ.update({"HTTPS": "false", "DEBUG": "false", "LOG_LEVEL": "WARNING"})
    os.environ["DJANGO_SETTINGS_MODULE"] = "liaison.settings_test"
    import django

    django.setup()
    from django.db.models import Count

    from liaison.directory.models import District
    from liaison.interactions.models import MonthlyRollup

    districts = list(District.objects.annotate(n=Count("schools")).filter(n__gt=0).order_by("pk"))
    for size in sizes:
        district = min(districts, key=lambda d: (abs(d.n - size), d.pk))
        contacts_there = sum(MonthlyRollup.objects.filter(district=district).values_list("count", flat=True))
        print(f"{district.name}: {district.n} schools, {contacts_there:,} contacts; load {contacts.load_average()}")
        for audience in audiences:
            build(district, audience, repeat)


if __name__ == "__main__":
    main()
