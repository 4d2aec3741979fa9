"""The equity page: relative rate indexes of enforcement actions for a district and school year."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods, require_safe

from liaison.directory import access as directory_access
from liaison.directory.selectors import schools_by_uuid
from liaison.directory.validators import validate_school_year
from liaison.lib.csv_export import csv_writer
from liaison.lib.form_pages import add_service_errors
from liaison.lib.replica import reads_from_replica
from liaison.lib.school_pages import school_page

from .access import equity_scope_for
from .crdc import KINDS, SPLITS, SchoolCounts, crdc_counts, crdc_schools, school_counts_from_body
from .figures import CRDC, EQUITY, figure_body
from .forms import EquityYearForm, SchoolReportedForm
from .selectors import school_reported_of
from .services import school_reported_set

CRDC_PAGE_SIZE = 25  # schools per page of the CRDC counts (each a section with a 26-row table)

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
@reads_from_replica
def equity(request: HttpRequest, uuid: UUID) -> HttpResponse:
    scope = equity_scope_for(request.user, uuid)
    today = timezone.localdate()
    form = EquityYearForm(request.GET or None, today=today, closed_only=scope.suppressed)
    body = figure_body(EQUITY, scope, form.year(), today)
    if request.GET.get("format") == "csv":
        return _csv(scope.district.nces_id, body)
    analysis = {
        "scope": scope,
        "school_year": body["school_year"],
        "schools": list(schools_by_uuid(body["schools"])),
        "enrollment_complete": body["enrollment_complete"],
    }
    points = [({"key": point["key"], "definition": point}, point["groups"], point["total"]) for point in body["points"]]
    return render(request, "insights/equity.html", {"analysis": analysis, "form": form, "points": points})


def _number(value: float | None, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _csv(nces_id: str, body: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"equity-{nces_id}-{body['school_year']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv_writer(response)
    writer.writerow(CSV_COLUMNS)
    for point in body["points"]:
        for row in point["groups"]:
            writer.writerow(
                [
                    body["school_year"],
                    point["key"],
                    row["group"],
                    "" if row["base"] is None else row["base"],
                    "suppressed" if row["suppressed"] else row["events"],
                    _number(row["rate"], 2),
                    point["per"],
                    _number(row["rri"], 3),
                    _number(row["ci_low"], 3),
                    _number(row["ci_high"], 3),
                    "yes" if row["analysed"] else "no",
                    "yes" if row["flagged"] else "no",
                    "yes" if row["suppressed"] else "no",
                    row["finding"],
                ]
            )
    return response


@login_required
@require_safe
@reads_from_replica
def crdc(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The police side of the CRDC count, per school: instances and unique students.

    The page shows one school or a page of CRDC_PAGE_SIZE schools (a district may have hundreds):
    for an unrestricted audience only those schools' actions are read. A restricted audience's
    counts come whole from the stored snapshot (the disclosure engine released them together);
    only their rendering is paged. The CSV is always every school."""
    scope = equity_scope_for(request.user, uuid)
    today = timezone.localdate()
    form = EquityYearForm(request.GET or None, today=today, closed_only=scope.suppressed)
    school_year = form.year()
    body = figure_body(CRDC, scope, school_year, today) if scope.suppressed else None
    if request.GET.get("format") == "csv":
        counts = school_counts_from_body(body) if body is not None else crdc_counts(scope, school_year)
        return _crdc_csv(scope.district.nces_id, school_year, counts)
    choices: list[tuple[UUID, str]]
    if body is not None:  # the stored snapshot, as the API serves it
        choices = [(UUID(str(item["school"])), item["name"]) for item in body["schools"]]
    else:
        ids: dict[UUID, int] = {}
        choices = []
        for pk, school_uuid, name in crdc_schools(scope):
            ids[school_uuid] = pk
            choices.append((school_uuid, name))
    selected, page, shown = school_page(request, choices, CRDC_PAGE_SIZE)
    if body is not None:
        wanted = {str(u) for u in shown}
        items = [item for item in body["schools"] if str(item["school"]) in wanted]
        counts = school_counts_from_body({**body, "schools": items})
    else:
        counts = crdc_counts(scope, school_year, only=[ids[u] for u in shown])
    context = {
        "counted": scope,
        "school_year": school_year,
        "form": form,
        "can_enter": directory_access.district_writable(request.user, scope.district),
        "choices": choices,
        "selected": selected,
        "page": page,
        "page_size": CRDC_PAGE_SIZE,
        "schools": [
            (
                c,
                [(label, c.kinds[kind], c.school_reported(kind), c.gap_text(kind)) for kind, _, label in KINDS],
                _crdc_rows_html(_crdc_table(c)) if c.any_actions else "",
            )
            for c in counts
        ],
    }
    return render(request, "insights/crdc.html", context)


def _crdc_table(counts: SchoolCounts) -> list[tuple[str, str, list[tuple[int | None, bool]]]]:
    """(split label, category label, [(count, collected) per kind]) rows for one school, all students first."""
    everyone = (
        "All students",
        "unique",
        [(counts.kinds[k].students.total, counts.kinds[k].students.collected) for k, _, _ in KINDS],
    )
    return [everyone] + [
        (
            split_label,
            label,
            [
                (counts.kinds[kind].students.splits[split][value], counts.kinds[kind].students.collected)
                for kind, _, _ in KINDS
            ],
        )
        for split, split_label, _, categories in SPLITS
        for value, label in categories
    ]


_NOT_COLLECTED = '<span class="muted">not collected</span>'
_SUPPRESSED = '<span class="suppressed">Suppressed</span>'


def _crdc_rows_html(table: list[tuple[str, str, list[tuple[int | None, bool]]]]) -> SafeString:
    """A school's table rows, built here rather than by template loops: a district of 300 schools
    has some 14,000 of these cells, and the template engine spent most of the page's time on them.
    The labels are escaped; the cells are integers or the constant markup above."""

    def cell(value: int | None, collected: bool) -> str:
        if not collected:
            return _NOT_COLLECTED
        return _SUPPRESSED if value is None else str(int(value))

    rows = (
        f'<tr><th scope="row">{escape(split_label)}: {escape(label)}</th>'
        + "".join(f"<td>{cell(value, collected)}</td>" for value, collected in values)
        + "</tr>"
        for split_label, label, values in table
    )
    return mark_safe("\n".join(rows))  # the labels escaped above, the cells integers or constants


def crdc_columns() -> list[str]:
    columns = ["school_year", "school", "nces_id"]
    for kind, _, _ in KINDS:
        columns += [f"{kind}_instances", f"{kind}_school_reported", f"{kind}_gap"]
        columns += [f"{kind}_without_student_key", f"{kind}_students"]
        columns += [f"{kind}_{split}_{value}" for split, _, _, categories in SPLITS for value, _ in categories]
    return columns


def _cell(value: int | None, *, collected: bool) -> str | int:
    if not collected:
        return ""
    return "suppressed" if value is None else value


def _reported_cell(school: SchoolCounts, kind: str) -> str | int:
    value = school.school_reported(kind)
    if value is not None:
        return value
    return "suppressed" if kind in school.hidden_reported else ""


def _gap_cell(school: SchoolCounts, kind: str) -> str | int:
    gap = school.gap(kind)
    return "" if gap is None else gap


def _crdc_csv(nces_id: str, school_year: str, counts: list[SchoolCounts]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="crdc-police-side-{nces_id}-{school_year}.csv"'
    writer = csv_writer(response)
    writer.writerow(crdc_columns())
    for school in counts:
        row: list[str | int] = [school_year, school.school.name, school.school.nces_id]
        for kind, _, _ in KINDS:
            found = school.kinds[kind]
            collected = found.students.collected
            row += [_cell(found.instances, collected=True), _reported_cell(school, kind), _gap_cell(school, kind)]
            row.append(_cell(found.without_key, collected=True))
            row.append(_cell(found.students.total, collected=collected))
            row += [
                _cell(found.students.splits[split][value], collected=collected)
                for split, _, _, categories in SPLITS
                for value, _ in categories
            ]
        writer.writerow(row)
    return response


REPORTED_SAVED = "Saved what {school} reported for {year}."


@login_required
@require_http_methods(["GET", "POST"])
def school_reported_edit(request: HttpRequest, uuid: UUID, school_year: str) -> HttpResponse:
    """The district enters the counts the school itself reported, to compare with the police side."""
    try:
        validate_school_year(school_year)
    except ValidationError:
        raise Http404 from None
    school = directory_access.school_get_for_user(request.user, uuid, write=True)
    current = school_reported_of(school=school, school_year=school_year)
    form = SchoolReportedForm(request.POST or None, initial=SchoolReportedForm.initial_for(current))
    back = f"{reverse('insights:crdc', args=[school.district.uuid])}?school_year={school_year}&school={school.uuid}"
    if request.method == "POST" and form.is_valid():
        try:
            school_reported_set(actor=request.user, school=school, school_year=school_year, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, REPORTED_SAVED.format(school=school.name, year=school_year))
            return redirect(back)
    context = {
        "form": form,
        "title": f"What {school.name} reported for the CRDC, {school_year}",
        "intro": "The instance counts the school submitted (or will submit), to set beside the officers' records.",
        "submit_label": "Save",
        "back_label": "CRDC counts",
        "back_url": back,
    }
    return render(request, "directory/form_page.html", context)
