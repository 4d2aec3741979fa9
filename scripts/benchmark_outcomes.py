"""Time the outcomes figures over the demo programs: what the outcomes pages and the annual report compute.

    .venv/bin/python scripts/benchmark_outcomes.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison .venv/bin/python scripts/benchmark_outcomes.py

Loads the demo into a throwaway database (a year of activity up to --today), then times, median of
--repeat runs: `outcomes_timeline` (the school year and the year before, with the trust waves) for every
district and every agency; `contacts_and_trust` for every district; and the district outcomes page
rendered through Django's test client (server time). Target: the largest district under 2 s, so a
15-school report stays well under its 10 s.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from throwaway_database import engine_name, throwaway_database  # noqa: E402


def _median(action, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=datetime.date(2026, 5, 20))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="profile the largest district's timeline instead")
    args = parser.parse_args()
    with throwaway_database("bench_outcomes") as environment:
        os.environ.update(environment)
        os.environ.update(
            {
                "SECRET_KEY": "benchmark-only-key-for-a-throwaway-database",
                "STUDENT_KEY_SECRET": "benchmark-only-student-key-for-a-throwaway-database",
                "HTTPS": "false",
                "DEBUG": "true",
                "ALLOWED_HOSTS": "testserver",
                "DJANGO_SETTINGS_MODULE": "liaison.settings_test",
            }
        )
        import django

        django.setup()
        run(args.today, args.repeat, profile=args.profile)
        from django.db import connections

        connections.close_all()


def run(today: datetime.date, repeat: int, *, profile: bool = False) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client, override_settings
    from django.urls import reverse

    from liaison.accounts import mfa
    from liaison.directory.models import Agency, District, School
    from liaison.insights.outcomes import (
        AGENCY,
        DISTRICT,
        OutcomesScope,
        agency_schools,
        contacts_and_trust,
        outcomes_timeline,
    )
    from liaison.lib.school_years import school_year_of

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with override_settings(DEBUG=True):
        call_command("load_demo", "--today", today.isoformat(), stdout=StringIO())
    print(f"{engine_name()}; demo loaded up to {today} in {time.perf_counter() - started:.0f} s")
    year = school_year_of(today)
    if profile:
        import cProfile
        import pstats

        district = max(District.objects.all(), key=lambda d: School.objects.filter(district=d).count())
        schools = tuple(School.objects.filter(district=district).order_by("name"))
        scope = OutcomesScope(DISTRICT, district.name, str(district.uuid), schools, None, frozenset({district.pk}))
        profiler = cProfile.Profile()
        profiler.runcall(outcomes_timeline, scope, year, as_of=today)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        return
    print(f"{'scope':<44} {'schools':>7} {'timeline':>10} {'trust':>8}")
    for district in District.objects.order_by("name"):
        schools = tuple(School.objects.filter(district=district).order_by("name"))
        scope = OutcomesScope(DISTRICT, district.name, str(district.uuid), schools, None, frozenset({district.pk}))
        timeline = _median(lambda: outcomes_timeline(scope, year, as_of=today), repeat)  # noqa: B023
        trust = _median(
            lambda: contacts_and_trust(district.name, schools, agency_ids=None, as_of=today),  # noqa: B023
            repeat,
        )
        print(f"{district.name:<44} {len(schools):>7} {timeline * 1000:>8.0f} ms {trust * 1000:>5.0f} ms")
    for agency in Agency.objects.order_by("name"):
        schools = tuple(agency_schools(agency.pk, year))
        districts = frozenset(s.district_id for s in schools)
        scope = OutcomesScope(AGENCY, agency.name, str(agency.uuid), schools, frozenset({agency.pk}), districts)
        timeline = _median(lambda: outcomes_timeline(scope, year, as_of=today), repeat)  # noqa: B023
        print(f"{agency.name:<44} {len(schools):>7} {timeline * 1000:>8.0f} ms")
    client = Client()
    client.force_login(
        get_user_model().objects.filter(is_superuser=True).first(), backend="django.contrib.auth.backends.ModelBackend"
    )
    session = client.session
    session[mfa.MFA_SESSION] = {"state": mfa.VERIFIED}
    session.save()
    largest = max(District.objects.all(), key=lambda d: School.objects.filter(district=d).count())
    url = reverse("insights:outcomes-district", args=[largest.uuid])
    page = _median(lambda: client.get(url, {"school_year": year}), repeat)
    print(f"district outcomes page, {largest.name}: {page * 1000:.0f} ms")


if __name__ == "__main__":
    main()
