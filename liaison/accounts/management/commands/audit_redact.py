"""Empty one audit entry's content for a lawful expungement (the stub and its hash stay)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.accounts.audit_chain import audit_redact
from liaison.accounts.models import AuditEntry


class Command(BaseCommand):
    help = "Redact the audit entry ENTRY_UUID; the redaction is itself an audit entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entry_uuid")
        parser.add_argument("--reason", required=True, help="The order or rule that requires it.")

    def handle(self, *args: Any, entry_uuid: str, reason: str, **options: Any) -> None:
        entry = AuditEntry.objects.filter(uuid=entry_uuid).first()
        if entry is None:
            raise CommandError(f"entry_uuid: no audit entry {entry_uuid}")
        try:
            audit_redact(actor=None, entry=entry, reason=reason)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Redacted {entry_uuid}.")
