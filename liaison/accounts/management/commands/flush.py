"""Django's flush, run as the owner role when DATABASE_MIGRATE_URL is set: the application's role may
not TRUNCATE (liaison/accounts/db_roles.py). The test suite empties its database this way."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand

from liaison.accounts.db_roles import as_owner


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        with as_owner(options["database"]):
            super().handle(**options)
