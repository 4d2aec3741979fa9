"""The equity page: relative rate indexes of enforcement actions for a district and school year."""

from __future__ import annotations

import csv
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from .access import equity_scope_for
from .forms import EquityYearForm
from .rows import point_rows, total_shown
from .selectors import EquityAnalysis, equity_analysis

CSV_COLUMNS = [
    "school_year",
    "decision_point",
    "group",
    "base",
    "events",
    "rate",
    "rate_per",
    "rri",
    "ci_low",
    "ci_high",
    "analysed",
    "flagged",
    "suppressed",
    "finding",
]


@login_required
@require_safe
def equity(request: HttpRequest, uuid: UUID) -> HttpResponse:
    scope = equity_scope_for(request.user, uuid)
    form = EquityYearForm(request.GET or None, today=timezone.localdate())
    analysis = equity_analysis(scope, form.year())
    if request.GET.get("format") == "csv":
        return _csv(analysis)
    points = [(point, point_rows(analysis, point), total_shown(point)) for point in analysis.points]
    return render(request, "insights/equity.html", {"analysis": analysis, "form": form, "points": points})


def _number(value: float | None, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _csv(analysis: EquityAnalysis) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"equity-{analysis.scope.district.nces_id}-{analysis.school_year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for point in analysis.points:
        for row in point_rows(analysis, point):
            writer.writerow(
                [
                    analysis.school_year,
                    point.key,
                    row.group,
                    "" if row.base is None else row.base,
                    "suppressed" if row.suppressed else row.events,
                    _number(row.rate, 2),
                    point.definition.per,
                    _number(row.rri, 3),
                    _number(row.ci_low, 3),
                    _number(row.ci_high, 3),
                    "yes" if row.analysed else "no",
                    "yes" if row.flagged else "no",
                    "yes" if row.suppressed else "no",
                    row.finding,
                ]
            )
    return response
