"""Chain the audit entries written since the last run (the worker runs this every minute or so)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from liaison.accounts.audit_chain import audit_seal


class Command(BaseCommand):
    help = "Seal new audit entries into the hash chain."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Sealed {audit_seal()} audit entries.")
