"""The database itself refuses to change or delete audit entries, on SQLite and PostgreSQL."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE TRIGGER accounts_auditentry_no_update BEFORE UPDATE ON accounts_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
    """CREATE TRIGGER accounts_auditentry_no_delete BEFORE DELETE ON accounts_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS accounts_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS accounts_auditentry_no_delete;",
]
POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION accounts_auditentry_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER accounts_auditentry_no_change BEFORE UPDATE OR DELETE ON accounts_auditentry
       FOR EACH ROW EXECUTE FUNCTION accounts_auditentry_refuse();""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS accounts_auditentry_no_change ON accounts_auditentry;",
    "DROP FUNCTION IF EXISTS accounts_auditentry_refuse();",
]


def forward(apps, schema_editor):
    statements = POSTGRES_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = POSTGRES_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_memberships_and_audit_log")]

    operations = [migrations.RunPython(forward, backward)]
