"""Who sees the equity analysis of a district, over which records, and whether small counts hide.

The district's admins (and platform admins) see every agency's records about the district's
schools; an agency's admins and SRO supervisors see their own agency's; a principal sees their
school's. Evaluators see their granted agency's or district's, with counts of 1 to 9 suppressed
(DOMAIN.md: anything shown outside the agency). Officers do not get the analysis: their own
handful of actions is not a population.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from liaison.accounts.roles import Role
from liaison.accounts.scope import user_scope
from liaison.directory import access as directory_access
from liaison.directory.models import Agency, District, School

from .models import ProgramReport

NOT_FOR_ROLE = "The equity analysis is for the district's and the agency's leaders, principals and evaluators."


@dataclass(frozen=True)
class EquityScope:
    district: District
    agency_ids: frozenset[int] | None  # whose records count; None: every agency's
    school_ids: frozenset[int] | None  # a principal sees only their schools; None: the whole district
    suppressed: bool  # counts of 1 to 9 are hidden

    @property
    def whole_district(self) -> bool:
        return self.school_ids is None


def equity_scope_for(user: Any, district_uuid: UUID | str) -> EquityScope:
    """404 for a district the user does not see; 403 when they see it but get no analysis."""
    district = directory_access.district_get_for_user(user, district_uuid)
    scope = user_scope(user)
    if scope.platform_admin or district.pk in scope.district_admin_ids:
        return EquityScope(district, None, None, suppressed=False)
    managed = scope.agencies(Role.AGENCY_ADMIN, Role.SUPERVISOR)
    if managed:
        return EquityScope(district, managed, None, suppressed=False)
    schools = frozenset(
        directory_access.schools_visible_to(user)
        .filter(district=district, pk__in=scope.school_admin_ids)
        .values_list("pk", flat=True)
    )
    if schools:
        return EquityScope(district, None, schools, suppressed=False)
    if district.pk in scope.evaluator_district_ids:
        return EquityScope(district, None, None, suppressed=True)
    evaluated = scope.agencies(Role.EVALUATOR)
    if evaluated:
        return EquityScope(district, evaluated, None, suppressed=True)
    raise PermissionDenied(NOT_FOR_ROLE)


def equity_available(user: Any, district: District) -> bool:
    """Whether the user gets the district's analysis (for links to it)."""
    try:
        equity_scope_for(user, district.uuid)
    except PermissionDenied:
        return False
    return True


# --- the annual program report ---------------------------------------------------------------------

REPORT_NOT_FOR_ROLE = (
    "The program report is for the agency's or the district's leaders and its evaluators, and a school's for "
    "its principal."
)
REPORT_OWNERS = ("agency", "district", "school")


@dataclass(frozen=True)
class ReportAccess:
    owner: Agency | District | School
    audience: str  # ProgramReport.Audience: "full" for the program's leaders, "restricted" for evaluators
    may_publish: bool  # the owner's admins publish the public version


def report_access_for(user: Any, owner: str, uuid: UUID | str) -> ReportAccess:
    """Who reads an agency's, a district's or a school's annual report: the agency's admins and SRO
    supervisors, the district's admins (everything); the agency's or the district's evaluators
    (restricted figures); a school's principal and its district's admins (every agency's records
    about the school). 404 for an owner the user does not see, 403 for one they see but get no
    report of."""
    found: Agency | District | School
    if owner == "agency":
        found = directory_access.agency_get_for_user(user, uuid)
    elif owner == "district":
        found = directory_access.district_get_for_user(user, uuid)
    elif owner == "school":
        found = directory_access.school_get_for_user(user, uuid)
    else:
        raise Http404
    access = report_access_on(user, found)
    if access is None:
        raise PermissionDenied(REPORT_NOT_FOR_ROLE)
    return access


def report_access_on(user: Any, found: Agency | District | School) -> ReportAccess | None:
    """The report an owner the user sees gives them, or None (also for the agency, district and school
    pages' link, without reading the owner again). A school's report has no evaluators' or public
    version: one school's figures beside its district's would give hidden counts back."""
    scope = user_scope(user)
    if isinstance(found, School):
        every = found.pk in scope.school_admin_ids or found.district_id in scope.district_admin_ids
        if scope.platform_admin or every:
            return ReportAccess(found, ProgramReport.Audience.FULL, False)
        return None
    if isinstance(found, Agency):
        full = found.pk in scope.managing_agency_ids
        restricted = found.pk in scope.agencies(Role.EVALUATOR)
        may_publish = found.pk in scope.agencies(Role.AGENCY_ADMIN)
    else:
        full = may_publish = found.pk in scope.district_admin_ids
        restricted = found.pk in scope.evaluator_district_ids
    if scope.platform_admin or full:
        return ReportAccess(found, ProgramReport.Audience.FULL, scope.platform_admin or may_publish)
    if restricted:
        return ReportAccess(found, ProgramReport.Audience.RESTRICTED, False)
    return None


OTHER_AUDIENCE = "This version of the report is for another audience."


def report_stored(found: ReportAccess, school_year: str, audience: str) -> ProgramReport | None:
    """The owner's stored report of the year for one audience, if it was built."""
    return ProgramReport.objects.filter(
        **{report_owner_kind(found.owner): found.owner}, school_year=school_year, audience=audience
    ).first()


def report_owner_kind(owner: Agency | District | School) -> str:
    """The URL's and the model's name for a report's owner."""
    if isinstance(owner, Agency):
        return "agency"
    return "district" if isinstance(owner, District) else "school"


def report_get_for_user(user: Any, uuid: UUID | str) -> ProgramReport:
    """A stored report the user may read: the leaders' version for the leaders, the restricted one
    for evaluators, the public one for the leaders who publish it (and for anyone once published)."""
    report = get_object_or_404(ProgramReport.objects.select_related("agency", "district", "school"), uuid=uuid)
    found = report_access_for(user, report_owner_kind(report.owner), report.owner.uuid)
    if report.audience == found.audience or (report.audience == ProgramReport.Audience.PUBLIC and found.may_publish):
        return report
    raise PermissionDenied(OTHER_AUDIENCE)


def reports_published() -> QuerySet[ProgramReport]:
    """Every public report its owner published, newest year first (the public pages, no sign-in)."""
    return (
        ProgramReport.objects.filter(
            audience=ProgramReport.Audience.PUBLIC, published=True, status=ProgramReport.Status.DONE
        )
        .select_related("agency", "district")
        .order_by("-school_year", "title")
    )


def report_published_get(uuid: UUID | str) -> ProgramReport:
    return get_object_or_404(reports_published(), uuid=uuid)
