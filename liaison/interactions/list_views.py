"""Records over time: the filtered list with its counts, and the CSV export of the same filters.

Counts come from the daily rollups and pages are keyset-paginated, so neither ever counts or skips
through raw rows (the list answers in milliseconds over millions of contacts).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from liaison.accounts.audit import audit_record
from liaison.lib.replica import reads_from_replica

from . import access, selectors
from .list_forms import RecordFilterForm
from .read_audit import audit_tenant, interactions_page_read_audit
from .record_export import csv_chunks
from .vocabulary import Kind
from .vocabulary import Role as TriadRole

LIST_PAGE = "interactions/list.html"
LIST_RESULTS = "interactions/partials/list_results.html"
EXPORT_SUMMARY = "Exported {rows} record(s) as CSV"


def _require_viewer(user: Any) -> None:
    """Evaluators (and anyone who reaches no record) see aggregates elsewhere, never this list."""
    if not access.may_view_interactions(user):
        raise PermissionDenied(access.NO_RECORDS_FOR_ROLE)


def _query(params: QueryDict, **changes: str | None) -> str:
    """The current query string with some parameters replaced (None drops one)."""
    query = params.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return query.urlencode()


def _with_query(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


# --- the list -----------------------------------------------------------------------------------------


@login_required
@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request.user)
    form = RecordFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, LIST_PAGE, {"form": form}, status=400)
    filters = form.filters()
    counts = selectors.interaction_counts(user=request.user, filters=filters)
    page = selectors.interaction_page(user=request.user, filters=filters, after=form.position())
    interactions_page_read_audit(
        user=request.user,
        filters=filters,
        records=page.records,
        door="records page",
        cursor=request.GET.get("cursor", ""),
    )
    context = {"form": form, "page": page, "counts": counts, **_count_rows(counts), **_links(request, page)}
    return render(request, LIST_RESULTS if getattr(request, "htmx", False) else LIST_PAGE, context)


def _count_rows(counts: selectors.RecordCounts) -> dict[str, Any]:
    return {
        "kind_counts": [(label, counts.by_kind.get(value, 0)) for value, label in Kind.choices],
        "role_counts": [(label, counts.by_role.get(value, 0)) for value, label in TriadRole.choices],
    }


def _links(request: HttpRequest, page: selectors.RecordPage) -> dict[str, Any]:
    params = request.GET
    following = page.next_position
    return {
        "next_url": f"?{_query(params, cursor=following.token())}" if following else "",
        "first_url": f"?{_query(params, cursor=None)}" if params.get("cursor") else "",
        "export_url": _with_query(reverse("interactions:export"), _query(params, cursor=None)),
    }


# --- the export -------------------------------------------------------------------------------------------


@login_required
@require_GET
@reads_from_replica
def record_export(request: HttpRequest) -> HttpResponseBase:
    _require_viewer(request.user)
    form = RecordFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, LIST_PAGE, {"form": form}, status=400)
    filters = form.filters()
    _audit_export(request.user, filters)
    records = selectors.interactions_exported(user=request.user, filters=filters)
    response = StreamingHttpResponse(csv_chunks(records), content_type="text/csv; charset=utf-8")
    filename = f"liaison-records-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    # _audit_export logged it with its filters: the export middleware must not log it again.
    response.audit_logged = True  # type: ignore[attr-defined]
    return response


def _audit_export(user: Any, filters: selectors.RecordFilters) -> None:
    """One entry per export, written before the first row leaves: who, which filters, how many rows."""
    rows = selectors.interactions_export_size(user=user, filters=filters)
    agency_id, district_id = audit_tenant(user)
    audit_record(
        actor=user,
        action="export",
        object_type="interactions.interaction",
        summary=EXPORT_SUMMARY.format(rows=rows),
        after={"filters": filters.described(), "rows": rows},
        agency_id=agency_id,
        district_id=district_id,
    )
