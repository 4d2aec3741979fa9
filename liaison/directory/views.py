"""Directory pages: agencies, districts, schools and officers, and the forms that change them.

Every object is reached through `directory.access`; every change goes through `directory.services`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from liaison.accounts.scope import user_scope
from liaison.lib.form_pages import done as _done
from liaison.lib.form_pages import posted as _posted
from liaison.lib.form_pages import submit as _submit

from . import access, selectors, services
from . import forms as directory_forms
from .choices import ENROLLMENT_SUBGROUPS
from .page_links import page_links
from .validators import validate_school_year

if TYPE_CHECKING:
    from .models import Agency, Assignment, Enrollment, Officer, School

FORM_PAGE = "directory/form_page.html"
AGENCY_CREATED = "Added {name}."
AGENCY_SAVED = "Saved the changes to {name}."
PARTNERSHIP_CREATED = "{agency} now serves {district}."
PARTNERSHIP_SAVED = "Saved the dates of {agency} serving {district}."
DISTRICT_CREATED = "Added {name}."
DISTRICT_SAVED = "Saved the changes to {name}."
SCHOOL_CREATED = "Added {name}."
SCHOOL_SAVED = "Saved the changes to {name}."
ENROLLMENT_SAVED = "Saved the {year} enrollment of {school}."
OFFICER_CREATED = "Added {name}, who signs in as “{username}”."
REQUIREMENTS_SAVED = "Saved the training {name} requires."
OFFICER_INVITED = "An invitation to choose a password is on its way to {email}."
OFFICER_SAVED = "Saved the changes to {name}."
TRAINING_ADDED = "Added {course} ({hours} h) to {name}'s training."
ASSIGNMENT_CREATED = "Assigned {name} to {school} from {start}."
ASSIGNMENT_ENDED = "{name}'s assignment to {school} ends on {end}."


# --- helpers -------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest, form: Any, *, title: str, submit: str, back: tuple[str, str], **extra: Any
) -> HttpResponse:
    template = extra.pop("template", FORM_PAGE)
    context = {"form": form, "title": title, "submit_label": submit, "back_label": back[0], "back_url": back[1]}
    return render(request, template, {**context, **extra})


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(access.NOT_ALLOWED)


def _url(name: str, obj: Any) -> str:
    return reverse(f"directory:{name}", args=[obj.uuid])


def _with_states(assignments: QuerySet[Assignment], on: datetime.date) -> list[tuple[Assignment, str]]:
    return [(assignment, selectors.assignment_state(assignment, on)) for assignment in assignments]


# --- agencies ------------------------------------------------------------------------------


@login_required
@require_safe
def agency_list(request: HttpRequest) -> HttpResponse:
    admin = user_scope(request.user).platform_admin
    context = {
        "agencies": access.agencies_visible_to(request.user).order_by("name"),
        "agency_form": directory_forms.AgencyForm() if admin else None,
        "actions": [
            ("Add an agency", "#new-agency"),
            ("Add a partnership", reverse("directory:partnership_create")),
            ("Districts", reverse("directory:district_list")),
        ]
        if admin
        else [],
    }
    return render(request, "directory/agency_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def agency_create(request: HttpRequest) -> HttpResponse:
    _require(user_scope(request.user).platform_admin)
    form = directory_forms.AgencyForm(_posted(request))
    agency = _submit(request, form, lambda data: services.agency_create(actor=request.user, **data))
    if agency is not None:
        return _done(request, AGENCY_CREATED.format(name=agency.name), _url("agency_detail", agency))
    back = ("Agencies", reverse("directory:agency_list"))
    return _form_page(request, form, title="Add an agency", submit="Add agency", back=back)


@login_required
@require_http_methods(["GET", "POST"])
def training_requirements_edit(request: HttpRequest, uuid: UUID) -> HttpResponse:
    agency = access.agency_get_for_user(request.user, uuid, write=True)
    form = directory_forms.TrainingRequirementsForm(
        _posted(request), initial=directory_forms.TrainingRequirementsForm.initial_for(agency)
    )
    saved = _submit(
        request,
        form,
        lambda data: services.training_requirements_set(actor=request.user, agency=agency, hours=form.hours()),
    )
    if saved is not None:
        return _done(request, REQUIREMENTS_SAVED.format(name=agency.name), f"{_url('agency_detail', agency)}#coverage")
    back = (agency.name, _url("agency_detail", agency))
    title = f"Training {agency.name} requires before assignment"
    intro = (
        "An officer assigned to a school without these hours is listed under coverage on the agency page. "
        "NASRO recommends its 40-hour basic SRO course before assignment; your state may require more."
    )
    return _form_page(request, form, title=title, submit="Save requirements", back=back, intro=intro)


def _agency_sections(user: Any, agency: Agency, on: datetime.date) -> dict[str, Any]:
    """Officers, schools served and current assignments, as far as the user may see them."""
    assignments = access.assignments_visible_to(user).filter(agency=agency)
    officers = list(access.officers_visible_to(user).filter(agency=agency).select_related("user"))
    served = selectors.agency_schools_served(agency=agency, on=on).values("pk")
    visible = access.schools_visible_to(user).filter(pk__in=served).select_related("district")
    schools = list(visible.order_by("district__name", "name"))
    # Read once for the three tables (a large agency has hundreds): each officer's assignments by
    # school name and each school's by officer's last name follow from this order.
    in_force = assignments.filter(selectors.in_force_on(on)).order_by("school__name", "officer__user__last_name")
    current = selectors.assignments_in_force_attached(in_force, officers, schools)
    links = _links()
    for officer in officers:
        officer.url = links.officer(officer.uuid)  # type: ignore[attr-defined]
    for school in schools:
        school.url = links.school(school.uuid)  # type: ignore[attr-defined]
    for assignment in current:
        assignment.officer.url = links.officer(assignment.officer.uuid)  # type: ignore[attr-defined]
        assignment.school.url = links.school(assignment.school.uuid)  # type: ignore[attr-defined]
        assignment.end_url = links.assignment_end(assignment.uuid)  # type: ignore[attr-defined]
    return {
        "officers": officers,
        "schools": schools,
        "current_assignments": current,
        "partnerships": access.partnerships_visible_to(user).filter(agency=agency).select_related("district"),
        "partnerships_editable": user_scope(user).platform_admin,
        "equity_links": user_scope(user).platform_admin or agency.pk in user_scope(user).managing_agency_ids,
    }


@dataclass(frozen=True)
class _Links:
    """Pages of officers, schools and assignments by uuid, for tables of hundreds of rows: the path
    is reversed once and the uuid put in its place (a `{% url %}` per row cost a tenth of the page)."""

    officer: Callable[[UUID], str]
    school: Callable[[UUID], str]
    assignment_end: Callable[[UUID], str]


def _link(name: str) -> Callable[[UUID], str]:
    marker = UUID(int=0)
    head, tail = reverse(f"directory:{name}", args=[marker]).split(str(marker))
    return lambda uuid: f"{head}{uuid}{tail}"


def _links() -> _Links:
    return _Links(_link("officer_detail"), _link("school_detail"), _link("assignment_end"))


def _coverage_context(request: HttpRequest, agency: Agency) -> dict[str, Any]:
    """The coverage section, for those who may see it; the day comes from ?on= (default: today)."""
    if not access.agency_coverage_visible(request.user, agency):
        return {"coverage": None}
    today = selectors.agency_today(agency)
    date_form = directory_forms.CoverageDateForm(request.GET or None, initial={"on": today})
    on = today
    if date_form.is_bound and date_form.is_valid() and date_form.cleaned_data["on"]:
        on = date_form.cleaned_data["on"]
    return {
        "coverage": selectors.agency_coverage(agency=agency, on=on),
        "date_form": date_form,
        "today": today,
        "requirements_url": _url("training_requirements_edit", agency)
        if access.agency_writable(request.user, agency)
        else "",
    }


def _agency_actions(user: Any, agency: Agency) -> list[tuple[str, str]]:
    actions = []
    if access.agency_writable(user, agency):
        actions.append(("Add an officer", _url("officer_create", agency)))
        actions.append(("Edit agency", _url("agency_edit", agency)))
        actions.append(("People and roles", reverse("accounts:people", args=["agency", agency.uuid])))
        actions.append(("Required training", _url("training_requirements_edit", agency)))
    if user_scope(user).platform_admin:
        actions.append(("Add a partnership", f"{reverse('directory:partnership_create')}?agency={agency.uuid}"))
    return actions


@login_required
@require_safe
def agency_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    agency = access.agency_get_for_user(request.user, uuid)
    today = selectors.agency_today(agency)
    context = {
        "agency": agency,
        "today": today,
        "actions": _agency_actions(request.user, agency),
        "can_manage": access.agency_staff_writable(request.user, agency.pk),
        "officers_shown": access.officers_shown_to(request.user),
        **_agency_sections(request.user, agency, today),
        **_coverage_context(request, agency),
        **page_links("agency", request.user, agency),
    }
    return render(request, "directory/agency_detail.html", context)


@login_required
@require_safe
def agency_coverage(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The coverage section alone, for htmx; a plain request goes to the full page."""
    agency = access.agency_get_for_user(request.user, uuid)
    _require(access.agency_coverage_visible(request.user, agency))
    if not getattr(request, "htmx", False):
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(f"{_url('agency_detail', agency)}{query}#coverage")
    return render(request, "directory/partials/coverage.html", {"agency": agency, **_coverage_context(request, agency)})


@login_required
@require_http_methods(["GET", "POST"])
def agency_edit(request: HttpRequest, uuid: UUID) -> HttpResponse:
    agency = access.agency_get_for_user(request.user, uuid, write=True)
    form = directory_forms.AgencyForm(_posted(request), initial=directory_forms.AgencyForm.initial_for(agency))
    saved = _submit(request, form, lambda data: services.agency_update(actor=request.user, agency=agency, **data))
    if saved is not None:
        return _done(request, AGENCY_SAVED.format(name=saved.name), _url("agency_detail", saved))
    back = (agency.name, _url("agency_detail", agency))
    return _form_page(request, form, title=f"Edit {agency.name}", submit="Save changes", back=back)


# --- partnerships ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def partnership_create(request: HttpRequest) -> HttpResponse:
    _require(user_scope(request.user).platform_admin)
    form = directory_forms.PartnershipForm(
        _posted(request),
        initial={"agency": request.GET.get("agency")},
        agencies=access.agencies_visible_to(request.user).order_by("name"),
        districts=access.districts_visible_to(request.user).order_by("name"),
    )
    partnership = _submit(request, form, lambda data: services.partnership_create(actor=request.user, **data))
    if partnership is not None:
        message = PARTNERSHIP_CREATED.format(agency=partnership.agency.name, district=partnership.district.name)
        return _done(request, message, _url("agency_detail", partnership.agency))
    back = ("Agencies", reverse("directory:agency_list"))
    return _form_page(request, form, title="Add a partnership", submit="Add partnership", back=back)


@login_required
@require_http_methods(["GET", "POST"])
def partnership_edit(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The partnership's dates; ending it is setting its last day (nothing is deleted)."""
    partnership = access.partnership_get_for_user(request.user, uuid, write=True)
    initial = directory_forms.PartnershipDatesForm.initial_for(partnership)
    form = directory_forms.PartnershipDatesForm(_posted(request), initial=initial)
    saved = _submit(
        request, form, lambda data: services.partnership_update(actor=request.user, partnership=partnership, **data)
    )
    if saved is not None:
        message = PARTNERSHIP_SAVED.format(agency=saved.agency.name, district=saved.district.name)
        return _done(request, message, _url("agency_detail", saved.agency))
    title = f"Dates of {partnership.agency.name} serving {partnership.district.name}"
    intro = (
        "After the last day the district's schools no longer count among the schools the agency serves "
        "(coverage, the district page); every assignment and record stays, and history keeps the dates."
    )
    back = (partnership.agency.name, _url("agency_detail", partnership.agency))
    return _form_page(request, form, title=title, submit="Save dates", back=back, intro=intro)


# --- districts -------------------------------------------------------------------------------


@login_required
@require_safe
def district_list(request: HttpRequest) -> HttpResponse:
    admin = user_scope(request.user).platform_admin
    context = {
        "districts": access.districts_visible_to(request.user).order_by("state", "name"),
        "actions": [("Add a district", reverse("directory:district_create"))] if admin else [],
    }
    return render(request, "directory/district_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def district_create(request: HttpRequest) -> HttpResponse:
    _require(user_scope(request.user).platform_admin)
    form = directory_forms.DistrictForm(_posted(request))
    district = _submit(request, form, lambda data: services.district_create(actor=request.user, **data))
    if district is not None:
        return _done(request, DISTRICT_CREATED.format(name=district.name), _url("district_detail", district))
    back = ("Districts", reverse("directory:district_list"))
    return _form_page(request, form, title="Add a district", submit="Add district", back=back)


@login_required
@require_http_methods(["GET", "POST"])
def district_edit(request: HttpRequest, uuid: UUID) -> HttpResponse:
    district = access.district_get_for_user(request.user, uuid, write=True)
    form = directory_forms.DistrictForm(_posted(request), initial=directory_forms.DistrictForm.initial_for(district))
    saved = _submit(request, form, lambda data: services.district_update(actor=request.user, district=district, **data))
    if saved is not None:
        return _done(request, DISTRICT_SAVED.format(name=saved.name), _url("district_detail", saved))
    back = (district.name, _url("district_detail", district))
    return _form_page(request, form, title=f"Edit {district.name}", submit="Save changes", back=back)


@login_required
@require_safe
def district_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    district = access.district_get_for_user(request.user, uuid)
    today = timezone.localdate()
    schools = selectors.with_latest_enrollment(access.schools_visible_to(request.user).filter(district=district))
    serving = selectors.district_agencies_serving(district=district, on=today).values("pk")
    context = {
        "district": district,
        "today": today,
        "schools": selectors.with_current_officers(
            schools.order_by("name"), on=today, assignments=access.assignments_visible_to(request.user)
        ),
        "agencies": access.agencies_visible_to(request.user).filter(pk__in=serving).order_by("name"),
        "can_edit": access.district_writable(request.user, district),
        **page_links("district", request.user, district),
        "officers_shown": access.officers_shown_to(request.user),
    }
    return render(request, "directory/district_detail.html", context)


# --- schools and enrollment ----------------------------------------------------------------------


def _school_back(school: School) -> tuple[str, str]:
    return (school.name, _url("school_detail", school))


@login_required
@require_http_methods(["GET", "POST"])
def school_create(request: HttpRequest, uuid: UUID) -> HttpResponse:
    district = access.district_get_for_user(request.user, uuid, write=True)
    form = directory_forms.SchoolForm(_posted(request))
    school = _submit(request, form, lambda data: services.school_create(actor=request.user, district=district, **data))
    if school is not None:
        return _done(request, SCHOOL_CREATED.format(name=school.name), _url("school_detail", school))
    back = (district.name, _url("district_detail", district))
    return _form_page(request, form, title=f"Add a school to {district.name}", submit="Add school", back=back)


def _enrollment_rows(enrollments: list[Enrollment]) -> list[tuple[str, list[int | None]]]:
    """Rows of (subgroup, counts per year) for a table with one column per school year."""
    rows: list[tuple[str, list[int | None]]] = [("Total", [e.total for e in enrollments])]
    for name, label in ENROLLMENT_SUBGROUPS:
        rows.append((label, [getattr(e, name) for e in enrollments]))
    return rows


@login_required
@require_safe
def school_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    school = access.school_get_for_user(request.user, uuid)
    today = timezone.localdate()
    assignments = access.assignments_visible_to(request.user).filter(school=school)
    history = assignments.select_related("officer__user").order_by("-start_date")
    enrollments = list(access.enrollments_visible_to(request.user).filter(school=school).order_by("-school_year"))
    context = {
        "school": school,
        "today": today,
        "current": selectors.school_officers_current(school=school, on=today, assignments=assignments),
        "history": _with_states(history, today),
        "enrollments": enrollments,
        "enrollment_rows": _enrollment_rows(enrollments),
        "can_edit": access.school_writable(request.user, school),
        "officers_shown": access.officers_shown_to(request.user),
        **page_links("school", request.user, school),
    }
    return render(request, "directory/school_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def school_edit(request: HttpRequest, uuid: UUID) -> HttpResponse:
    school = access.school_get_for_user(request.user, uuid, write=True)
    form = directory_forms.SchoolForm(_posted(request), initial=directory_forms.SchoolForm.initial_for(school))
    saved = _submit(request, form, lambda data: services.school_update(actor=request.user, school=school, **data))
    if saved is not None:
        return _done(request, SCHOOL_SAVED.format(name=saved.name), _url("school_detail", saved))
    return _form_page(request, form, title=f"Edit {school.name}", submit="Save changes", back=_school_back(school))


def _school_year_or_404(school_year: str | None) -> str | None:
    if school_year is not None:
        try:
            validate_school_year(school_year)
        except ValidationError:
            raise Http404(access.NOT_FOUND) from None
    return school_year


@login_required
@require_http_methods(["GET", "POST"])
def enrollment_edit(request: HttpRequest, uuid: UUID, school_year: str | None = None) -> HttpResponse:
    """One school year's counts: a new year (no year in the URL) or the year named."""
    school = access.school_get_for_user(request.user, uuid, write=True)
    year = _school_year_or_404(school_year)
    existing = school.enrollments.filter(school_year=year).first() if year else None
    initial = directory_forms.EnrollmentForm.initial_for(existing) if existing else {"school_year": year}
    form = directory_forms.EnrollmentForm(_posted(request), initial=initial, year_fixed=year is not None)
    saved = _submit(request, form, lambda data: services.enrollment_set(actor=request.user, school=school, **data))
    if saved is not None:
        message = ENROLLMENT_SAVED.format(year=saved.school_year, school=school.name)
        return _done(request, message, f"{_url('school_detail', school)}#enrollment")
    title = f"{school.name}: enrollment {year}" if year else f"{school.name}: add a school year"
    return _form_page(
        request,
        form,
        title=title,
        submit="Save enrollment",
        back=_school_back(school),
        template="directory/enrollment_form.html",
        not_collected_help=directory_forms.NOT_COLLECTED_HELP,
    )


# --- officers and training ------------------------------------------------------------------------


def _officer_back(officer: Officer) -> tuple[str, str]:
    return (officer.display_name, _url("officer_detail", officer))


def _officer_actions(user: Any, officer: Officer) -> list[tuple[str, str]]:
    actions = []
    if access.agency_staff_writable(user, officer.agency_id):
        actions.append(("Assign to a school", _url("assignment_create", officer)))
        actions.append(("Add training", _url("training_record_create", officer)))
    if access.officer_writable(user, officer):
        actions.append(("Edit officer", _url("officer_edit", officer)))
    return actions


@login_required
@require_safe
def officer_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    officer = access.officer_get_for_user(request.user, uuid)
    today = selectors.agency_today(officer.agency)
    assignments = access.assignments_visible_to(request.user).filter(officer=officer).select_related("school")
    records = access.training_records_visible_to(request.user).filter(officer=officer).order_by("-completed_on")
    context = {
        "officer": officer,
        "today": today,
        "assignments": _with_states(assignments.order_by("-start_date"), today),
        "training_records": records,
        "gaps": selectors.officer_training_gaps(officer=officer, on=today),
        "actions": _officer_actions(request.user, officer),
        "can_manage": access.agency_staff_writable(request.user, officer.agency_id),
    }
    return render(request, "directory/officer_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def officer_create(request: HttpRequest, uuid: UUID) -> HttpResponse:
    agency = access.agency_get_for_user(request.user, uuid, write=True)
    form = directory_forms.OfficerCreateForm(_posted(request))
    officer = _submit(
        request,
        form,
        lambda data: services.officer_add(
            actor=request.user, agency=agency, absolute=request.build_absolute_uri, **data
        ),
    )
    if officer is not None:
        message = OFFICER_CREATED.format(name=officer.display_name, username=officer.user.username)
        if not officer.user.has_usable_password():
            message += " " + OFFICER_INVITED.format(email=officer.user.email)
        return _done(request, message, _url("officer_detail", officer))
    back = (agency.name, _url("agency_detail", agency))
    return _form_page(request, form, title=f"Add an officer to {agency.name}", submit="Add officer", back=back)


@login_required
@require_http_methods(["GET", "POST"])
def officer_edit(request: HttpRequest, uuid: UUID) -> HttpResponse:
    officer = access.officer_get_for_user(request.user, uuid, write=True)
    initial = directory_forms.OfficerEditForm.initial_for(officer)
    form = directory_forms.OfficerEditForm(_posted(request), initial=initial)
    saved = _submit(request, form, lambda data: services.officer_update(actor=request.user, officer=officer, **data))
    if saved is not None:
        return _done(request, OFFICER_SAVED.format(name=saved.display_name), _url("officer_detail", saved))
    officer.user.refresh_from_db()  # a failed save may have changed the name in memory, never in the database
    title = f"Edit {officer.display_name}"
    return _form_page(request, form, title=title, submit="Save changes", back=_officer_back(officer))


def _managed_officer(request: HttpRequest, uuid: UUID) -> Officer:
    """An officer whose assignments and training the user manages (404 unseen, 403 seen but not managed)."""
    officer = access.officer_get_for_user(request.user, uuid)
    _require(access.agency_staff_writable(request.user, officer.agency_id))
    return officer


@login_required
@require_http_methods(["GET", "POST"])
def training_record_create(request: HttpRequest, uuid: UUID) -> HttpResponse:
    officer = _managed_officer(request, uuid)
    form = directory_forms.TrainingRecordForm(_posted(request))
    record = _submit(
        request, form, lambda data: services.training_record_create(actor=request.user, officer=officer, **data)
    )
    if record is not None:
        message = TRAINING_ADDED.format(course=record.get_course_display(), hours=record.hours, name=officer)
        return _done(request, message, f"{_url('officer_detail', officer)}#training")
    title = f"Add training for {officer.display_name}"
    return _form_page(request, form, title=title, submit="Add training", back=_officer_back(officer))


# --- assignments ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def assignment_create(request: HttpRequest, uuid: UUID) -> HttpResponse:
    officer = _managed_officer(request, uuid)
    partnered = selectors.schools_partnered_with(agency=officer.agency).values("pk")
    schools = access.schools_visible_to(request.user).filter(pk__in=partnered).select_related("district")
    today = selectors.agency_today(officer.agency)
    form = directory_forms.AssignmentForm(
        _posted(request), initial={"start_date": today, "share_of_time": 100}, schools=schools.order_by("name")
    )
    assignment = _submit(
        request, form, lambda data: services.assignment_create(actor=request.user, officer=officer, **data)
    )
    if assignment is not None:
        message = ASSIGNMENT_CREATED.format(name=officer, school=assignment.school, start=assignment.start_date)
        return _done(request, message, f"{_url('officer_detail', officer)}#assignments")
    title = f"Assign {officer.display_name} to a school"
    return _form_page(request, form, title=title, submit="Assign", back=_officer_back(officer))


@login_required
@require_http_methods(["GET", "POST"])
def assignment_end(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Ending keeps the assignment in the history: it sets the end date, never deletes."""
    assignment = access.assignment_get_for_user(request.user, uuid, write=True)
    officer = assignment.officer
    today = selectors.agency_today(officer.agency)
    form = directory_forms.AssignmentEndForm(_posted(request), initial={"end_date": today})
    ended = _submit(
        request, form, lambda data: services.assignment_end(actor=request.user, assignment=assignment, **data)
    )
    if ended is not None:
        message = ASSIGNMENT_ENDED.format(name=officer, school=ended.school, end=ended.end_date)
        return _done(request, message, f"{_url('officer_detail', officer)}#assignments")
    title = f"End {officer.display_name}'s assignment to {assignment.school.name}"
    intro = f"Assigned since {assignment.start_date:%Y-%m-%d}. The assignment stays in the history."
    return _form_page(request, form, title=title, submit="End assignment", back=_officer_back(officer), intro=intro)
