"""Ready to distribute: which tables Citus would spread over its nodes, by which column, and what in
the live PostgreSQL schema would still stop it (docs/scale.md, "Ready to distribute").

Citus's rules, checked here against `pg_constraint`:

- a distributed table's primary and unique keys hold its distribution column;
- a foreign key between two distributed tables goes through that column on both sides (the rows it
  joins live on one node);
- a table that is not distributed (a reference or a local table) never points at a distributed one;
- nothing but a local table points at a local one.

The plan: the contacts and what grows with them are distributed by agency; the audit chain stays on
the coordinator as one local table (its hash chain orders every entry); every other table is small
and becomes a reference table, copied to every node.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

AGENCY = "agency_id"
DISTRIBUTED: dict[str, str] = {
    table: AGENCY
    for table in (
        "interactions_interaction",
        "interactions_enforcementdetail",
        "interactions_amendment",
        "agreements_evaluation",
        "agreements_review",
        "programs_session",
        "programs_teacherfeedback",
        "programs_mentoringmeeting",
        "programs_menteeenforcementnotice",
        "interactions_dailyrollup",
        "interactions_monthlyrollup",
        "interactions_officermonthrollup",
        "interactions_enforcementrollup",
        "interactions_interactionimport",
    )
}
LOCAL = frozenset({"accounts_auditentry", "accounts_auditseal", "accounts_auditverification"})

UNIQUE_WITHOUT_COLUMN = "unique without {column}"
MISSING_COLUMN = "has no {column} column"
NOT_THROUGH_COLUMN = "joins two distributed tables without {column}"
INTO_DISTRIBUTED = "a table that is not distributed points at a distributed one"
INTO_LOCAL = "points at a local table"

_CONSTRAINTS = """
SELECT t.relname, c.conname, c.contype, pg_get_constraintdef(c.oid), coalesce(r.relname, ''),
    ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
    ARRAY(SELECT a.attname::text FROM unnest(coalesce(c.confkey, '{}')) WITH ORDINALITY k(n, i)
          JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace s ON s.oid = t.relnamespace
LEFT JOIN pg_class r ON r.oid = c.confrelid
WHERE s.nspname = current_schema() AND c.contype IN ('p', 'u', 'f') AND NOT t.relispartition
ORDER BY 1, 2
"""


@dataclass(frozen=True)
class Blocker:
    """One constraint Citus would refuse under the plan, and why."""

    table: str
    constraint: str
    definition: str
    reason: str


@dataclass(frozen=True)
class _Constraint:
    table: str
    name: str
    kind: str
    definition: str
    target: str
    columns: list[str]
    target_columns: list[str]


def _constraints() -> list[_Constraint]:
    with connection.cursor() as cursor:
        cursor.execute(_CONSTRAINTS)
        return [_Constraint(*row) for row in cursor.fetchall()]


def _columns_of(tables: list[str]) -> dict[str, set[str]]:
    with connection.cursor() as cursor:
        return {
            table: {c.name for c in connection.introspection.get_table_description(cursor, table)} for table in tables
        }


def _through_column(constraint: _Constraint) -> bool:
    """Whether the foreign key pairs the source's distribution column with the target's."""
    pairs = zip(constraint.columns, constraint.target_columns, strict=True)
    return (DISTRIBUTED[constraint.table], DISTRIBUTED[constraint.target]) in pairs


def _reason(constraint: _Constraint) -> str | None:
    table, target = constraint.table, constraint.target
    if constraint.kind in ("p", "u"):
        column = DISTRIBUTED.get(table)
        return UNIQUE_WITHOUT_COLUMN.format(column=column) if column and column not in constraint.columns else None
    if target in DISTRIBUTED:
        if table not in DISTRIBUTED:
            return INTO_DISTRIBUTED
        return None if _through_column(constraint) else NOT_THROUGH_COLUMN.format(column=DISTRIBUTED[table])
    if target in LOCAL and table not in LOCAL:
        return INTO_LOCAL
    return None


def distribution_blockers() -> list[Blocker]:
    """Every constraint of the live schema that Citus would refuse under the plan above (PostgreSQL)."""
    blockers = [
        Blocker(table, "", "", MISSING_COLUMN.format(column=column))
        for table, columns in _columns_of(sorted(DISTRIBUTED)).items()
        if (column := DISTRIBUTED[table]) not in columns
    ]
    for constraint in _constraints():
        reason = _reason(constraint)
        if reason:
            blockers.append(Blocker(constraint.table, constraint.name, constraint.definition, reason))
    return sorted(blockers, key=lambda b: (b.table, b.constraint))
