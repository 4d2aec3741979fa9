"""Django's flush, run as the owner role when DATABASE_MIGRATE_URL is set: the application's role may
not TRUNCATE (liaison/accounts/db_roles.py). The test suite empties its database this way.

On SQLite a browser test's live server may still be answering the page's last request when the test
ends (the shared in-memory database then says "database table is locked"): the flush, which runs in
one transaction and is rolled back when it fails, is tried again for a few seconds.

Django's flush deletes table by table in no fixed order (the order of a set). On SQLite a table's
delete triggers can then write into a table already emptied (the daily rollups' into the monthly ones,
whose triggers write officer months): the next test found those rows. So every table is emptied again
until none has a row left, before the post-migrate signal fills the ones Django keeps (content types,
permissions)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as FlushCommand
from django.core.management.sql import emit_post_migrate_signal
from django.db import OperationalError, connections, transaction

from liaison.accounts.db_roles import as_owner

TRIES = 10
PAUSE_SECONDS = 0.5
EMPTYING_PASSES = 5  # each pass can only leave rows a trigger wrote downstream of a table it emptied


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        for attempt in range(1, TRIES + 1):
            try:
                with as_owner(options["database"]):
                    super().handle(**{**options, "inhibit_post_migrate": True})
                    _finish(options)
                return
            except CommandError as error:
                if attempt == TRIES or not _table_locked(error):
                    raise
                time.sleep(PAUSE_SECONDS)


def _table_locked(error: CommandError) -> bool:
    cause = error.__cause__
    return isinstance(cause, OperationalError) and "is locked" in str(cause)


def _finish(options: dict[str, Any]) -> None:
    _empty_what_triggers_wrote_back(options["database"])
    if not options.get("inhibit_post_migrate"):
        emit_post_migrate_signal(options.get("verbosity", 1), options.get("interactive", False), options["database"])


def _empty_what_triggers_wrote_back(database: str) -> None:
    connection = connections[database]
    if connection.vendor != "sqlite":  # PostgreSQL's flush is one TRUNCATE, which fires no delete trigger
        return
    quote = connection.ops.quote_name
    for _ in range(EMPTYING_PASSES):
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        with transaction.atomic(using=database), connection.cursor() as cursor:
            left = [t for t in tables if cursor.execute(f"SELECT 1 FROM {quote(t)} LIMIT 1").fetchone()]
            if not left:
                return
            for table in left:
                cursor.execute(f"DELETE FROM {quote(table)}")
    raise CommandError(f"Database couldn't be emptied: rows keep coming back in {', '.join(left)}.")
