"""What Citus would still refuse if the PostgreSQL database were distributed today (docs/scale.md)."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from liaison.operations.distribution import DISTRIBUTED, LOCAL, distribution_blockers

ONLY_POSTGRESQL = "Only a PostgreSQL database can be distributed; this one is {vendor}."
PLAN = "{distributed} tables distributed by agency, {local} kept local on the coordinator, the rest reference tables."
READY = "Nothing in the schema stops distributing it."
BLOCKED = "{count} constraint(s) Citus would refuse, in {tables} table(s):"


class Command(BaseCommand):
    help = "List the constraints that would stop Citus from distributing the database by agency."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--strict", action="store_true", help="Exit with an error when anything is listed.")

    def handle(self, *args: Any, strict: bool, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(ONLY_POSTGRESQL.format(vendor=connection.vendor))
        self.stdout.write(PLAN.format(distributed=len(DISTRIBUTED), local=len(LOCAL)))
        blockers = distribution_blockers()
        if not blockers:
            self.stdout.write(READY)
            return
        blocked = BLOCKED.format(count=len(blockers), tables=len({b.table for b in blockers}))
        self.stdout.write(blocked)
        for table, rows in groupby(blockers, key=lambda b: b.table):
            self.stdout.write(f"  {table}")
            for blocker in rows:
                self.stdout.write(f"    {blocker.constraint or '(table)'}: {blocker.definition} ({blocker.reason})")
        if strict:
            raise CommandError(blocked.rstrip(":"))
