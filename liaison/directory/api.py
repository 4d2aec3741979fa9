# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""API for the program directory. Every object is reached through directory.access."""

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import CursorPagination, paginate

from liaison.accounts.scope import user_scope
from liaison.lib.api_errors import ERROR_RESPONSES
from liaison.lib.errors import validation_error_fields
from liaison.lib.openapi_links import links_to

from . import access, selectors, services
from .choices import TrainingCourse
from .schemas import (
    AgencyFilters,
    AgencyIn,
    AgencyOut,
    AgencyPatch,
    AssignmentFilters,
    AssignmentIn,
    AssignmentOut,
    AssignmentPatch,
    CoverageOut,
    CoverageQuery,
    DistrictIn,
    DistrictOut,
    DistrictPatch,
    EnrollmentCounts,
    EnrollmentOut,
    OfficerFilters,
    OfficerIn,
    OfficerOut,
    OfficerPatch,
    PartnershipIn,
    PartnershipOut,
    PartnershipPatch,
    SchoolDetailOut,
    SchoolFilters,
    SchoolIn,
    SchoolOut,
    SchoolPatch,
    TrainingFilters,
    TrainingRecordIn,
    TrainingRecordOut,
    TrainingRecordPatch,
    TrainingRequirementOut,
    TrainingRequirementsIn,
)

if TYPE_CHECKING:
    from .models import (
        Agency,
        Assignment,
        District,
        Enrollment,
        Officer,
        Partnership,
        School,
        TrainingRecord,
        TrainingRequirement,
    )

router = Router(tags=["directory"])

REFERENCE_NOT_FOUND = "No such record that you can see."
PLATFORM_ADMIN_ONLY = "Only a platform administrator can do this."

T = TypeVar("T")


def _reference(getter: Callable[..., T], request: HttpRequest, uuid: UUID, field: str, *, write: bool = False) -> T:
    """Resolve a UUID named in a request body; an unknown one is a field error."""
    try:
        return getter(request.user, uuid, write=write)
    except Http404:
        raise ValidationError({field: REFERENCE_NOT_FOUND}) from None


def _require_platform_admin(request: HttpRequest) -> None:
    if not user_scope(request.user).platform_admin:
        raise PermissionDenied(PLATFORM_ADMIN_ONLY)


def _require_staff_manager(request: HttpRequest) -> None:
    """Officers, assignments and training are managed by agency admins and SRO supervisors."""
    if not access.may_manage_agency_staff(request.user):
        raise PermissionDenied(access.NOT_ALLOWED)


def _changes(payload: Any) -> dict[str, Any]:
    return payload.dict(exclude_unset=True)


def _created(obj: Any) -> Status:
    return Status(201, obj)


def _single(status: int, schema: Any) -> dict[int, Any]:
    return {status: schema, **ERROR_RESPONSES}


# --- agencies -------------------------------------------------------------------------


@router.get("/agencies", response=_single(200, list[AgencyOut]), tags=["agencies"])
@paginate
def agency_list(request: HttpRequest, filters: Query[AgencyFilters]) -> "QuerySet[Agency]":
    return filters.filter(access.agencies_visible_to(request.user))


@router.post("/agencies", response=_single(201, AgencyOut), tags=["agencies"])
def agency_create(request: HttpRequest, payload: AgencyIn) -> Status:
    _require_platform_admin(request)
    return _created(services.agency_create(actor=request.user, **payload.dict()))


@router.get("/agencies/{uuid}", response=_single(200, AgencyOut), tags=["agencies"])
def agency_detail(request: HttpRequest, uuid: UUID) -> "Agency":
    return access.agency_get_for_user(request.user, uuid)


@router.patch("/agencies/{uuid}", response=_single(200, AgencyOut), tags=["agencies"])
def agency_update(request: HttpRequest, uuid: UUID, payload: AgencyPatch) -> "Agency":
    agency = access.agency_get_for_user(request.user, uuid, write=True)
    return services.agency_update(actor=request.user, agency=agency, **_changes(payload))


REQUIREMENT_LISTED_TWICE = "{course} is listed more than once."


@router.get(
    "/agencies/{uuid}/training-requirements",
    response=_single(200, list[TrainingRequirementOut]),
    tags=["agencies", "training"],
)
def training_requirements(request: HttpRequest, uuid: UUID) -> "QuerySet[TrainingRequirement]":
    """The courses the agency requires before an officer is assigned to a school."""
    agency = access.agency_get_for_user(request.user, uuid)
    return agency.training_requirements.order_by("course")


@router.put(
    "/agencies/{uuid}/training-requirements",
    response=_single(200, list[TrainingRequirementOut]),
    tags=["agencies", "training"],
)
def training_requirements_set(request: HttpRequest, uuid: UUID, payload: TrainingRequirementsIn) -> Any:
    """Replace the required courses (agency admins). A course left out is no longer required."""
    agency = access.agency_get_for_user(request.user, uuid, write=True)
    hours: dict[str, Decimal | None] = {}
    for requirement in payload.requirements:
        if requirement.course in hours:
            label = TrainingCourse(requirement.course).label
            raise ValidationError({"requirements": REQUIREMENT_LISTED_TWICE.format(course=label)})
        hours[requirement.course] = requirement.minimum_hours
    try:
        return services.training_requirements_set(actor=request.user, agency=agency, hours=hours)
    except ValidationError as error:  # keyed by course: name the course inside the one body field
        problems = validation_error_fields(error)
        messages = [f"{TrainingCourse(c).label}: {m}" for c, found in problems.items() for m in found]
        raise ValidationError({"requirements": messages}) from None


# --- districts ------------------------------------------------------------------------


@router.get("/districts", response=_single(200, list[DistrictOut]), tags=["districts"])
@paginate
def district_list(request: HttpRequest) -> "QuerySet[District]":
    return access.districts_visible_to(request.user)


@router.post("/districts", response=_single(201, DistrictOut), tags=["districts"])
def district_create(request: HttpRequest, payload: DistrictIn) -> Status:
    _require_platform_admin(request)
    return _created(services.district_create(actor=request.user, **payload.dict()))


@router.get("/districts/{uuid}", response=_single(200, DistrictOut), tags=["districts"])
def district_detail(request: HttpRequest, uuid: UUID) -> "District":
    return access.district_get_for_user(request.user, uuid)


@router.patch("/districts/{uuid}", response=_single(200, DistrictOut), tags=["districts"])
def district_update(request: HttpRequest, uuid: UUID, payload: DistrictPatch) -> "District":
    district = access.district_get_for_user(request.user, uuid, write=True)
    return services.district_update(actor=request.user, district=district, **_changes(payload))


# --- schools and enrollment -------------------------------------------------------------


@router.get("/schools", response=_single(200, list[SchoolOut]), tags=["schools"])
@paginate
def school_list(request: HttpRequest, filters: Query[SchoolFilters]) -> "QuerySet[School]":
    return filters.filter(access.schools_visible_to(request.user).select_related("district"))


@router.post(
    "/schools",
    response=_single(201, SchoolOut),
    tags=["schools"],
    openapi_extra=links_to("liaison_directory_api_school_detail", "liaison_directory_api_school_update"),
)
def school_create(request: HttpRequest, payload: SchoolIn) -> Status:
    fields = payload.dict()
    district = _reference(access.district_get_for_user, request, fields.pop("district"), "district", write=True)
    return _created(services.school_create(actor=request.user, district=district, **fields))


@router.get("/schools/{uuid}", response=_single(200, SchoolDetailOut), tags=["schools"])
def school_detail(request: HttpRequest, uuid: UUID) -> "School":
    return access.school_get_for_user(request.user, uuid)


@router.patch("/schools/{uuid}", response=_single(200, SchoolOut), tags=["schools"])
def school_update(request: HttpRequest, uuid: UUID, payload: SchoolPatch) -> "School":
    school = access.school_get_for_user(request.user, uuid, write=True)
    return services.school_update(actor=request.user, school=school, **_changes(payload))


@router.get("/schools/{uuid}/enrollment", response=_single(200, list[EnrollmentOut]), tags=["schools"])
def enrollment_list(request: HttpRequest, uuid: UUID) -> "QuerySet[Enrollment]":
    return access.school_get_for_user(request.user, uuid).enrollments.order_by("-school_year")


@router.put("/schools/{uuid}/enrollment/{school_year}", response=_single(200, EnrollmentOut), tags=["schools"])
def enrollment_put(request: HttpRequest, uuid: UUID, school_year: str, payload: EnrollmentCounts) -> "Enrollment":
    school = access.school_get_for_user(request.user, uuid, write=True)
    return services.enrollment_set(actor=request.user, school=school, school_year=school_year, **payload.dict())


# --- partnerships -------------------------------------------------------------------------


@router.get("/partnerships", response=_single(200, list[PartnershipOut]), tags=["partnerships"])
@paginate
def partnership_list(request: HttpRequest) -> "QuerySet[Partnership]":
    return access.partnerships_visible_to(request.user).select_related("agency", "district")


@router.post("/partnerships", response=_single(201, PartnershipOut), tags=["partnerships"])
def partnership_create(request: HttpRequest, payload: PartnershipIn) -> Status:
    _require_platform_admin(request)
    fields = payload.dict()
    agency = _reference(access.agency_get_for_user, request, fields.pop("agency"), "agency")
    district = _reference(access.district_get_for_user, request, fields.pop("district"), "district")
    return _created(services.partnership_create(actor=request.user, agency=agency, district=district, **fields))


@router.get("/partnerships/{uuid}", response=_single(200, PartnershipOut), tags=["partnerships"])
def partnership_detail(request: HttpRequest, uuid: UUID) -> "Partnership":
    return access.partnership_get_for_user(request.user, uuid)


@router.patch("/partnerships/{uuid}", response=_single(200, PartnershipOut), tags=["partnerships"])
def partnership_update(request: HttpRequest, uuid: UUID, payload: PartnershipPatch) -> "Partnership":
    partnership = access.partnership_get_for_user(request.user, uuid, write=True)
    return services.partnership_update(actor=request.user, partnership=partnership, **_changes(payload))


# --- officers ---------------------------------------------------------------------------------


@router.get("/officers", response=_single(200, list[OfficerOut]), tags=["officers"])
@paginate
def officer_list(request: HttpRequest, filters: Query[OfficerFilters]) -> "QuerySet[Officer]":
    return filters.filter(access.officers_visible_to(request.user).select_related("user", "agency"))


@router.post("/officers", response=_single(201, OfficerOut), tags=["officers"])
def officer_create(request: HttpRequest, payload: OfficerIn) -> Status:
    _require_staff_manager(request)
    fields = payload.dict()
    agency = _reference(access.agency_get_for_user, request, fields.pop("agency"), "agency", write=True)
    return _created(
        services.officer_add(actor=request.user, agency=agency, absolute=request.build_absolute_uri, **fields)
    )


@router.get("/officers/{uuid}", response=_single(200, OfficerOut), tags=["officers"])
def officer_detail(request: HttpRequest, uuid: UUID) -> "Officer":
    return access.officer_get_for_user(request.user, uuid)


@router.patch("/officers/{uuid}", response=_single(200, OfficerOut), tags=["officers"])
def officer_update(request: HttpRequest, uuid: UUID, payload: OfficerPatch) -> "Officer":
    officer = access.officer_get_for_user(request.user, uuid, write=True)
    return services.officer_update(actor=request.user, officer=officer, **_changes(payload))


# --- training records ----------------------------------------------------------------------------


@router.get("/training-records", response=_single(200, list[TrainingRecordOut]), tags=["training"])
@paginate(CursorPagination, ordering=("-completed_on", "-id"), page_size=50)  # grows every year: by cursor
def training_record_list(request: HttpRequest, filters: Query[TrainingFilters]) -> "QuerySet[TrainingRecord]":
    return filters.filter(access.training_records_visible_to(request.user).select_related("officer"))


@router.post("/training-records", response=_single(201, TrainingRecordOut), tags=["training"])
def training_record_create(request: HttpRequest, payload: TrainingRecordIn) -> Status:
    _require_staff_manager(request)
    fields = payload.dict()
    officer = _reference(access.officer_get_for_user, request, fields.pop("officer"), "officer")
    if not access.agency_staff_writable(request.user, officer.agency_id):
        raise PermissionDenied(access.NOT_ALLOWED)
    return _created(services.training_record_create(actor=request.user, officer=officer, **fields))


@router.get("/training-records/{uuid}", response=_single(200, TrainingRecordOut), tags=["training"])
def training_record_detail(request: HttpRequest, uuid: UUID) -> "TrainingRecord":
    return access.training_record_get_for_user(request.user, uuid)


@router.patch("/training-records/{uuid}", response=_single(200, TrainingRecordOut), tags=["training"])
def training_record_update(request: HttpRequest, uuid: UUID, payload: TrainingRecordPatch) -> "TrainingRecord":
    record = access.training_record_get_for_user(request.user, uuid, write=True)
    return services.training_record_update(actor=request.user, record=record, **_changes(payload))


# --- assignments ------------------------------------------------------------------------------------


@router.get("/assignments", response=_single(200, list[AssignmentOut]), tags=["assignments"])
@paginate(CursorPagination, ordering=("-start_date", "-id"), page_size=50)  # grows every year: by cursor
def assignment_list(request: HttpRequest, filters: Query[AssignmentFilters]) -> "QuerySet[Assignment]":
    queryset = access.assignments_visible_to(request.user).select_related("officer__user", "school")
    return filters.filter(queryset)


@router.post(
    "/assignments",
    response=_single(201, AssignmentOut),
    tags=["assignments"],
    openapi_extra=links_to("liaison_directory_api_assignment_detail", "liaison_directory_api_assignment_update"),
)
def assignment_create(request: HttpRequest, payload: AssignmentIn) -> Status:
    _require_staff_manager(request)
    fields = payload.dict()
    officer = _reference(access.officer_get_for_user, request, fields.pop("officer"), "officer")
    if not access.agency_staff_writable(request.user, officer.agency_id):
        raise PermissionDenied(access.NOT_ALLOWED)
    school = _reference(access.school_get_for_user, request, fields.pop("school"), "school")
    return _created(services.assignment_create(actor=request.user, officer=officer, school=school, **fields))


@router.get("/assignments/{uuid}", response=_single(200, AssignmentOut), tags=["assignments"])
def assignment_detail(request: HttpRequest, uuid: UUID) -> "Assignment":
    return access.assignment_get_for_user(request.user, uuid)


@router.patch("/assignments/{uuid}", response=_single(200, AssignmentOut), tags=["assignments"])
def assignment_update(request: HttpRequest, uuid: UUID, payload: AssignmentPatch) -> "Assignment":
    assignment = access.assignment_get_for_user(request.user, uuid, write=True)
    return services.assignment_end(actor=request.user, assignment=assignment, end_date=payload.end_date)


# --- coverage -------------------------------------------------------------------------------------------


@router.get("/agencies/{uuid}/coverage", response=_single(200, CoverageOut), tags=["agencies"])
def agency_coverage(request: HttpRequest, uuid: UUID, query: Query[CoverageQuery]) -> selectors.Coverage:
    """Schools without an officer and assigned officers lacking required training: the agency page's coverage."""
    agency = access.agency_get_for_user(request.user, uuid)
    if not access.agency_coverage_visible(request.user, agency):
        raise PermissionDenied(access.NOT_ALLOWED)
    return selectors.agency_coverage(agency=agency, on=query.on or selectors.agency_today(agency))
