"""`manage.py check --database default` (and migrate) warn when the application's role could rewrite the audit log."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError

from .db_roles import audit_privilege_problems


@checks.register(checks.Tags.database)
def audit_log_privileges(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not databases or "default" not in databases:
        return []
    try:
        problems = audit_privilege_problems()
    except DatabaseError:  # not migrated yet
        return []
    hint = "Run the application as a role that does not own the tables: set DATABASE_MIGRATE_URL (docs/audit.md)."
    return [checks.Warning(problem, hint=hint, id="liaison.W015") for problem in problems]
