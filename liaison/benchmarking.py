"""The bare single-row insert that scripts/benchmark_api_create.py compares the API against.

Routed only when LIAISON_BENCHMARK_ENDPOINTS=1 (settings.BENCHMARK_ENDPOINTS), and refusing to
run otherwise even if routed: it writes without authentication, so it must never be reachable in
production. It inserts one audit entry, the smallest write an existing table allows (no migration).
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from liaison.accounts.models import AuditEntry

BENCHMARK_OBJECT_TYPE = "benchmark.bare_insert"


@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> JsonResponse:
    """One INSERT and a small JSON answer: the floor under any write through Django here."""
    if not settings.BENCHMARK_ENDPOINTS:
        raise Http404
    entry = AuditEntry.objects.create(action=AuditEntry.Action.CREATE, object_type=BENCHMARK_OBJECT_TYPE)
    return JsonResponse({"id": str(entry.uuid)}, status=201)


urlpatterns = [
    path("benchmark/bare-insert", bare_insert, name="benchmark_bare_insert"),
]
