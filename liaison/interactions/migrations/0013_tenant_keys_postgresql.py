"""PostgreSQL: the contacts and the records that hang off them point at each other through their agency.

- The contacts, and the class sessions, get a second unique key `(agency_id, id)`, the key Citus would
  join their records on (`<table>_tenant_key`).
- Each table that points at a contact also points at it through the agency: a foreign key
  `(agency_id, interaction_id)` to the contact's `(agency_id, id)`. A judgment, review, amendment,
  enforcement detail, class session, mentoring meeting or mentee notice can then never belong to one
  agency while its contact belongs to another, whoever writes the row. A teacher's feedback points at
  its session the same way.

The primary keys stay `id`: PostgreSQL lets a query select a table's columns while grouping by its
primary key alone, and Django's annotated queries rely on that (`GROUP BY id`); with `(agency_id, id)`
as the primary key they fail. What Citus would still refuse, these primary keys among it, is listed
by `manage.py distribution_check` (docs/scale.md, "Ready to distribute").

SQLite: nothing happens (the embedded database is never distributed).
"""

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
# What is pointed at through the agency, and so needs a unique key that holds it.
TARGETS = (CONTACTS, "programs_session")


def same_agency_constraint(table: str, column: str) -> str:
    return f"{table}_{column.removesuffix('_id')}_same_agency"


def tenant_key(table: str) -> str:
    return f"{table}_tenant_key"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TARGETS:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {tenant_key(table)} UNIQUE ({TENANT}, id)")
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
        for table in TARGETS:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {tenant_key(table)}")


class Migration(migrations.Migration):
    dependencies = [
        ("interactions", "0012_officer_month_rollups"),
        ("agreements", "0003_kept_judgments_and_titled_versions"),
        ("programs", "0001_curricula_sessions_mentoring_calendars"),
    ]

    operations = [migrations.RunPython(forward, backward)]
