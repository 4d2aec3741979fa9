"""Time one district's outcomes release for a district-wide evaluator, as the daily figures job or a
first request builds it: the equity and CRDC snapshots of the same scope and year first (built if
missing, timed apart), then the release itself (`outcomes_release.build_year`: the district's months
and its schools' in one table, protected by the disclosure engine), wall clock and CPU.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/q19_state \
        .venv/bin/python scripts/benchmark_outcomes_release.py "School District MA-120" --json /tmp/ma120.json

For a database `manage.py generate_scale` filled. The release is built, not stored (nothing is
written but the equity and CRDC snapshots, as a request would store them); `--json` writes it out,
keys sorted, so two versions of the engine can be compared byte for byte.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings_test")

import django

django.setup()

from liaison.directory.models import District  # noqa: E402
from liaison.insights.access import EquityScope  # noqa: E402
from liaison.insights.figures import EQUITY, figure_body  # noqa: E402
from liaison.insights.outcomes_release import build_year  # noqa: E402


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _timed(label: str, work):  # type: ignore[no-untyped-def]
    wall, cpu = time.monotonic(), _cpu()
    result = work()
    print(f"{label}: {time.monotonic() - wall:.1f} s wall, {_cpu() - cpu:.1f} s CPU", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("district", help="the district's name")
    parser.add_argument("--school-year", default="2025-2026")
    parser.add_argument("--today", default="2026-08-15", help="the day it is built (the year must be closed)")
    parser.add_argument("--json", help="write the release here, keys sorted")
    args = parser.parse_args()
    today = datetime.date.fromisoformat(args.today)
    district = District.objects.get(name=args.district)
    scope = EquityScope(district, None, None, suppressed=True)
    print(f"{district.name}: {district.schools.count()} schools, {args.school_year}", flush=True)
    _timed("equity and CRDC snapshots", lambda: figure_body(EQUITY, scope, args.school_year, today))
    body = _timed("outcomes release", lambda: build_year(scope, args.school_year, today))
    if args.json:
        Path(args.json).write_text(json.dumps(body, sort_keys=True, default=str))


if __name__ == "__main__":
    main()
