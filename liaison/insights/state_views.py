"""The state view's page and its CSV (liaison/insights/state.py; docs/state-view.md)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from liaison.lib.csv_export import csv_writer
from liaison.lib.replica import reads_from_replica

from .forms import EquityYearForm
from .state import MEASURES, state_body, state_for_user

CSV_COLUMNS = [
    "school_year",
    "level",
    "name",
    "id",
    "schools",
    "schools_covered",
    "officers",
    "enrollment",
    *MEASURES,
    "within_mou_percent",
    "referrals_per_1000",
    "trust_schools",
    "trust_index",
]


@login_required
@require_safe
@reads_from_replica
def state(request: HttpRequest, state: str) -> HttpResponse:
    code = state_for_user(request.user, state)
    today = timezone.localdate()
    form = EquityYearForm(request.GET or None, today=today, closed_only=True)
    body = state_body(code, form.year(), today)
    if request.GET.get("format") == "csv":
        return _csv(body)
    return render(request, "insights/state.html", {"body": body, "form": form, "measures": MEASURES})


def _csv_rows(body: dict[str, Any]) -> list[list[Any]]:
    def row(level: str, name: str, ident: str, found: dict[str, Any]) -> list[Any]:
        values = {**found, "level": level, "name": name, "id": ident, "school_year": body["school_year"]}
        return [_cell(column, values.get(column)) for column in CSV_COLUMNS]

    rows = [row("state", body["state"], body["state"], body["totals"])]
    rows += [row("district", d["name"], d["nces_id"], d) for d in body["districts"]]
    rows += [row("agency", a["name"], a["ori"], a) for a in body["agencies"]]
    return rows


def _cell(column: str, value: Any) -> Any:
    if value is None:
        return "suppressed" if column in MEASURES else ""
    return value


def _csv(body: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="state-{body["state"]}-{body["school_year"]}.csv"'
    writer = csv_writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in _csv_rows(body):
        writer.writerow(row)
    return response
