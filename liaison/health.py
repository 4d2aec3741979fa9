"""The health check a load balancer or monitor polls.

It answers 503 only when the database is down (so a load balancer takes the web server out of
rotation only then); a worker that stopped, a queue that waits, or a failed probe make the status
"degraded" with 200, or 503 with `?strict=1` for a monitor that reads only the status code.
Other parts add probes with `health_probe_register` (e.g. the audit chain's last verification).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from liaison.accounts.audit_chain import audit_last_verification
from liaison.interactions.partitions import partitions_health
from liaison.operations.heartbeat import worker_health

# A probe returns its report and whether it is healthy.
Probe = Callable[[], tuple[dict[str, Any], bool]]
_probes: dict[str, Probe] = {}
# Tasks waiting longer than this with a live worker mean the worker is stuck or overwhelmed.
QUEUE_AGE_LIMIT_SECONDS = 15 * 60


def health_probe_register(name: str, probe: Probe) -> None:
    """Add (or replace) a named entry in /healthz."""
    _probes[name] = probe


def _audit_chain() -> tuple[dict[str, Any], bool]:
    """When `audit_verify` last walked the audit log's chain, and what it found (docs/audit.md)."""
    try:
        verification = audit_last_verification()
    except DatabaseError:
        return {"status": "unknown", "last_verified_at": None}, False
    if verification is None:
        return {"status": "unknown", "last_verified_at": None}, True
    report = {
        "status": "ok" if verification.ok else "failed",
        "last_verified_at": verification.checked_at.isoformat(),
        "entries": verification.entries,
    }
    return report, verification.ok


health_probe_register("audit_chain", _audit_chain)


def _rollup_partitions() -> tuple[dict[str, Any], bool]:
    """Whether the daily rollups have this school year's and the next one's partitions (docs/scale.md)."""
    try:
        return partitions_health()
    except DatabaseError:
        return {"status": "unknown"}, False


health_probe_register("rollup_partitions", _rollup_partitions)


def _worker() -> tuple[dict[str, Any], bool]:
    try:
        health = worker_health()
    except DatabaseError:  # the database answers but its tables are not there: migrations not run
        return {"status": "unknown", "error": "tables missing (run manage.py migrate)"}, False
    queue_ok = health.oldest_queued_seconds is None or health.oldest_queued_seconds <= QUEUE_AGE_LIMIT_SECONDS
    report = {
        "status": health.status,
        "last_seen_seconds": health.last_seen_seconds,
        "queued": health.queued,
        "oldest_queued_seconds": health.oldest_queued_seconds,
    }
    return report, health.ok and queue_ok


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    worker, healthy = _worker()
    body: dict[str, Any] = {"status": "ok", "database": "ok", "worker": worker}
    for name, probe in _probes.items():
        body[name], probe_ok = probe()
        healthy = healthy and probe_ok
    if not healthy:
        body["status"] = "degraded"
    strict = request.GET.get("strict") in {"1", "true"}
    return JsonResponse(body, status=503 if strict and not healthy else 200)
