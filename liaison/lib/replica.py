"""Reads of reports, dashboards and exports from a PostgreSQL streaming replica (DATABASE_REPLICA_URL).

Nothing is guessed: a view reads from the replica only when it is marked, with the `reads_from_replica`
decorator or inside `with replica_reads():`. Everything else — every write, every form, every page a
user reads back right after saving — reads from the primary. Inside a marked view the primary is
still used:

- when there is no replica (`DATABASE_REPLICA_URL` unset: the only database is "default");
- inside a transaction on the primary (a read there must see the transaction's own writes);
- after a write in the same request, and for `REPLICA_PIN_SECONDS` after a write in the same browser
  session (`ReplicaPinMiddleware`): whoever saved something sees it at once;
- when the replica lags by more than `REPLICA_MAX_LAG_SECONDS`, or cannot be reached (the fallback,
  docs/operations.md). Lag is measured on the replica: zero when everything it received is replayed,
  otherwise the age of the last transaction it replayed (`pg_last_xact_replay_timestamp()`); it is
  checked at most every `REPLICA_LAG_CHECK_SECONDS` per process.

Writes always go to the primary (`db_for_write`), migrations run only there, and the replica itself
refuses writes (a hot standby is read-only).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections
from django.db.utils import DatabaseError
from django.http import HttpRequest, StreamingHttpResponse

REPLICA = "replica"
PRIMARY = "default"
PIN_SESSION_KEY = "_liaison_primary_until"
# Writes that do not pin a request to the primary: nobody reads them back on the next page
# (the audit of a report's read, the session itself, a stored figure snapshot read back by its builder).
UNPINNED_WRITES = frozenset({"accounts.auditentry", "accounts.auditseal", "sessions.session"})

logger = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class _Request:
    marked: bool = False  # inside a view marked as a report, dashboard or export
    pinned: bool = False  # a write happened (this request or the session's recent past)
    wrote: bool = False  # a write happened in this request


_state: contextvars.ContextVar[_Request | None] = contextvars.ContextVar("liaison_replica_state", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside may go to the replica (a report, a dashboard, an export)."""
    current = _state.get()
    if current is not None:
        was, current.marked = current.marked, True
        try:
            yield
        finally:
            current.marked = was
        return
    token = _state.set(_Request(marked=True))
    try:
        yield
    finally:
        _state.reset(token)


def _streamed(chunks: Iterable[Any], pinned: bool) -> Iterator[Any]:
    token = _state.set(_Request(marked=True, pinned=pinned))
    try:
        yield from chunks
    finally:
        _state.reset(token)


def reads_from_replica(view: F) -> F:
    """Mark a view (page, CSV, API operation) whose reads may go to the replica. A streamed response's
    body is read inside the mark too."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            response = view(*args, **kwargs)
            current = _state.get()
            pinned = current is not None and current.pinned
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = _streamed(response.streaming_content, pinned)  # type: ignore[arg-type]
        return response

    wrapper.reads_from_replica = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


# --- lag ------------------------------------------------------------------------------------------

LAG_SQL = (
    "SELECT CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0"
    " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9) END"
)


@dataclass
class _LagCheck:
    at: float = float("-inf")
    usable: bool = False
    lag: float | None = None


_last_check = _LagCheck()


def replica_lag_seconds() -> float | None:
    """How far the replica is behind the primary, in seconds; None when it cannot be asked."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            row = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Replica unreachable, reading from the primary: %s", error)
        connections[REPLICA].close()
        return None
    return float(row[0]) if row and row[0] is not None else None


def replica_usable(*, fresh: bool = False) -> bool:
    """Whether the replica is reachable and within REPLICA_MAX_LAG_SECONDS (checked at most every
    REPLICA_LAG_CHECK_SECONDS per process unless `fresh`)."""
    now = time.monotonic()
    if fresh or now - _last_check.at >= float(getattr(settings, "REPLICA_LAG_CHECK_SECONDS", 1.0)):
        lag = replica_lag_seconds()
        _last_check.at, _last_check.lag = now, lag
        _last_check.usable = lag is not None and lag <= float(getattr(settings, "REPLICA_MAX_LAG_SECONDS", 5.0))
        if lag is not None and not _last_check.usable:
            logger.warning("Replica %.1f s behind, reading from the primary", lag)
    return _last_check.usable


def replica_check_reset() -> None:
    """Forget the last lag check (tests, and after a failover)."""
    _last_check.at = float("-inf")


# --- the router -----------------------------------------------------------------------------------


class ReplicaRouter:
    """DATABASE_ROUTERS entry: marked reads to the replica when it is there and fresh; all else primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        current = _state.get()
        if current is None or not current.marked or current.pinned or not replica_configured():
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA if replica_usable() else PRIMARY

    def db_for_write(self, model: Any, **hints: Any) -> str:
        current = _state.get()
        if current is not None and model._meta.label_lower not in UNPINNED_WRITES:
            current.pinned = current.wrote = True
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db != REPLICA


class ReplicaPinMiddleware:
    """One state per request; a write pins this browser session to the primary for REPLICA_PIN_SECONDS."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        if not replica_configured():
            return self.get_response(request)
        session = getattr(request, "session", None)
        until = session.get(PIN_SESSION_KEY, 0) if session is not None else 0
        token = _state.set(_Request(pinned=time.time() < float(until or 0)))
        try:
            response = self.get_response(request)
            current = _state.get()
            if current is not None and current.wrote and session is not None and session.session_key:
                session[PIN_SESSION_KEY] = time.time() + float(getattr(settings, "REPLICA_PIN_SECONDS", 30))
            return response
        finally:
            _state.reset(token)


def database_for_reads() -> str:
    """Where a read made here, now, would go."""
    return ReplicaRouter().db_for_read(None)
