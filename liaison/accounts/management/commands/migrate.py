"""Django's migrate, run as the owner role when DATABASE_MIGRATE_URL is set (liaison/accounts/db_roles.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.migrate import Command as MigrateCommand

from liaison.accounts.db_roles import app_role_grant, application_role, as_owner, owner_credentials


class Command(MigrateCommand):
    help = MigrateCommand.help + " With DATABASE_MIGRATE_URL, as that (owner) role, then grants DATABASE_URL's role."

    def handle(self, *args: Any, **options: Any) -> None:
        owner = owner_credentials()
        with as_owner(options["database"]) as connection:
            super().handle(*args, **options)
            role = application_role()
            if owner is not None and connection.vendor == "postgresql" and role and role != owner["USER"]:
                app_role_grant(connection, role)
