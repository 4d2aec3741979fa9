"""The annual program report's pages: the report of an agency or a district for a school year (built
in the background, its progress polled with htmx), its PDF, and its public version."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from liaison.accounts.audit import audit_record

from . import report as reports
from .access import (
    OTHER_AUDIENCE,
    ReportAccess,
    report_access_for,
    report_get_for_user,
    report_published_get,
    report_stored,
    reports_published,
)
from .choices import ReportAudience, ReportStatus
from .forms import EquityYearForm
from .snapshots import school_year_closed
from .tasks import program_report_enqueue

if TYPE_CHECKING:
    from .models import ProgramReport

POLL_SECONDS = 2
PUBLIC_NEEDS_CLOSED_YEAR = "A public version is built for a school year that has ended."
PUBLISHED = "The public version of the {year} report is being built and will be on the public page when ready."
UNPUBLISHED = "The public version of the {year} report is no longer public."
EXPORT_SUMMARY = "Downloaded {name}"


def _year_form(request: HttpRequest, found: ReportAccess) -> EquityYearForm:
    data = request.GET if request.method == "GET" else request.POST
    restricted = found.audience != ReportAudience.FULL
    return EquityYearForm(data or None, today=reports.owner_today(found.owner), closed_only=restricted)


@login_required
@require_safe
def report_page(request: HttpRequest, owner: str, uuid: UUID) -> HttpResponse:
    found = report_access_for(request.user, owner, uuid)
    form = _year_form(request, found)
    school_year = form.year()
    stored = report_stored(found, school_year, found.audience)
    public = report_stored(found, school_year, ReportAudience.PUBLIC) if found.may_publish else None
    context = {
        "found": found,
        "owner_kind": owner,
        "form": form,
        "school_year": school_year,
        "report": stored,
        "public_report": public,
        "may_publish": found.may_publish and school_year_closed(school_year, reports.owner_today(found.owner)),
        "poll_seconds": POLL_SECONDS,
        "title": reports.report_title(found.owner, school_year, found.audience),
    }
    return render(request, "insights/report/page.html", context)


@login_required
@require_POST
def report_build(request: HttpRequest, owner: str, uuid: UUID) -> HttpResponse:
    found = report_access_for(request.user, owner, uuid)
    form = _year_form(request, found)
    if not form.is_valid():
        raise Http404
    school_year = form.year()
    reports.report_request(
        actor=request.user,
        owner=found.owner,
        school_year=school_year,
        audience=found.audience,
        enqueue=program_report_enqueue,
    )
    return redirect(f"{reverse('insights:report', args=[owner, uuid])}?school_year={school_year}")


@login_required
@require_safe
def report_status(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The progress partial htmx polls; once the report is ready the page reloads to show it."""
    report = report_get_for_user(request.user, uuid)
    response = render(request, "insights/report/status.html", {"report": report, "poll_seconds": POLL_SECONDS})
    if report.finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


def _pdf_response(report: ProgramReport) -> HttpResponse:
    if report.status != ReportStatus.DONE:
        raise Http404
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{reports.report_filename(report)}"'
    return response


@login_required
@require_safe
def report_pdf(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The stored PDF; every download is an export in the audit log."""
    report = report_get_for_user(request.user, uuid)
    response = _pdf_response(report)
    audit_record(
        actor=request.user,
        action="export",
        obj=report,
        object_type="export.pdf",
        summary=EXPORT_SUMMARY.format(name=reports.report_filename(report)),
        after={"path": request.path, "school_year": report.school_year, "audience": report.audience},
        agency_id=report.agency_id,
        district_id=report.district_id or (report.school.district_id if report.school else None),
    )
    response.audit_logged = True  # type: ignore[attr-defined]
    return response


@login_required
@require_POST
def report_publish(request: HttpRequest, owner: str, uuid: UUID) -> HttpResponse:
    """The owner's admins publish (build) or withdraw the public version of a closed year's report."""
    found = report_access_for(request.user, owner, uuid)
    if not found.may_publish:
        raise PermissionDenied(OTHER_AUDIENCE)
    form = _year_form(request, found)
    if not form.is_valid():
        raise Http404
    school_year = form.year()
    back = f"{reverse('insights:report', args=[owner, uuid])}?school_year={school_year}"
    if not school_year_closed(school_year, reports.owner_today(found.owner)):
        messages.error(request, PUBLIC_NEEDS_CLOSED_YEAR)
        return redirect(back)
    publish = request.POST.get("publish") != "no"
    if publish:
        public = reports.report_request(
            actor=request.user,
            owner=found.owner,
            school_year=school_year,
            audience=ReportAudience.PUBLIC,
            enqueue=program_report_enqueue,
        )
    else:
        stored = report_stored(found, school_year, ReportAudience.PUBLIC)
        if stored is None:
            raise Http404
        public = stored
    reports.report_publish_set(actor=request.user, report=public, published=publish)
    messages.success(request, (PUBLISHED if publish else UNPUBLISHED).format(year=school_year))
    return redirect(back)


# --- the public pages (no sign-in) ---------------------------------------------------------------------


@require_safe
def public_reports(request: HttpRequest) -> HttpResponse:
    return render(request, "insights/report/public_list.html", {"reports": reports_published()})


@require_safe
def public_report(request: HttpRequest, uuid: UUID) -> HttpResponse:
    context: dict[str, Any] = {"report": report_published_get(uuid), "public": True}
    return render(request, "insights/report/public.html", context)


@require_safe
def public_report_pdf(request: HttpRequest, uuid: UUID) -> HttpResponse:
    return _pdf_response(report_published_get(uuid))
