"""Creating a contact through the API under gunicorn, against a bare single-row insert, in one run.

    .venv/bin/python scripts/benchmark_api_create.py                      # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison .venv/bin/python scripts/benchmark_api_create.py

Migrates a throwaway database, creates an agency, a school, an officer and the officer's API token,
then serves Liaison with gunicorn (WSGI, 2 workers, 127.0.0.1 on a free port, DEBUG off,
LIAISON_BENCHMARK_ENDPOINTS=1) and drives it from this process with 50 concurrent clients (threads,
one http.client connection each; gunicorn's sync workers close it after every response):

(a) POST /api/v1/interactions with a bearer token: validation, the audit entry, the rollup update;
(b) POST /benchmark/bare-insert: one INSERT into the audit table, through the same middleware.

Each endpoint is measured twice. "Saturated": every client sends its next request as soon as the
last one answers, giving the most requests/s. In such a closed loop the mean latency is simply
clients / throughput (Little's law: 50 clients at 1,000 requests/s wait 50 ms on average), so
latency is also measured "paced": the 50 clients together send at half the endpoint's saturated
rate, on a fixed schedule, and latency counts from when each request was due (no coordinated
omission). Targets: (a) reaches half of (b)'s saturated throughput; (a)'s paced p99 is under 50 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from throwaway_database import engine_name, throwaway_database  # noqa: E402

CLIENTS = 50
WORKERS = 2
RATIO_TARGET = 0.5
P99_TARGET_MS = 50.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measured phase")
    parser.add_argument("--max-requests", type=int, default=30_000, help="cap on requests per phase")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--queries", action="store_true", help="also list the SQL one API create runs")
    args = parser.parse_args()
    with throwaway_database("bench_api") as database:
        environment = {
            **os.environ,
            **database,
            "DJANGO_SETTINGS_MODULE": "liaison.settings",
            "SECRET_KEY": "benchmark-only-key-for-a-throwaway-database",
            "STUDENT_KEY_SECRET": "benchmark-only-student-key-for-a-throwaway-database",
            "DEBUG": "false",
            "HTTPS": "false",
            "LIAISON_BENCHMARK_ENDPOINTS": "1",
            "LOG_LEVEL": "WARNING",
        }
        os.environ.update(environment)
        target = prepare(show_queries=args.queries)
        with gunicorn(environment) as server:
            report(server, target, args, database=environment.get("DATABASE_URL", ""))


# --- the program to record against -------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    token: str
    school: str


def prepare(*, show_queries: bool) -> Target:
    """Migrate, create the officer and their token; close this process's connections before serving."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    target = _program()
    if show_queries:
        _print_queries(target)
    connections.close_all()
    return target


def _program() -> Target:
    import datetime

    from liaison.accounts.models import User
    from liaison.accounts.tokens import api_token_create
    from liaison.directory import services
    from liaison.directory.models import Agency, School

    root = User.objects.create_superuser("bench_root", password=None)
    agency = services.agency_create(
        actor=root, name="Bench PD", kind=Agency.Kind.MUNICIPAL, state="MA", ori="MA0888800"
    )
    district = services.district_create(actor=root, name="Bench Schools", state="MA", nces_id="2588888")
    services.partnership_create(actor=root, agency=agency, district=district, start_date=datetime.date(2020, 7, 1))
    school = services.school_create(
        actor=root,
        district=district,
        name="Bench High",
        nces_id="258888800001",
        level=School.Level.HIGH,
        lowest_grade=9,
        highest_grade=12,
    )
    officer = services.officer_create(
        actor=root, agency=agency, username="bench_officer", first_name="Bo", last_name="Bench", badge_number="1"
    )
    services.assignment_create(actor=root, officer=officer, school=school, start_date=datetime.date(2024, 8, 20))
    _, token = api_token_create(user=officer.user, name="benchmark")
    return Target(token=token, school=str(school.uuid))


def _print_queries(target: Target) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    body, headers = _create_request(target)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/interactions", body, content_type="application/json", headers=headers)
    print(f"one API create: status {response.status_code}, {len(queries.captured_queries)} queries")
    for query in queries.captured_queries:
        print("   ", query["sql"][:160])


def _create_request(target: Target) -> tuple[str, dict[str, str]]:
    body = json.dumps({"client_uuid": str(uuid.uuid4()), "school": target.school, "kind": "positive"})
    return body, {"Authorization": f"Bearer {target.token}"}


# --- the server ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    port: int
    pid: int


@contextmanager
def gunicorn(environment: dict[str, str]) -> Iterator[Server]:
    """gunicorn serving liaison.wsgi on a free loopback port; stopped (by its own pid) afterwards."""
    port = _free_port()
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"), "liaison.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", str(WORKERS), "--backlog", "2048", "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=environment)
    try:
        _wait_until_serving(port)
        yield Server(port, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


# --- the load ----------------------------------------------------------------------------------------------


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


Request = Callable[[], tuple[str, str, str, dict[str, str]]]


def drive(port: int, request: Request, *, clients: int, seconds: float, limit: int, rate: float = 0.0) -> Result:
    """`clients` threads sending `request` until `seconds` pass or `limit` requests are sent.

    rate=0: each client sends again as soon as it is answered (saturated). rate>0: the clients
    together send `rate` requests/s on a fixed schedule; latency counts from when a request was due.
    """
    result, lock = Result(), threading.Lock()
    tickets = iter(range(limit))
    start = time.perf_counter() + 0.05
    stop = start + seconds

    def client(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        interval = clients / rate if rate else 0.0
        due = start + (n * interval / clients if rate else 0.0)
        while True:
            with lock:
                if next(tickets, None) is None:
                    return
            now = time.perf_counter()
            if rate and due > now:
                time.sleep(due - now)
            if time.perf_counter() >= stop:
                return
            sent = due if rate else time.perf_counter()
            status = _send(connection, *request())
            elapsed = (time.perf_counter() - sent) * 1000
            with lock:
                if status in (200, 201):
                    result.latencies_ms.append(elapsed)
                else:
                    result.errors[status] = result.errors.get(status, 0) + 1
            due += interval

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = min(time.perf_counter(), stop) - start
    return result


def _send(connection: http.client.HTTPConnection, method: str, path: str, body: str, headers: dict[str, str]) -> int:
    try:
        connection.request(method, path, body, {"Content-Type": "application/json", **headers})
        response = connection.getresponse()
        response.read()
        if response.will_close:
            connection.close()  # the next request() reconnects
        return response.status
    except (OSError, http.client.HTTPException):
        connection.close()
        return 0


# --- CPU time, from /proc: what each request costs, whatever else the machine is doing -----------------


def _cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _children(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _database_backends(database_url: str) -> list[int]:
    """PostgreSQL backends serving the benchmark database (SQLite runs inside the workers)."""
    name = database_url.rsplit("/", 1)[-1]
    if not name:
        return []
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().decode(errors="replace")
        except OSError:
            continue
        if text.startswith("postgres:") and f" {name} " in text:
            found.append(int(cmdline.parent.name))
    return found


@dataclass
class CpuMeter:
    """CPU seconds used by the gunicorn workers, the database backends and this load generator."""

    server: Server
    database_url: str
    spent: dict[str, float] = field(default_factory=dict)

    def _now(self) -> dict[str, float]:
        return {
            "workers": _cpu_seconds(_children(self.server.pid)),
            "database": _cpu_seconds(_database_backends(self.database_url)),
            "client": time.process_time(),
        }

    def __enter__(self) -> CpuMeter:
        self._start = self._now()
        return self

    def __exit__(self, *exc: object) -> None:
        end = self._now()
        self.spent = {k: end[k] - self._start[k] for k in end}


# --- the report -----------------------------------------------------------------------------------------


def report(server: Server, target: Target, args: argparse.Namespace, *, database: str) -> None:
    endpoints: dict[str, Request] = {
        "(b) bare insert": lambda: ("POST", "/benchmark/bare-insert", "", {}),
        "(a) API create": lambda: ("POST", "/api/v1/interactions", *_create_request(target)),
    }
    print(f"{engine_name()}, gunicorn {WORKERS} sync workers, {args.clients} clients, load {_load()}")
    print(
        f"{'endpoint':<17} {'phase':<10} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
        "   CPU ms per request: workers / database / client"
    )
    results: dict[str, Result] = {}
    for name, request in endpoints.items():
        drive(server.port, request, clients=args.clients, seconds=2, limit=args.max_requests)  # warm-up
        with CpuMeter(server, database) as cpu:
            results[name] = drive(
                server.port, request, clients=args.clients, seconds=args.seconds, limit=args.max_requests
            )
        _line(name, "saturated", results[name], cpu.spent)
        rate = results[name].throughput / 2
        results[name + " paced"] = drive(
            server.port, request, clients=args.clients, seconds=args.seconds, limit=args.max_requests, rate=rate
        )
        _line(name, "paced", results[name + " paced"])
    _verdict(results)


def _line(name: str, phase: str, result: Result, cpu: dict[str, float] | None = None) -> None:
    errors = sum(result.errors.values())
    line = (
        f"{name:<17} {phase:<10} {len(result.latencies_ms):>8} {result.throughput:>8.0f} "
        f"{result.percentile(0.5):>8.1f} {result.percentile(0.99):>8.1f} {errors:>7}"
    )
    if cpu and result.latencies_ms:
        per = {k: 1000 * v / len(result.latencies_ms) for k, v in cpu.items()}
        line += f"   {per['workers']:.2f} / {per['database']:.2f} / {per['client']:.2f}"
    print(line)


def _verdict(results: dict[str, Result]) -> None:
    api, bare = results["(a) API create"], results["(b) bare insert"]
    ratio = api.throughput / bare.throughput if bare.throughput else 0.0
    p99 = results["(a) API create paced"].percentile(0.99)
    ratio_met, p99_met = ratio >= RATIO_TARGET, p99 < P99_TARGET_MS
    print(f"throughput ratio (a)/(b): {ratio:.2f} (target ≥ {RATIO_TARGET})  {'met' if ratio_met else 'MISSED'}")
    print(f"(a) paced p99: {p99:.1f} ms (target < {P99_TARGET_MS:.0f} ms)  {'met' if p99_met else 'MISSED'}")
    if any(r.errors for r in results.values()):
        raise SystemExit(f"errors: { {k: r.errors for k, r in results.items() if r.errors} }")


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f} (1/5 min)"


if __name__ == "__main__":
    main()
