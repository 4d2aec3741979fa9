"""Fail imports whose worker stopped and delete uploads no live import names (run at the worker's start)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from liaison.directory.roster_imports import roster_imports_recover
from liaison.interactions.imports import interaction_imports_recover

RECOVERED = "Imports marked failed (worker stopped): {failed}; leftover uploads deleted: {deleted}."


class Command(BaseCommand):
    help = "Mark failed the running imports whose worker stopped, and delete uploads with no live import."

    def handle(self, *args: Any, **options: Any) -> None:
        failed = deleted = 0
        for recover in (interaction_imports_recover, roster_imports_recover):
            f, d = recover()
            failed, deleted = failed + f, deleted + d
        self.stdout.write(RECOVERED.format(failed=failed, deleted=deleted))
