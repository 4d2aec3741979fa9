"""PostgreSQL's two roles: the application's may read and add audit entries, and nothing more."""

from __future__ import annotations

import pytest
from django.core import checks
from django.db import DatabaseError, connection, transaction

from liaison.accounts.audit import audit_record
from liaison.accounts.db_roles import APP_ROLE_IS_SUPERUSER, audit_privilege_problems, owner_credentials

TWO_ROLES = connection.vendor == "postgresql" and owner_credentials() is not None
two_roles_only = pytest.mark.skipif(not TWO_ROLES, reason="needs DATABASE_MIGRATE_URL (CI's two-role run)")

WHAT_THE_OWNER_COULD_DO = [
    "TRUNCATE accounts_auditentry",
    "TRUNCATE accounts_auditseal",
    "ALTER TABLE accounts_auditentry DISABLE TRIGGER USER",
    "DROP TRIGGER accounts_auditentry_no_change ON accounts_auditentry",
    "SET session_replication_role = replica",
    "DELETE FROM accounts_auditentry",
    "UPDATE accounts_auditentry SET actor_username = 'mallory'",
]


@two_roles_only
@pytest.mark.parametrize("statement", WHAT_THE_OWNER_COULD_DO)
def test_the_application_role_cannot_rewrite_the_audit_log(db, statement):
    audit_record(actor=None, action="create", object_type="test.thing", summary="kept")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert audit_privilege_problems() == []


@two_roles_only
def test_the_application_role_reads_and_adds_entries(db):
    entry = audit_record(actor=None, action="create", object_type="test.thing", summary="added")
    with connection.cursor() as cursor:
        cursor.execute("SELECT summary FROM accounts_auditentry WHERE id = %s", [entry.pk])
        assert cursor.fetchone() == ("added",)


@pytest.mark.skipif(TWO_ROLES or connection.vendor != "postgresql", reason="a single superuser role only")
def test_the_check_warns_when_the_application_runs_as_a_superuser(db):
    warnings = checks.run_checks(databases=["default"], tags=[checks.Tags.database])
    [warning] = [w for w in warnings if w.id == "liaison.W015"]
    assert warning.msg == APP_ROLE_IS_SUPERUSER.format(role=connection.settings_dict["USER"])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite has no roles")
def test_sqlite_has_no_role_to_check(db):
    assert audit_privilege_problems() == []
