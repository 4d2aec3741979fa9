"""The health check a load balancer or monitor polls."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from liaison.accounts.audit_chain import audit_last_verification
from liaison.accounts.models import AuditVerification


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        verification = audit_last_verification()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "audit_chain": _audit_chain(verification)})


def _audit_chain(verification: AuditVerification | None) -> dict[str, object]:
    """When `audit_verify` last walked the chain, and what it found (a failure does not make this 503)."""
    if verification is None:
        return {"verified_at": None, "ok": None, "entries": 0}
    return {"verified_at": verification.checked_at.isoformat(), "ok": verification.ok, "entries": verification.entries}
