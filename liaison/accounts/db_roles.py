"""Two PostgreSQL roles: the owner runs migrations, the application may only read and write rows.

The application's role (`DATABASE_URL`) must not own the tables: an owner may TRUNCATE the audit
log, disable its triggers or alter it, and a superuser may also turn every trigger off with
`session_replication_role`. With `DATABASE_MIGRATE_URL` set to the owner's URL (same database),
`manage.py migrate` and `flush` connect as the owner and, after migrating, grant the application's
role exactly what it needs: rows of every table, but on the audit log's tables only SELECT and
INSERT (and, on entries, UPDATE of the four columns a redaction empties, which a trigger limits to
that one form). docs/audit.md has the set-up.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

AUDIT_TABLES = ("accounts_auditentry", "accounts_auditseal")
REDACTABLE_COLUMNS = ("redacted_at", "summary", "before", "after")
_CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")

APP_ROLE_IS_SUPERUSER = "The application's database role {role} is a superuser: it can switch the audit triggers off."
APP_ROLE_OWNS_AUDIT_LOG = (
    "The application's database role {role} owns {table}: it can truncate it or drop its triggers."
)
APP_ROLE_MAY_CHANGE_AUDIT_LOG = "The application's database role {role} may {privilege} {table}."


def owner_credentials() -> dict[str, Any] | None:
    """The owner's user, password, host and port from DATABASE_MIGRATE_URL, or None when it is not set."""
    url = getattr(settings, "DATABASE_MIGRATE_URL", "")
    if not url:
        return None
    import dj_database_url

    parsed = dj_database_url.parse(url)
    return {key: parsed.get(key, "") for key in _CREDENTIALS}


@contextlib.contextmanager
def as_owner(alias: str = "default") -> Iterator[BaseDatabaseWrapper]:
    """The connection, switched to the owner's credentials for the duration (when they are configured)."""
    connection = connections[alias]
    owner = owner_credentials()
    if owner is None or connection.vendor != "postgresql":
        yield connection
        return
    saved = {key: connection.settings_dict.get(key) for key in _CREDENTIALS}
    connection.close()
    connection.settings_dict.update(owner)
    try:
        yield connection
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def application_role() -> str:
    """The role the application connects as (DATABASE_URL's user), whatever the connection uses now."""
    import dj_database_url

    url = getattr(settings, "DATABASE_URL", "")
    return str(dj_database_url.parse(url).get("USER") or "") if url else ""


def app_role_grant(connection: BaseDatabaseWrapper, role: str) -> None:
    """As the owner: give `role` rows of every table, and on the audit log's only SELECT and INSERT."""
    quote = connection.ops.quote_name
    audit = ", ".join(AUDIT_TABLES)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {quote(role)}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quote(role)}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quote(role)}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {audit} FROM {quote(role)}",
        f"GRANT UPDATE ({', '.join(REDACTABLE_COLUMNS)}) ON accounts_auditentry TO {quote(role)}",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def audit_privilege_problems(alias: str = "default") -> list[str]:
    """What the connected role could do to the audit log that it should not (empty: least privilege)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return []
    problems = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        role, superuser = cursor.fetchone()
        if superuser:
            return [APP_ROLE_IS_SUPERUSER.format(role=role)]
        for table in AUDIT_TABLES:
            cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [table])
            row = cursor.fetchone()
            if row is None:
                continue
            if row[0] == role:
                problems.append(APP_ROLE_OWNS_AUDIT_LOG.format(role=role, table=table))
                continue
            for privilege in ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER"):
                cursor.execute("SELECT has_table_privilege(%s, %s)", [table, privilege])
                if cursor.fetchone()[0]:
                    problems.append(APP_ROLE_MAY_CHANGE_AUDIT_LOG.format(role=role, privilege=privilege, table=table))
    return problems
