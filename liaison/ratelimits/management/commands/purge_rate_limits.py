"""Delete rate-limit counters whose window has ended (the scheduler runs this; safe at any time)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from liaison.ratelimits import store


class Command(BaseCommand):
    help = "Delete rate-limit counters whose window has ended."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = store.purge_expired()
        self.stdout.write(f"Deleted {deleted} expired rate-limit counter(s).")
