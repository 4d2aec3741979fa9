"""Print a new API token for a user; the token carries the user's own scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.accounts.models import TokenAccess, User
from liaison.accounts.tokens import api_token_issue

UNKNOWN_USER = "No active user named {username!r}."


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it (it is shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="A label to recognise the token by.")
        parser.add_argument("--access", choices=TokenAccess.values, default=TokenAccess.READ_WRITE)
        parser.add_argument("--days", type=int, default=None, help="How many days it works (default API_TOKEN_DAYS).")

    def handle(self, *args: Any, username: str, name: str, access: str, days: int | None, **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(UNKNOWN_USER.format(username=username))
        try:
            _, token = api_token_issue(actor=None, user=user, name=name, access=access, days=days)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(token)
