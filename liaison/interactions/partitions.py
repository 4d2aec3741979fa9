"""PostgreSQL range partitions of the daily rollups, one per school year (July to June).

The raw contacts are not partitioned (docs/scale.md says why); the daily rollups are, so a school
year's cells sit in their own table: pages read one or two partitions, and a school year whose days
are no longer needed (its months are in `interactions_monthlyrollup`) can be detached in one
statement instead of deleted row by row. A DEFAULT partition takes any day outside the school years
created, so a write never fails for want of a partition.

On SQLite nothing here does anything: the embedded database stays one plain table.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import connection

from liaison.lib.school_years import school_year_days, school_year_of

TABLE = "interactions_dailyrollup"
# The first school year given its own partition when the table is partitioned (older days go to the default).
FIRST_SCHOOL_YEAR = "2015-2016"
YEARS_AHEAD = 2
_PARTITION = re.compile(r"^interactions_dailyrollup_(\d{4})_(\d{4})$")


def partition_name(school_year: str) -> str:
    return f"{TABLE}_{school_year[:4]}_{school_year[5:]}"


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = %s", [TABLE])
        row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def partitions() -> list[str]:
    """The school years that have a partition, oldest first."""
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        names = [name for (name,) in cursor.fetchall()]
    return sorted(f"{m[1]}-{m[2]}" for name in names if (m := _PARTITION.match(name)))


def school_years_between(first: str, last: str) -> list[str]:
    return [f"{year}-{year + 1}" for year in range(int(first[:4]), int(last[:4]) + 1)]


def partitions_ensure(*, through: datetime.date | None = None) -> list[str]:
    """Create the missing school-year partitions from FIRST_SCHOOL_YEAR to YEARS_AHEAD years past
    `through` (today by default). Returns the school years created. A no-op unless partitioned.

    A school year whose days already went to the DEFAULT partition has them moved into its new
    partition in the same transaction (PostgreSQL refuses the partition otherwise).
    """
    if not is_partitioned():
        return []
    through = through or datetime.date.today()
    last = school_year_of(through)
    last = f"{int(last[:4]) + YEARS_AHEAD}-{int(last[:4]) + YEARS_AHEAD + 1}"
    existing = set(partitions())
    created = []
    with connection.cursor() as cursor:
        for school_year in school_years_between(FIRST_SCHOOL_YEAR, last):
            if school_year in existing:
                continue
            first_day, last_day = school_year_days(school_year)
            end = last_day + datetime.timedelta(days=1)
            name = partition_name(school_year)
            cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)")
            cursor.execute(
                f"WITH moved AS (DELETE FROM {TABLE}_default WHERE day >= %s AND day < %s RETURNING *)"
                f" INSERT INTO {name} SELECT * FROM moved",
                [first_day, end],
            )
            # DDL takes no bound parameters; the bounds are dates this function made.
            bounds = f"FROM ('{first_day.isoformat()}') TO ('{end.isoformat()}')"
            cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES {bounds}")
            _grant_as_parent(cursor, name)
            created.append(school_year)
    return created


FIX_MISSING = "run manage.py migrate as the owner role (DATABASE_MIGRATE_URL): it adds the coming school years"


def partitions_health(*, today: datetime.date | None = None) -> tuple[dict[str, Any], bool]:
    """For /healthz: whether this school year and the next have their own partition.

    Every `migrate` adds them two years ahead, but the application's role may not create tables, so a
    deployment that goes two years without an upgrade would write the coming year's days to the
    DEFAULT partition: nothing fails, but that year can no longer be detached as one table, and pages
    reading its days scan every year in the default. Healthy when not partitioned (SQLite)."""
    if not is_partitioned():
        return {"status": "not partitioned"}, True
    this_year = school_year_of(today or datetime.date.today())
    following = f"{int(this_year[:4]) + 1}-{int(this_year[:4]) + 2}"
    have = partitions()
    missing = [year for year in (this_year, following) if year not in have]
    report: dict[str, Any] = {"status": "missing" if missing else "ok", "through": have[-1] if have else None}
    if missing:
        report |= {"missing": missing, "fix": FIX_MISSING}
    return report, not missing


def _grant_as_parent(cursor: Any, name: str) -> None:
    """Give the new partition the privileges the parent table has: reads and writes through the parent
    need none, but a backup (pg_dump as the application's role) reads every partition by name."""
    cursor.execute(
        "SELECT r.rolname, a.privilege_type FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a"
        " JOIN pg_roles r ON r.oid = a.grantee WHERE c.relname = %s AND a.grantee <> c.relowner",
        [TABLE],
    )
    for role, privilege in cursor.fetchall():
        cursor.execute(f"GRANT {privilege} ON {name} TO {connection.ops.quote_name(role)}")
