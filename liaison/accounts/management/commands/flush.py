"""Django's flush, run as the owner role when DATABASE_MIGRATE_URL is set: the application's role may
not TRUNCATE (liaison/accounts/db_roles.py). The test suite empties its database this way.

On SQLite a browser test's live server may still be answering the page's last request when the test
ends (the shared in-memory database then says "database table is locked"): the flush, which runs in
one transaction and is rolled back when it fails, is tried again for a few seconds."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as FlushCommand
from django.db import OperationalError

from liaison.accounts.db_roles import as_owner

TRIES = 10
PAUSE_SECONDS = 0.5


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        for attempt in range(1, TRIES + 1):
            try:
                with as_owner(options["database"]):
                    super().handle(**options)
                return
            except CommandError as error:
                if attempt == TRIES or not _table_locked(error):
                    raise
                time.sleep(PAUSE_SECONDS)


def _table_locked(error: CommandError) -> bool:
    cause = error.__cause__
    return isinstance(cause, OperationalError) and "is locked" in str(cause)
