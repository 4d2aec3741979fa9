"""One row per rate-limit key: the count in its current fixed window."""

from __future__ import annotations

from django.db import models


class Counter(models.Model):
    """Written only through store.py's single upsert statement, never read-then-written.

    `key` is an HMAC of the caller's key (which may hold an address or an e-mail address), so the
    table never holds either in the clear. `window_start` and `expires_at` are Unix seconds.
    """

    key = models.CharField(max_length=64, unique=True)
    window_start = models.BigIntegerField()
    expires_at = models.BigIntegerField(db_index=True)
    count = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.count}"
