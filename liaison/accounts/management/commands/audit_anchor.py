"""Write the audit chain's head, count and last id outside the database (every few minutes)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from liaison.accounts.audit_chain import audit_anchor, audit_anchor_mail


class Command(BaseCommand):
    help = "Seal, then append the chain's head to AUDIT_ANCHOR_FILE and/or AUDIT_ANCHOR_SYSLOG."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", action="store_true", help="Also e-mail it to the platform admins (daily).")

    def handle(self, *args: Any, email: bool, **options: Any) -> None:
        record = audit_anchor()
        self.stdout.write(json.dumps(record, sort_keys=True))
        if email:
            self.stdout.write(f"Sent to {audit_anchor_mail(record)} platform admins.")
