"""The database refuses what the chain would otherwise have to detect.

Entries: no insert that reuses an id or uuid (SQLite's INSERT OR REPLACE deletes the old row without
firing the delete trigger), and no update but the one a lawful expungement makes (content emptied,
stamped redacted, only once the entry is sealed). Seals: append-only, like the entries.
"""

from django.db import migrations

ENTRY_COLUMNS_KEPT = (
    "id",
    "uuid",
    "at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_uuid",
    "agency_id",
    "district_id",
)


def _redaction(same: str) -> str:
    """The one update allowed: `same` is the null-safe equality operator of the database."""
    kept = " AND ".join(f"NEW.{column} {same} OLD.{column}" for column in ENTRY_COLUMNS_KEPT)
    return (
        "OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND NEW.summary = '' "
        f"AND NEW.before IS NULL AND NEW.after IS NULL AND {kept} "
        "AND EXISTS (SELECT 1 FROM accounts_auditseal WHERE entry_id = OLD.id)"
    )


SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS accounts_auditentry_no_update;",
    f"""CREATE TRIGGER accounts_auditentry_no_update BEFORE UPDATE ON accounts_auditentry
       WHEN NOT ({_redaction("IS")})
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
    """CREATE TRIGGER accounts_auditentry_no_reuse BEFORE INSERT ON accounts_auditentry
       WHEN EXISTS (SELECT 1 FROM accounts_auditentry WHERE id = NEW.id OR uuid = NEW.uuid)
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
    """CREATE TRIGGER accounts_auditseal_no_update BEFORE UPDATE ON accounts_auditseal
       BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;""",
    """CREATE TRIGGER accounts_auditseal_no_delete BEFORE DELETE ON accounts_auditseal
       BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;""",
    """CREATE TRIGGER accounts_auditseal_no_reuse BEFORE INSERT ON accounts_auditseal
       WHEN EXISTS (SELECT 1 FROM accounts_auditseal WHERE id = NEW.id OR position = NEW.position
                    OR entry_id = NEW.entry_id)
       BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;""",
]
# Live (transactional) tests end with a flush, a DELETE these refuse: conftest drops them for those.
SQLITE_NO_DELETE = {
    "accounts_auditentry_no_delete": (
        "CREATE TRIGGER IF NOT EXISTS accounts_auditentry_no_delete BEFORE DELETE ON accounts_auditentry "
        "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;"
    ),
    "accounts_auditseal_no_delete": (
        "CREATE TRIGGER IF NOT EXISTS accounts_auditseal_no_delete BEFORE DELETE ON accounts_auditseal "
        "BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;"
    ),
}
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS accounts_auditentry_no_reuse;",
    "DROP TRIGGER IF EXISTS accounts_auditseal_no_update;",
    "DROP TRIGGER IF EXISTS accounts_auditseal_no_delete;",
    "DROP TRIGGER IF EXISTS accounts_auditseal_no_reuse;",
    "DROP TRIGGER IF EXISTS accounts_auditentry_no_update;",
    """CREATE TRIGGER accounts_auditentry_no_update BEFORE UPDATE ON accounts_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
]
POSTGRES_FORWARD = [
    f"""CREATE OR REPLACE FUNCTION accounts_auditentry_refuse() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND {_redaction("IS NOT DISTINCT FROM")} THEN RETURN NEW; END IF;
         RAISE EXCEPTION 'audit entries are append-only';
       END; $$ LANGUAGE plpgsql;""",
    """CREATE OR REPLACE FUNCTION accounts_auditseal_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit seals are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER accounts_auditseal_no_change BEFORE UPDATE OR DELETE ON accounts_auditseal
       FOR EACH ROW EXECUTE FUNCTION accounts_auditseal_refuse();""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS accounts_auditseal_no_change ON accounts_auditseal;",
    "DROP FUNCTION IF EXISTS accounts_auditseal_refuse();",
    """CREATE OR REPLACE FUNCTION accounts_auditentry_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql;""",
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
    dependencies = [("accounts", "0004_audit_hash_chain")]

    operations = [migrations.RunPython(forward, backward)]
