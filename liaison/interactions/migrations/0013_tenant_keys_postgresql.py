"""PostgreSQL: the contacts, the seven tables that point at them, a session's teacher feedback and
the contact imports are keyed by their agency.

- Each table's primary key becomes `(agency_id, id)`, the key Citus needs to distribute it by agency.
  `id` stays unique on its own (`<table>_id_key`): Django addresses rows and declares its foreign keys
  by `id` alone. The foreign keys that leaned on the old primary key are put back on that key.
- Each table that points at a contact also points at it through the agency: a foreign key
  `(agency_id, interaction_id)` to the contact's `(agency_id, id)`. A judgment, review, amendment,
  enforcement detail, class session, mentoring meeting or mentee notice can then never belong to one
  agency while its contact belongs to another, whoever writes the row. A teacher's feedback points at
  its session the same way.

What Citus would still refuse is listed by `manage.py distribution_check` (docs/scale.md, "Ready to
distribute"): above all the single-column keys kept here for Django, and the rollups' cell keys,
which their triggers' upserts name.

SQLite: nothing happens (the embedded database is never distributed).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import migrations

CONTACTS = "interactions_interaction"
# The tables that point at a contact, with the column that does.
DEPENDENTS = {
    "interactions_enforcementdetail": "interaction_id",
    "interactions_amendment": "interaction_id",
    "agreements_evaluation": "interaction_id",
    "agreements_review": "interaction_id",
    "programs_session": "interaction_id",
    "programs_mentoringmeeting": "interaction_id",
    "programs_menteeenforcementnotice": "interaction_id",
}
TENANT = "agency_id"
# What else points at one of those through the agency: table -> (column, the table it points at).
SAME_AGENCY = {table: (column, CONTACTS) for table, column in DEPENDENTS.items()} | {
    "programs_teacherfeedback": ("session_id", "programs_session"),
}
TABLES = (CONTACTS, *SAME_AGENCY, "interactions_interactionimport")


def same_agency_constraint(table: str, column: str) -> str:
    return f"{table}_{column.removesuffix('_id')}_same_agency"


def _foreign_keys_to(cursor, table: str) -> list[tuple[str, str, str]]:
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'f' AND confrelid = %s::regclass ORDER BY 1, 2",
        [table],
    )
    return list(cursor.fetchall())


@contextmanager
def _foreign_keys_set_aside(cursor, table: str) -> Iterator[None]:
    """Drop the foreign keys that point at `table`, and put them back (on whichever key now fits)."""
    pointing = _foreign_keys_to(cursor, table)
    for source, name, _ in pointing:
        cursor.execute(f'ALTER TABLE {source} DROP CONSTRAINT "{name}"')
    yield
    for source, name, definition in pointing:
        cursor.execute(f'ALTER TABLE {source} ADD CONSTRAINT "{name}" {definition}')


def _rekey(cursor, table: str, key: str) -> None:
    """Make `key` the table's primary key, keeping every foreign key that points at the table."""
    with _foreign_keys_set_aside(cursor, table):
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey")
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({key})")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            # `id` keeps a unique key of its own first, so the foreign keys to it have one to stand on.
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_id_key UNIQUE (id)")
            _rekey(cursor, table, f"{TENANT}, id")
        for table, (column, target) in SAME_AGENCY.items():
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {same_agency_constraint(table, column)}"
                f" FOREIGN KEY ({TENANT}, {column}) REFERENCES {target} ({TENANT}, id)"
                " DEFERRABLE INITIALLY DEFERRED"
            )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, (column, _) in SAME_AGENCY.items():
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {same_agency_constraint(table, column)}")
        for table in TABLES:
            _rekey(cursor, table, "id")
            # Foreign keys may stand on the unique key as well as on the primary key: move them first.
            with _foreign_keys_set_aside(cursor, table):
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_id_key")


class Migration(migrations.Migration):
    dependencies = [
        ("interactions", "0012_officer_month_rollups"),
        ("agreements", "0003_kept_judgments_and_titled_versions"),
        ("programs", "0001_curricula_sessions_mentoring_calendars"),
    ]

    operations = [migrations.RunPython(forward, backward)]
