"""Partitioning option (a) against option (b), measured on one database filled by `generate_scale`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/q19_scale_bench10m \\
        .venv/bin/python scripts/benchmark_partitioning.py --repeat 20

Liaison keeps its contacts in one table and partitions the rollups (option (b), `docs/scale.md`). This
script builds option (a) beside it in the same database: a copy of every contact in a table
partitioned by range of `occurred_on`, one partition per school year from 2016–2017 (ten years of
records kept, as a retention period would keep them) with a default partition, the primary key
(id, occurred_on), the same indexes, and the client ids' uniqueness in a table of their own
(`uuid` primary key, with the contact's id and day), since a partitioned table's unique keys must
hold the partition key.

Then, for each page and API list of `scripts/benchmark_scale.py` (the same users at the agency with
the most contacts), it records every query the request sends to the contacts table and replays it
on both layouts, `--repeat` times, timing the contacts queries alone (wall time and the PostgreSQL
backend's CPU). It also times the writes: contacts inserted one at a time (as the API and the quick
log store them: (a) adds the client-id row), and a COPY of 100,000 (an import), each in a transaction
rolled back. The copy tables are dropped at the end (`--keep` keeps them for another run).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONTACTS = "interactions_interaction"
PARTITIONED = "bench_a_interaction"
CLIENT_IDS = "bench_a_client_id"
FIRST_YEAR = 2016
LAST_YEAR = 2026  # school years 2016-2017 … 2026-2027
SINGLE_INSERTS = 2_000
COPIED = 100_000


def _scale_benchmark() -> Any:
    spec = importlib.util.spec_from_file_location("benchmark_scale", ROOT / "scripts" / "benchmark_scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20, help="replays of each request's contacts queries")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the partitioned copy")
    args = parser.parse_args()
    scale = _scale_benchmark()
    scale.setup_generated_database()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {CONTACTS}")
        print(f"{cursor.fetchone()[0]:,} contacts; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        if not _exists(cursor, PARTITIONED):
            build(cursor)
        sizes(cursor)
    try:
        world = scale.logins("largest")
        print(f"agency {world['agency'].name}: {world['agency_contacts']:,} contacts")
        reads(scale, world, args.repeat)
        writes()
    finally:
        if not args.keep:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {PARTITIONED}, {CLIENT_IDS}")


def _exists(cursor: Any, table: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
    return bool(cursor.fetchone()[0])


def _timed(label: str, cursor: Any, sql: str) -> None:
    started = time.perf_counter()
    cursor.execute(sql)
    print(f"  {label}: {time.perf_counter() - started:,.1f} s", flush=True)


def build(cursor: Any) -> None:
    """Option (a): every contact copied into a table partitioned by school year, its indexes built
    after the rows (as a migration would), and the client ids in a table of their own."""
    print("building option (a) beside the contacts table:", flush=True)
    cursor.execute(
        f"CREATE TABLE {PARTITIONED} (LIKE {CONTACTS} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        " PARTITION BY RANGE (occurred_on)"
    )
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        cursor.execute(
            f"CREATE TABLE {PARTITIONED}_{year} PARTITION OF {PARTITIONED}"
            f" FOR VALUES FROM ('{year}-07-01') TO ('{year + 1}-07-01')"
        )
    cursor.execute(f"CREATE TABLE {PARTITIONED}_default PARTITION OF {PARTITIONED} DEFAULT")
    _timed("rows copied", cursor, f"INSERT INTO {PARTITIONED} SELECT * FROM {CONTACTS}")
    _timed("primary key (id, occurred_on)", cursor, f"ALTER TABLE {PARTITIONED} ADD PRIMARY KEY (id, occurred_on)")
    for name, columns, where in (
        ("agency", "agency_id, occurred_on", ""),
        ("school", "school_id, occurred_on", ""),
        ("officer", "officer_id, occurred_on", ""),
        ("created_by", "created_by_id", ""),
        ("district", "district_id", ""),
        ("uuid", "uuid", ""),  # each partition's own: a lookup by client id alone probes every partition
        (
            "enforcement_days",
            "school_id, occurred_on) INCLUDE (id, voided, occurred_at, agency_id",
            " WHERE kind = 'enforcement'",
        ),
    ):
        name = f"{PARTITIONED}_{name}"
        _timed(f"index ({columns}){where}", cursor, f"CREATE INDEX {name} ON {PARTITIONED} ({columns}){where}")
    for parent in ("agency", "district", "school", "officer"):
        _timed(
            f"foreign key to directory_{parent}",
            cursor,
            f"ALTER TABLE {PARTITIONED} ADD FOREIGN KEY ({parent}_id) REFERENCES directory_{parent} (id)"
            " DEFERRABLE INITIALLY DEFERRED",
        )
    cursor.execute(f"CREATE TABLE {CLIENT_IDS} (uuid uuid PRIMARY KEY, interaction_id bigint, occurred_on date)")
    _timed(
        "client ids copied",
        cursor,
        f"INSERT INTO {CLIENT_IDS} SELECT uuid, id, occurred_on FROM {CONTACTS} ORDER BY uuid",
    )
    _timed("analyzed", cursor, f"ANALYZE {PARTITIONED}; ANALYZE {CLIENT_IDS}; ANALYZE {CONTACTS}")


def sizes(cursor: Any) -> None:
    cursor.execute("SELECT pg_total_relation_size(%s::regclass)", [CONTACTS])
    plain = cursor.fetchone()[0]
    cursor.execute(
        "SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree(%s::regclass) WHERE isleaf", [PARTITIONED]
    )
    partitioned = cursor.fetchone()[0]
    cursor.execute("SELECT pg_total_relation_size(%s::regclass)", [CLIENT_IDS])
    client_ids = cursor.fetchone()[0]
    mib = 2**20
    print(
        f"size: (b) contacts {plain / mib:,.0f} MiB; (a) partitions {partitioned / mib:,.0f} MiB"
        f" + client ids {client_ids / mib:,.0f} MiB"
    )


def captured(request: Any) -> list[tuple[str, Any]]:
    """The queries one request sends to the contacts table, in order."""
    from django.db import connection

    found: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if f'"{CONTACTS}"' in sql and not many:
            found.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = request()
    if response.status_code != 200:
        raise RuntimeError(f"status {response.status_code}")
    return found


def replayed(queries: list[tuple[str, Any]], table: str, repeat: int, backend_cpu: Any) -> tuple[list[float], float]:
    """Wall milliseconds of the queries run together, `repeat` times on `table`, and the backend's
    mean CPU milliseconds per run (its clock ticks are 10 ms: only the mean over many runs says much)."""
    from django.db import connection

    walls = []
    statements = [(sql.replace(f'"{CONTACTS}"', f'"{table}"'), params) for sql, params in queries]
    with connection.cursor() as cursor:
        started_db = backend_cpu()
        for _ in range(repeat):
            started = time.perf_counter()
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()
            walls.append((time.perf_counter() - started) * 1000)
        cpu = (backend_cpu() - started_db) * 1000 / repeat
    return walls, cpu


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def reads(scale: Any, world: dict[str, Any], repeat: int) -> None:
    print("\nthe contacts queries of each request, replayed on each layout (ms, median / 95th percentile)")
    print(f"{'case':<56} {'queries':>7} {'(b) wall':>15} {'(a) wall':>15} {'(b) CPU mean':>13} {'(a) CPU mean':>13}")
    for name, request in scale.cases(world):
        try:
            queries = captured(request)
        except RuntimeError as error:
            print(f"{name:<56} {error}")
            continue
        if not queries:
            print(f"{name:<56} {0:>7}   (reads no contacts)")
            continue
        figures = []
        for table in (CONTACTS, PARTITIONED):
            walls, cpus = replayed(queries, table, repeat, scale.backend_cpu)
            figures.append((walls, cpus))
        (b_wall, b_cpu), (a_wall, a_cpu) = figures
        print(
            f"{name:<56} {len(queries):>7}"
            f" {statistics.median(b_wall):>7.1f} / {_p95(b_wall):>5.1f}"
            f" {statistics.median(a_wall):>7.1f} / {_p95(a_wall):>5.1f}"
            f" {b_cpu:>13.1f} {a_cpu:>13.1f}",
            flush=True,
        )
    by_id_and_client_id(repeat)


def by_id_and_client_id(repeat: int) -> None:
    """A record opened by its id (a review, a detail, every table pointing at contacts) and a retry's
    lookup by client id: one index probe in (b); in (a) without the day, one per partition."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, uuid, occurred_on FROM {CONTACTS} TABLESAMPLE SYSTEM (1) LIMIT 200")
        sample = cursor.fetchall()
        cases = [
            ("by id", f"SELECT * FROM {CONTACTS} WHERE id = %s", f"SELECT * FROM {PARTITIONED} WHERE id = %s", 0),
            (
                "by client id (a: through the client-id table)",
                f"SELECT * FROM {CONTACTS} WHERE uuid = %s",
                f"SELECT p.* FROM {CLIENT_IDS} c JOIN {PARTITIONED} p ON p.id = c.interaction_id"
                " AND p.occurred_on = c.occurred_on WHERE c.uuid = %s",
                1,
            ),
            ("by client id (a: its partitions' indexes)", "", f"SELECT * FROM {PARTITIONED} WHERE uuid = %s", 1),
        ]
        for label, plain, partitioned, column in cases:
            figures = []
            for sql in (plain, partitioned):
                if not sql:
                    figures.append(None)
                    continue
                times = []
                for _ in range(max(1, repeat // 10)):
                    started = time.perf_counter()
                    for row in sample:
                        cursor.execute(sql, [row[column]])
                        cursor.fetchall()
                    times.append((time.perf_counter() - started) * 1000 / len(sample))
                figures.append(statistics.median(times))
            shown = ["—" if f is None else f"{f:.3f}" for f in figures]
            print(f"{'one contact ' + label:<56} {'1':>7} {shown[0]:>15} {shown[1]:>15}   (ms per lookup)")


def writes() -> None:
    """Contacts written one at a time, then 100,000 by COPY, into each layout, rolled back after."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)"
            " FROM information_schema.columns WHERE table_name = %s",
            [CONTACTS],
        )
        columns = cursor.fetchone()[0]
        cursor.execute(f"SELECT max(id) FROM {CONTACTS}")
        base = cursor.fetchone()[0] + 1_000_000
    others = ", ".join(c for c in columns.split(", ") if c not in ("id", "uuid"))
    print("\nwrites (rolled back)")
    for label, table, client_ids in (("(b)", CONTACTS, False), ("(a)", PARTITIONED, True)):
        times = []
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT {others} FROM {CONTACTS} TABLESAMPLE SYSTEM (1) LIMIT {SINGLE_INSERTS}")
            rows = cursor.fetchall()
            placeholders = ", ".join(["%s"] * (len(rows[0]) + 2))
            day = others.split(", ").index("occurred_on")
            for i, row in enumerate(rows):
                key, client = base + i, uuid.uuid4()
                started = time.perf_counter()
                if client_ids:
                    cursor.execute(f"INSERT INTO {CLIENT_IDS} VALUES (%s, %s, %s)", [client, key, row[day]])
                cursor.execute(f"INSERT INTO {table} (id, uuid, {others}) VALUES ({placeholders})", [key, client, *row])
                times.append((time.perf_counter() - started) * 1000)
            copied = _copy(cursor, table, others, base + SINGLE_INSERTS, client_ids)
            transaction.set_rollback(True)
        print(
            f"  {label} one contact at a time: median {statistics.median(times):.3f} ms, 95th percentile"
            f" {_p95(times):.3f} ms ({len(times):,} contacts); COPY of {COPIED:,}: {copied:.1f} s",
            flush=True,
        )


def _copy(cursor: Any, table: str, others: str, first_id: int, client_ids: bool) -> float:
    """Seconds to COPY in COPIED contacts (existing rows with new ids and client ids), as an import
    writes them; in (a) their client ids first."""
    raw = cursor.cursor  # psycopg's, under Django's wrapper
    rows = io.StringIO()
    source = (
        f"COPY (SELECT {first_id} + row_number() OVER () - 1, gen_random_uuid(), {others}"
        f" FROM (SELECT * FROM {CONTACTS} LIMIT {COPIED}) c) TO STDOUT"
    )
    with raw.copy(source) as out:
        for chunk in out:
            rows.write(bytes(chunk).decode())
    lines = rows.getvalue()
    day = others.split(", ").index("occurred_on") + 2
    started = time.perf_counter()
    if client_ids:
        with raw.copy(f"COPY {CLIENT_IDS} (interaction_id, uuid, occurred_on) FROM STDIN") as into:
            for line in lines.splitlines():
                fields = line.split("\t")
                into.write(f"{fields[0]}\t{fields[1]}\t{fields[day]}\n")
    with raw.copy(f"COPY {table} (id, uuid, {others}) FROM STDIN") as into:
        into.write(lines)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
