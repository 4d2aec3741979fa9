"""Time the state view's disclosure build (liaison/insights/state.py: state_table + protect) for
synthetic states of growing size, wall clock and CPU.

    .venv/bin/python scripts/benchmark_state_view.py                      # 10, 25 and 50 districts
    .venv/bin/python scripts/benchmark_state_view.py --districts 100 --agencies 60

Each district is served by one agency (80%) or two, with a count per agency–district pair drawn
from 0, 2, 5, 12, 30, 80 or 200 actions (many small), referrals, arrests and actions within the MOU
drawn from them, and the state's referrals and arrests split over the race/ethnicity groups. The
time is what the state view's snapshot costs once per state and closed school year; serving the
stored snapshot afterwards is one indexed read (as for the district snapshots, docs/benchmarks.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/q19_scale_bench10m \
        .venv/bin/python scripts/benchmark_state_view.py --existing MA --repeat 30

`--existing STATE` measures a state already in the database (one `generate_scale` filled): the
snapshot's build (the counts read from the database, then the disclosure engine), then the state
evaluator's `GET /api/v1/insights/state/STATE` served from it, `--repeat` times, in-process through
Django's test client. It adds one state evaluator and replaces the state's stored snapshot.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings_test")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")  # (--existing: requests through the test client)

import django

django.setup()

from liaison.insights.disclosure import release  # noqa: E402
from liaison.insights.state import _group_keys, state_table  # noqa: E402


def synthetic(districts: int, agencies: int, seed: int = 1) -> tuple:
    rng = random.Random(seed)
    pairs = {}
    for d in range(districts):
        for a in rng.sample(range(agencies), k=1 if rng.random() < 0.8 else 2):
            actions = rng.choice([0, 2, 5, 12, 30, 80, 200])
            referred = int(actions * rng.uniform(0.3, 0.9))
            arrested = int(referred * rng.uniform(0.1, 0.5))
            within = int(actions * rng.uniform(0.6, 1.0))
            pairs[(a, 10_000 + d)] = {
                "actions": actions,
                "within_mou": within,
                "not_within_mou": actions - within,
                "referred": referred,
                "arrested": arrested,
            }
    groups = list(_group_keys())

    def split(total: int) -> dict[str, int]:
        shares = [rng.random() for _ in groups]
        out = [int(total * x / sum(shares)) for x in shares]
        out[0] += total - sum(out)
        return dict(zip(groups, out, strict=True))

    referred = split(sum(p["referred"] for p in pairs.values()))
    arrested, left = {}, sum(p["arrested"] for p in pairs.values())
    for group in groups:
        arrested[group] = min(referred[group], left)
        left -= arrested[group]
    districts_ids = [10_000 + d for d in range(districts)]
    return pairs, list(range(agencies)), districts_ids, {"referred": referred, "arrested": arrested}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--districts", type=int, nargs="*", default=[10, 25, 50])
    parser.add_argument("--agencies", type=int, nargs="*", default=None, help="default: 60%% of the districts")
    parser.add_argument("--existing", default="", help="a state of the database DATABASE_URL names (e.g. MA)")
    parser.add_argument("--repeat", type=int, default=30, help="requests served from the stored snapshot")
    args = parser.parse_args()
    if args.existing:
        existing(args.existing.upper(), args.repeat)
        return
    agencies = args.agencies or [max(2, int(0.6 * d)) for d in args.districts]
    for districts, agency_count in zip(args.districts, agencies, strict=True):
        pairs, agency_ids, district_ids, groups = synthetic(districts, agency_count)
        wall, cpu = time.perf_counter(), time.process_time()
        table = state_table(pairs, agency_ids, district_ids, groups)
        released = release(table)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        small = sum(1 for key, value in table.cells.items() if 0 < value < 10 and key not in table.unpublished)
        print(
            f"{districts} districts, {agency_count} agencies, {len(pairs)} pairs, {len(table.cells)} cells "
            f"({small} shown cells 1-9): wall {wall:.2f} s, CPU {cpu:.2f} s, {len(released.hidden)} hidden",
            flush=True,
        )


def existing(state: str, repeat: int) -> None:
    import statistics

    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from liaison.accounts.models import Membership, User
    from liaison.accounts.roles import Role
    from liaison.directory.models import District
    from liaison.insights.models import FigureSnapshot
    from liaison.insights.snapshots import last_closed_school_year
    from liaison.insights.state import STATE, build, scope_key, state_body

    today = timezone.localdate()
    school_year = last_closed_school_year(today)
    districts = District.objects.filter(state=state).aggregate(n=Count("pk"))["n"]
    print(f"{state}: {districts} districts; school year {school_year}", flush=True)
    wall, cpu = time.perf_counter(), time.process_time()
    body = build(state, school_year)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"build (counts read, then released): wall {wall:.1f} s, CPU here {cpu:.1f} s", flush=True)
    FigureSnapshot.objects.filter(figure=STATE, scope=scope_key(state), period=school_year).delete()
    state_body(state, school_year, today)  # stored, as the first request or the yearly job stores it
    user, _ = User.objects.get_or_create(username=f"bench_state_evaluator_{state.lower()}")
    Membership.objects.get_or_create(user=user, role=Role.EVALUATOR, state=state)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    times, cpus = [], []
    client.get(f"/api/v1/insights/state/{state}", {"school_year": school_year})  # the first: session, caches
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(f"/api/v1/insights/state/{state}", {"school_year": school_year})
        times.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, response.content[:500]
    p95, cpu_p95 = statistics.quantiles(times, n=20)[-1], statistics.quantiles(cpus, n=20)[-1]
    print(
        f"served from the snapshot ({len(response.content) / 1024:,.0f} KiB, {len(body['districts'])} districts):"
        f" wall median {statistics.median(times):.1f} ms, 95th percentile {p95:.1f} ms;"
        f" CPU here median {statistics.median(cpus):.1f} ms, 95th percentile {cpu_p95:.1f} ms"
        f" (load average {os.getloadavg()[0]:.1f})",
        flush=True,
    )


if __name__ == "__main__":
    main()
