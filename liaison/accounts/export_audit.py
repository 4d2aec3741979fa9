"""One audit entry for every CSV file a signed-in person downloads, whatever page produced it.

A view that audits its own export (with its domain's filters, e.g. the records export) marks the
response `audit_logged`; every other CSV attachment (survey results and responses, CRDC, equity,
programs' lists, and any added later) is logged here with the page, its query and the row count.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from .audit import audit_record
from .signin_audit import tenant_of

EXPORT_SUMMARY = "Downloaded {name} ({rows} rows)"


def export_rows(response: HttpResponseBase) -> int | None:
    """Data rows in a CSV response (the header not counted); None when streamed (not read here)."""
    if not isinstance(response, HttpResponse):
        return None
    text = response.content.decode(response.charset or "utf-8", errors="replace")
    return max(sum(1 for _ in csv.reader(io.StringIO(text))) - 1, 0)


def _is_csv_download(response: HttpResponseBase) -> bool:
    return (
        response.status_code == 200
        and response.get("Content-Type", "").startswith("text/csv")
        and "attachment" in response.get("Content-Disposition", "")
    )


def _filename(response: HttpResponseBase) -> str:
    disposition = response.get("Content-Disposition", "")
    return disposition.partition("filename=")[2].strip('"') or "a CSV file"


class ExportAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if _is_csv_download(response) and not getattr(response, "audit_logged", False) and user is not None:
            if user.is_authenticated:
                _audit(request, response, user)
        return response


def _audit(request: HttpRequest, response: HttpResponseBase, user: Any) -> None:
    rows = export_rows(response)
    name = _filename(response)
    audit_record(
        actor=user,
        action="export",
        object_type="export.csv",
        summary=EXPORT_SUMMARY.format(name=name, rows="streamed" if rows is None else rows),
        after={"path": request.path, "filters": {k: request.GET.getlist(k) for k in request.GET}, "rows": rows},
        **tenant_of(user),
    )
