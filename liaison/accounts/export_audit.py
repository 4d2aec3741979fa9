"""One audit entry for every CSV or PDF file a signed-in person downloads, whatever page produced it.

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
PDF_EXPORT_SUMMARY = "Downloaded {name} (PDF)"


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


def _is_pdf(response: HttpResponseBase) -> bool:
    """A PDF leaves the building whether the browser shows it inline or saves it: both are exports."""
    return response.status_code == 200 and response.get("Content-Type", "").startswith("application/pdf")


def _filename(response: HttpResponseBase, unnamed: str = "a CSV file") -> str:
    disposition = response.get("Content-Disposition", "")
    return disposition.partition("filename=")[2].strip('"') or unnamed


class ExportAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or getattr(response, "audit_logged", False):
            return response
        if _is_csv_download(response):
            _audit(request, response, user)
        elif _is_pdf(response):
            _audit_pdf(request, response, user)
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


def _audit_pdf(request: HttpRequest, response: HttpResponseBase, user: Any) -> None:
    name = _filename(response, "a PDF file")
    audit_record(
        actor=user,
        action="export",
        object_type="export.pdf",
        summary=PDF_EXPORT_SUMMARY.format(name=name),
        after={"path": request.path, "filters": {k: request.GET.getlist(k) for k in request.GET}, "format": "pdf"},
        **tenant_of(user),
    )
