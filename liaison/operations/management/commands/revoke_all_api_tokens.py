"""Revoke every API token at once: integrations and phones need new ones."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from liaison.accounts.tokens import api_tokens_revoke_everyone

REVOKED = "Revoked {count} API token(s); their owners create new ones on their account page."


class Command(BaseCommand):
    help = "Revoke every working API token. Recorded in the audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reason", default="", help="Why, for the audit log (e.g. 'token leaked').")

    def handle(self, *args: Any, reason: str, **options: Any) -> None:
        count = api_tokens_revoke_everyone(actor=None, reason=reason)
        self.stdout.write(REVOKED.format(count=count))
