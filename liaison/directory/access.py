"""The only doors from a user to directory records.

Each object type has a `<type>s_visible_to(user)` queryset and a
`<type>_get_for_user(user, uuid, write=False)` getter. A record that exists but is
outside the user's scope is a 404, never a 403: its existence is not disclosed.
A record the user may see but not change is a 403 when `write=True`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from liaison.accounts.roles import Role
from liaison.accounts.scope import UserScope, user_scope

from .models import Agency, Assignment, District, Enrollment, Officer, Partnership, School, TrainingRecord

NOT_FOUND = "Not found."
NOT_ALLOWED = "You do not have permission to change this."

NOTHING = Q(pk__in=[])


def _partnered_district_ids(agency_ids: frozenset[int]) -> QuerySet:
    return Partnership.objects.filter(agency_id__in=agency_ids).values("district_id")


def _district_ids_of_schools(school_ids: frozenset[int]) -> QuerySet:
    return School.objects.filter(pk__in=school_ids).values("district_id")


def _officer_school_ids(officer_id: int) -> QuerySet:
    return Assignment.objects.filter(officer_id=officer_id).values("school_id")


def _school_visibility(scope: UserScope) -> Q:
    """Schools: partnered districts for agency managers and evaluators, own schools otherwise."""
    wide_agencies = scope.agencies(Role.AGENCY_ADMIN, Role.SUPERVISOR, Role.EVALUATOR)
    q = NOTHING
    if wide_agencies:
        q |= Q(district_id__in=_partnered_district_ids(wide_agencies))
    if scope.officer_id is not None and scope.agencies(Role.OFFICER):
        q |= Q(pk__in=_officer_school_ids(scope.officer_id))
    if scope.district_admin_ids or scope.evaluator_district_ids:
        q |= Q(district_id__in=scope.district_admin_ids | scope.evaluator_district_ids)
    if scope.school_admin_ids:
        q |= Q(pk__in=scope.school_admin_ids)
    return q


def _district_visibility(scope: UserScope) -> Q:
    q = NOTHING
    if scope.any_agency_ids:
        q |= Q(pk__in=_partnered_district_ids(scope.any_agency_ids))
    if scope.district_admin_ids or scope.evaluator_district_ids:
        q |= Q(pk__in=scope.district_admin_ids | scope.evaluator_district_ids)
    if scope.school_admin_ids:
        q |= Q(pk__in=_district_ids_of_schools(scope.school_admin_ids))
    return q


def _agency_visibility(scope: UserScope) -> Q:
    q = NOTHING
    if scope.any_agency_ids:
        q |= Q(pk__in=scope.any_agency_ids)
    district_ids = scope.district_admin_ids | scope.evaluator_district_ids
    if district_ids:
        q |= Q(partnerships__district_id__in=district_ids)
    if scope.school_admin_ids:
        q |= Q(partnerships__district_id__in=_district_ids_of_schools(scope.school_admin_ids))
    return q


def _officer_visibility(scope: UserScope) -> Q:
    """Officers: their agency's managers, themselves, and admins of schools they serve. Not evaluators."""
    q = NOTHING
    if scope.managing_agency_ids:
        q |= Q(agency_id__in=scope.managing_agency_ids)
    if scope.officer_id is not None:
        q |= Q(pk=scope.officer_id)
    if scope.district_admin_ids:
        q |= Q(assignments__school__district_id__in=scope.district_admin_ids)
    if scope.school_admin_ids:
        q |= Q(assignments__school_id__in=scope.school_admin_ids)
    return q


def _visible(model: type[Model], user: Any, rule: Q) -> QuerySet:
    scope = user_scope(user)
    if scope.platform_admin:
        return model._default_manager.all()
    if rule is NOTHING:
        return model._default_manager.none()
    return model._default_manager.filter(rule).distinct()


# --- querysets -----------------------------------------------------------------


def agencies_visible_to(user: Any) -> QuerySet[Agency]:
    return _visible(Agency, user, _agency_visibility(user_scope(user)))


def districts_visible_to(user: Any) -> QuerySet[District]:
    return _visible(District, user, _district_visibility(user_scope(user)))


def schools_visible_to(user: Any) -> QuerySet[School]:
    return _visible(School, user, _school_visibility(user_scope(user)))


def enrollments_visible_to(user: Any) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(school__in=schools_visible_to(user))


def partnerships_visible_to(user: Any) -> QuerySet[Partnership]:
    scope = user_scope(user)
    rule = NOTHING
    if scope.any_agency_ids:
        rule |= Q(agency_id__in=scope.any_agency_ids)
    if scope.district_admin_ids or scope.evaluator_district_ids:
        rule |= Q(district_id__in=scope.district_admin_ids | scope.evaluator_district_ids)
    return _visible(Partnership, user, rule)


def officers_visible_to(user: Any) -> QuerySet[Officer]:
    return _visible(Officer, user, _officer_visibility(user_scope(user)))


def assignments_visible_to(user: Any) -> QuerySet[Assignment]:
    scope = user_scope(user)
    rule = NOTHING
    if scope.managing_agency_ids:
        rule |= Q(agency_id__in=scope.managing_agency_ids)
    if scope.officer_id is not None:
        rule |= Q(officer_id=scope.officer_id)
    if scope.district_admin_ids:
        rule |= Q(school__district_id__in=scope.district_admin_ids)
    if scope.school_admin_ids:
        rule |= Q(school_id__in=scope.school_admin_ids)
    return _visible(Assignment, user, rule)


def training_records_visible_to(user: Any) -> QuerySet[TrainingRecord]:
    return TrainingRecord.objects.filter(officer__in=officers_visible_to(user))


# --- may the user change it? -----------------------------------------------------


def agency_writable(user: Any, agency: Agency) -> bool:
    scope = user_scope(user)
    return scope.platform_admin or agency.pk in scope.agencies(Role.AGENCY_ADMIN)


def district_writable(user: Any, district: District) -> bool:
    scope = user_scope(user)
    return scope.platform_admin or district.pk in scope.district_admin_ids


def school_writable(user: Any, school: School) -> bool:
    return district_writable(user, school.district)


def partnership_writable(user: Any, partnership: Partnership) -> bool:
    return user_scope(user).platform_admin


def officer_writable(user: Any, officer: Officer) -> bool:
    return agency_writable(user, officer.agency)


def may_manage_agency_staff(user: Any) -> bool:
    """Whether the user manages any agency's officers, assignments and training."""
    scope = user_scope(user)
    return scope.platform_admin or bool(scope.managing_agency_ids)


def agencies_managed_by(user: Any) -> QuerySet[Agency]:
    """The agencies whose staff, records and catalogue the user manages (as agency admin or SRO
    supervisor; every agency for a platform admin)."""
    scope = user_scope(user)
    return Agency.objects.all() if scope.platform_admin else Agency.objects.filter(pk__in=scope.managing_agency_ids)


def own_officer(user: Any) -> Officer | None:
    """The caller's own officer profile (with its agency), if they hold the officer role at its agency."""
    scope = user_scope(user)
    if scope.officer_id is None:
        return None
    officer: Officer = user.officer  # read (with its agency) by user_scope, and cached on the user
    return officer if officer.agency_id in scope.agencies(Role.OFFICER) else None


def agency_staff_writable(user: Any, agency_id: int) -> bool:
    """Assignments and training: the agency's admins and SRO supervisors."""
    scope = user_scope(user)
    return scope.platform_admin or agency_id in scope.managing_agency_ids


# --- what may the user see beyond single records? ------------------------------------


def agency_coverage_visible(user: Any, agency: Agency) -> bool:
    """Coverage names every officer of the agency and their training: its admins and supervisors."""
    return agency_staff_writable(user, agency.pk)


def officers_shown_to(user: Any) -> bool:
    """Whether the user may see any officer or assignment at all (evaluators see only aggregates)."""
    scope = user_scope(user)
    return scope.platform_admin or _officer_visibility(scope) is not NOTHING


# --- getters ---------------------------------------------------------------------


def _get(queryset: QuerySet, uuid: UUID | str) -> Any:
    try:
        return queryset.get(uuid=uuid)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(NOT_ALLOWED)


def agency_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> Agency:
    agency = _get(agencies_visible_to(user), uuid)
    if write:
        _require(agency_writable(user, agency))
    return agency


def district_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> District:
    district = _get(districts_visible_to(user), uuid)
    if write:
        _require(district_writable(user, district))
    return district


def school_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> School:
    school = _get(schools_visible_to(user).select_related("district"), uuid)
    if write:
        _require(school_writable(user, school))
    return school


def partnership_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> Partnership:
    partnership = _get(partnerships_visible_to(user).select_related("agency", "district"), uuid)
    if write:
        _require(partnership_writable(user, partnership))
    return partnership


def officer_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> Officer:
    officer = _get(officers_visible_to(user).select_related("user", "agency"), uuid)
    if write:
        _require(officer_writable(user, officer))
    return officer


def assignment_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> Assignment:
    assignment = _get(assignments_visible_to(user).select_related("officer__user", "school"), uuid)
    if write:
        _require(agency_staff_writable(user, assignment.agency_id))
    return assignment


def training_record_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> TrainingRecord:
    record = _get(training_records_visible_to(user).select_related("officer__user"), uuid)
    if write:
        _require(agency_staff_writable(user, record.agency_id))
    return record


def enrollment_get_for_user(user: Any, uuid: UUID | str, *, write: bool = False) -> Enrollment:
    enrollment = _get(enrollments_visible_to(user).select_related("school__district"), uuid)
    if write:
        _require(school_writable(user, enrollment.school))
    return enrollment
