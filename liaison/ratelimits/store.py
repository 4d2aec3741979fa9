"""The one rate-limit store for the whole application: atomic counters in fixed windows.

Every worker and every restart sees the same counts. By default the counters are rows in the
database, each updated by one `INSERT … ON CONFLICT … DO UPDATE … RETURNING` statement (SQLite and
PostgreSQL alike), so two workers counting at once can never both read the old value. With
`RATE_LIMIT_REDIS_URL` set they live in Redis instead (an `INCRBY` and its `EXPIRE` in one script).

Keys are what the caller counts ("sign-in-address:203.0.113.9", "reset-to:someone@example.org").
They are stored only as an HMAC under SECRET_KEY, so neither the table nor Redis holds an address;
a plain hash would not do, since every IPv4 address can be hashed in minutes.

    if not store.allow(f"reset-from:{address}", limit=20, window_seconds=3600):
        return too_many()
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import Counter


def _now() -> int:
    return int(timezone.now().timestamp())


def _hashed(key: str, window_seconds: int) -> str:
    message = f"{window_seconds}:{key}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _window_start(now: int, window_seconds: int) -> int:
    if window_seconds < 1:
        raise ValueError(f"window_seconds: must be at least 1, got {window_seconds}")
    return now - now % window_seconds


class Backend(Protocol):
    def hit(self, hashed: str, *, window_start: int, window_seconds: int, cost: int) -> int: ...
    def peek(self, hashed: str, *, window_start: int) -> int: ...
    def reset(self, hashed: str, *, window_start: int) -> None: ...
    def purge_expired(self, *, now: int) -> int: ...


class DatabaseBackend:
    """Counters as rows of ratelimits_counter: one row per key, its count reset when a new window begins."""

    def hit(self, hashed: str, *, window_start: int, window_seconds: int, cost: int) -> int:
        table = connection.ops.quote_name(Counter._meta.db_table)
        # Every SET expression sees the row as it was; a worker whose clock lags never turns the
        # window back (the later window_start wins).
        sql = (
            f"INSERT INTO {table} (key, window_start, expires_at, count) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT (key) DO UPDATE SET "
            f"count = CASE WHEN {table}.window_start >= excluded.window_start "
            f"THEN {table}.count + excluded.count ELSE excluded.count END, "
            f"expires_at = CASE WHEN {table}.window_start >= excluded.window_start "
            f"THEN {table}.expires_at ELSE excluded.expires_at END, "
            f"window_start = CASE WHEN {table}.window_start >= excluded.window_start "
            f"THEN {table}.window_start ELSE excluded.window_start END "
            f"RETURNING count"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [hashed, window_start, window_start + window_seconds, cost])
            (count,) = cursor.fetchone()
        return int(count)

    def peek(self, hashed: str, *, window_start: int) -> int:
        found = Counter.objects.filter(key=hashed, window_start__gte=window_start).values_list("count", flat=True)
        return int(found.first() or 0)

    def reset(self, hashed: str, *, window_start: int) -> None:
        Counter.objects.filter(key=hashed).delete()

    def purge_expired(self, *, now: int) -> int:
        deleted, _ = Counter.objects.filter(expires_at__lte=now).delete()
        return deleted


_REDIS_HIT = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return count
"""


class RedisBackend:
    """Counters as Redis keys, one per key and window, that expire on their own."""

    def __init__(self, url: str) -> None:
        import redis  # only needed when configured

        self.client: Any = redis.Redis.from_url(url)
        self.script = self.client.register_script(_REDIS_HIT)

    @staticmethod
    def _name(hashed: str, window_start: int) -> str:
        return f"liaison:rl:{hashed}:{window_start}"

    def hit(self, hashed: str, *, window_start: int, window_seconds: int, cost: int) -> int:
        # A second past the window's end, so a key never outlives its window by less than a tick.
        ttl = max(1, window_start + window_seconds - _now()) + 1
        return int(self.script(keys=[self._name(hashed, window_start)], args=[cost, ttl]))

    def peek(self, hashed: str, *, window_start: int) -> int:
        return int(self.client.get(self._name(hashed, window_start)) or 0)

    def reset(self, hashed: str, *, window_start: int) -> None:
        self.client.delete(self._name(hashed, window_start))

    def purge_expired(self, *, now: int) -> int:
        return 0  # Redis expires keys itself


@cache
def _backend_for(redis_url: str) -> Backend:
    return RedisBackend(redis_url) if redis_url else DatabaseBackend()


def backend() -> Backend:
    return _backend_for(getattr(settings, "RATE_LIMIT_REDIS_URL", "") or "")


def hit(key: str, *, window_seconds: int, cost: int = 1) -> int:
    """Count `cost` against `key` in the current window; the window's count after this hit."""
    if cost < 1:
        raise ValueError(f"cost: must be at least 1, got {cost}")
    start = _window_start(_now(), window_seconds)
    return backend().hit(_hashed(key, window_seconds), window_start=start, window_seconds=window_seconds, cost=cost)


def peek(key: str, *, window_seconds: int) -> int:
    """The count under `key` in the current window, without counting."""
    start = _window_start(_now(), window_seconds)
    return backend().peek(_hashed(key, window_seconds), window_start=start)


def reset(key: str, *, window_seconds: int) -> None:
    """Forget the count under `key` (an admin unlocking, a successful sign-in)."""
    start = _window_start(_now(), window_seconds)
    backend().reset(_hashed(key, window_seconds), window_start=start)


def allow(key: str, *, limit: int, window_seconds: int, cost: int = 1) -> bool:
    """Count one attempt; False once more than `limit` were made in the current window."""
    return hit(key, window_seconds=window_seconds, cost=cost) <= limit


def seconds_left(*, window_seconds: int) -> int:
    """Seconds until the current window ends: what a 429's Retry-After should say."""
    now = _now()
    return _window_start(now, window_seconds) + window_seconds - now


def purge_expired() -> int:
    """Delete counters whose window has ended; the number deleted. Safe to run at any time."""
    return backend().purge_expired(now=_now())
