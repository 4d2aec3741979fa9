"""Time a state's whole daily figures job (`liaison.insights.jobs.figure_snapshots_build`) in a database
`manage.py generate_scale` filled, with an evaluator in every district (with `--state-evaluator`, one
for the whole state; with `--agency-evaluators`, one in every agency too): the equity and CRDC
snapshots of every scope, the state view's, the outcomes releases of the closed year and the year
before, then the public figures. Wall clock and CPU per step, and the slowest outcomes releases.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/q19_state \
        .venv/bin/python scripts/benchmark_daily_figures.py --fresh --state-evaluator MA
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/q19_state \
        .venv/bin/python scripts/benchmark_daily_figures.py --agency-evaluators

The second run, after the first, builds what agency evaluators add to the job: each agency's
figures about each district it serves, then each agency's release across its districts.

It writes: one evaluator account per district (and for the state, and each agency), made once, and
the snapshots the job stores. `--fresh` first deletes every stored figure snapshot, so that the job
builds them all, as on the first night after a school year closes: for a benchmark database only.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings_test")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402

from liaison.accounts.models import Membership, User  # noqa: E402
from liaison.accounts.roles import Role  # noqa: E402
from liaison.directory.models import Agency, District  # noqa: E402
from liaison.insights import outcomes_release  # noqa: E402
from liaison.insights.figures import snapshots_build  # noqa: E402
from liaison.insights.models import FigureSnapshot  # noqa: E402
from liaison.insights.public_figures import public_snapshots_build  # noqa: E402


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _timed(label: str, work: Callable[[], Any]) -> Any:
    wall, cpu = time.monotonic(), _cpu()
    result = work()
    print(f"{label}: {time.monotonic() - wall:.1f} s wall, {_cpu() - cpu:.1f} s CPU ({result} built)", flush=True)
    return result


def _evaluators(state: str | None, agencies: bool) -> None:
    """One evaluator per district without one (and one for the state, and per agency), with unusable
    passwords."""
    unusable = make_password(None)
    print(f"{_evaluator_each(District, 'district', 'bench_evaluator', unusable)} district evaluator(s) added")
    if state and not Membership.objects.filter(role=Role.EVALUATOR, state=state).exists():
        user = User.objects.create(username=f"bench_evaluator_{state}", password=unusable)
        Membership.objects.create(user=user, role=Role.EVALUATOR, state=state)
    if agencies:
        print(f"{_evaluator_each(Agency, 'agency', 'bench_agency_evaluator', unusable)} agency evaluator(s) added")


def _evaluator_each(model: Any, field: str, prefix: str, password: str) -> int:
    """An evaluator for each district (or agency) without one; how many were added."""
    have = set(Membership.objects.filter(role=Role.EVALUATOR).values_list(f"{field}_id", flat=True))
    missing = [owner for owner in model.objects.order_by("pk") if owner.pk not in have]
    users = User.objects.bulk_create(User(username=f"{prefix}_{owner.pk}", password=password) for owner in missing)
    Membership.objects.bulk_create(
        Membership(user=user, role=Role.EVALUATOR, **{field: owner}) for user, owner in zip(users, missing, strict=True)
    )
    return len(missing)


def _timing_each_release() -> list[tuple[float, str, str]]:
    """Record how long each scope's year took (`restricted_year`, and `restricted_agency_year` for an
    agency across its districts), to name the slowest."""
    times: list[tuple[float, str, str]] = []

    def timing(name: str, whose: Callable[[Any], str]) -> None:
        real = getattr(outcomes_release, name)

        def timed(scope: Any, school_year: str, today: datetime.date) -> Any:
            started = time.monotonic()
            try:
                return real(scope, school_year, today)
            finally:
                times.append((time.monotonic() - started, whose(scope), school_year))

        setattr(outcomes_release, name, timed)

    timing(
        "restricted_year",
        lambda scope: scope.district.name + ("" if scope.agency_ids is None else " (one agency's records)"),
    )
    timing("restricted_agency_year", lambda agency: f"{agency.name}, across its districts")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--today", default="2026-08-15", help="the day the job runs (2025-2026 is then closed)")
    parser.add_argument("--state-evaluator", metavar="STATE", help="add a state-wide evaluator of this state")
    parser.add_argument("--agency-evaluators", action="store_true", help="add an evaluator to every agency")
    parser.add_argument("--fresh", action="store_true", help="delete every stored figure snapshot first")
    args = parser.parse_args()
    today = datetime.date.fromisoformat(args.today)
    _evaluators(args.state_evaluator, args.agency_evaluators)
    if args.fresh:
        deleted, _ = FigureSnapshot.objects.all().delete()
        print(f"{deleted} stored snapshot(s) deleted", flush=True)
    districts = District.objects.count()
    schools = sum(district.schools.count() for district in District.objects.all())
    print(f"{districts} districts, {schools} schools", flush=True)
    releases = _timing_each_release()
    wall, cpu = time.monotonic(), _cpu()
    _timed("equity and CRDC snapshots, and the state view's", lambda: snapshots_build(today))
    _timed("outcomes releases", lambda: outcomes_release.outcome_snapshots_build(today))
    _timed("public figures", public_snapshots_build)
    print(f"the whole job: {time.monotonic() - wall:.1f} s wall, {_cpu() - cpu:.1f} s CPU", flush=True)
    print("slowest outcomes releases (s, district, school year):")
    for seconds, name, year in sorted(releases, reverse=True)[:8]:
        print(f"  {seconds:7.1f}  {name}  {year}")


if __name__ == "__main__":
    main()
