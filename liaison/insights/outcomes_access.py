"""Who gets the outcomes view of a school, an agency or a district, over whose records.

The one door to `OutcomesScope`: 404 for a school, agency or district the user does not see; 403
for one they see but get no outcomes of.

| role | school | agency | district | contacts and trust |
|---|---|---|---|---|
| platform admin | every agency's records | the agency's | every agency's | live |
| district admin | every agency's (their district's schools) | 403 | every agency's | live |
| principal | every agency's (their school) | 403 | 403 | 403 |
| agency admin, SRO supervisor | their agency's records | their agency's | their agency's records there | live |
| evaluator, agency grant | with the district's | a closed year's release (below) | a release | its release |
| evaluator, district grant | with the district's | 403 (404 for an agency not seen) | a release | its release |
| officer | 403 | 403 | 403 | 403 |

Evaluators get a district's outcomes, and each of its schools', over their granted records (the
equity scope: `equity_scope_for`) as a closed school year's stored release through the disclosure
engine (liaison/insights/outcomes_release.py: the district and its schools in one table), never the
live months: counts refreshed as records arrive give single records away by differencing.

An evaluator with a grant for an agency also gets the agency's outcomes: its records in every district
it served that year (a partnership overlapping it), released in one table with each of those
districts' stored releases over the same records (the agency's count is their sum), so the agency's
months minus one district's give no hidden count of another district back. A district's evaluator
gets no agency's outcomes: the agency's records in other districts are not theirs, and the agency's
records in their district are on the district's page.

Contacts and trust of a district (`district_access_for`), over the same records as the district's
outcomes: the program's leaders get it live, as of today; an evaluator gets it for a closed year,
computed only from what the district's stored release of that year and the year before shows of each
school (liaison/insights/released_contacts_trust.py): its positive contacts by whole month, its
enrollment, each wave's trust index and interval. A school with a hidden month or wave is listed as
not shown, with the reason, and no live count is read.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied

from liaison.accounts.roles import Role
from liaison.accounts.scope import user_scope
from liaison.directory import access as directory_access
from liaison.directory.models import School

from .access import EquityScope, equity_scope_for
from .outcomes import AGENCY, DISTRICT, SCHOOL, OutcomesScope, agency_schools
from .outcomes_release import RestrictedAgency, RestrictedSchool

NOT_FOR_ROLE = (
    "The outcomes view is for the program's leaders: the district's and the agency's admins, SRO "
    "supervisors, and principals for their school."
)


RESTRICTED_AGENCY_GRANT = (
    "Evaluators get an agency's outcomes with a grant for that agency: its records in other districts are "
    "not a district evaluator's. The agency's records in your district are on the district's outcomes page."
)


def _refuse() -> PermissionDenied:
    return PermissionDenied(NOT_FOR_ROLE)


def school_outcomes_scope(user: Any, uuid: UUID | str) -> OutcomesScope:
    school = directory_access.school_get_for_user(user, uuid)
    scope = user_scope(user)
    every = (
        scope.platform_admin or school.district_id in scope.district_admin_ids or school.pk in scope.school_admin_ids
    )
    managed = scope.managing_agency_ids
    if not every and not managed:
        raise _refuse()
    return OutcomesScope(
        level=SCHOOL,
        name=school.name,
        uuid=str(school.uuid),
        schools=(school,),
        agency_ids=None if every else managed,
        district_ids=frozenset({school.district_id}),
    )


def agency_outcomes_scope(user: Any, uuid: UUID | str, school_year: str) -> OutcomesScope:
    agency = directory_access.agency_get_for_user(user, uuid)
    scope = user_scope(user)
    if not (scope.platform_admin or agency.pk in scope.managing_agency_ids):
        raise _refuse()
    schools = agency_schools(agency.pk, school_year)
    return OutcomesScope(
        level=AGENCY,
        name=agency.name,
        uuid=str(agency.uuid),
        schools=tuple(schools),
        agency_ids=frozenset({agency.pk}),
        district_ids=frozenset(school.district_id for school in schools),
    )


def district_outcomes_scope(user: Any, uuid: UUID | str) -> OutcomesScope:
    district = directory_access.district_get_for_user(user, uuid)
    scope = user_scope(user)
    every = scope.platform_admin or district.pk in scope.district_admin_ids
    managed = scope.managing_agency_ids
    if not every and not managed:
        raise _refuse()
    schools = School.objects.filter(district=district).order_by("name")
    return OutcomesScope(
        level=DISTRICT,
        name=district.name,
        uuid=str(district.uuid),
        schools=tuple(schools),
        agency_ids=None if every else managed,
        district_ids=frozenset({district.pk}),
    )


def outcomes_scope_for(user: Any, level: str, uuid: UUID | str, school_year: str) -> OutcomesScope:
    if level == SCHOOL:
        return school_outcomes_scope(user, uuid)
    if level == AGENCY:
        return agency_outcomes_scope(user, uuid, school_year)
    return district_outcomes_scope(user, uuid)


def _evaluator(user: Any) -> bool:
    scope = user_scope(user)
    return bool(scope.evaluator_district_ids or scope.agencies(Role.EVALUATOR))


def _evaluated_agency(user: Any, uuid: UUID | str) -> RestrictedAgency:
    agency = directory_access.agency_get_for_user(user, uuid)
    if agency.pk not in user_scope(user).agencies(Role.EVALUATOR):
        raise PermissionDenied(RESTRICTED_AGENCY_GRANT)
    return RestrictedAgency(agency)


def outcomes_access_for(
    user: Any, level: str, uuid: UUID | str, school_year: str
) -> OutcomesScope | EquityScope | RestrictedSchool | RestrictedAgency:
    """The program's leaders get an `OutcomesScope` (live figures); an evaluator gets the district's
    restricted `EquityScope`, a school's `RestrictedSchool` or their agency's `RestrictedAgency` (a
    closed year's release). 404/403 as in the table above."""
    try:
        return outcomes_scope_for(user, level, uuid, school_year)
    except PermissionDenied:
        if not _evaluator(user):
            raise
    if level == SCHOOL:
        school = directory_access.school_get_for_user(user, uuid)
        district_scope = equity_scope_for(user, school.district.uuid)
        if not district_scope.suppressed:
            raise _refuse()
        return RestrictedSchool(district_scope, school)
    if level == AGENCY:
        return _evaluated_agency(user, uuid)
    return _evaluated_district(user, uuid)


def _evaluated_district(user: Any, uuid: UUID | str) -> EquityScope:
    scope = equity_scope_for(user, uuid)
    if not scope.suppressed:  # (a leader would have had the live figures above)
        raise _refuse()
    return scope


def district_access_for(user: Any, uuid: UUID | str) -> OutcomesScope | EquityScope:
    """A district's outcomes access (`outcomes_access_for`), for contacts and trust: the program's
    leaders' live `OutcomesScope`, or an evaluator's restricted `EquityScope` (a closed year's release)."""
    try:
        return district_outcomes_scope(user, uuid)
    except PermissionDenied:
        if not _evaluator(user):
            raise
    return _evaluated_district(user, uuid)


def outcomes_available(user: Any, level: str, uuid: UUID | str) -> bool:
    """Whether the outcomes view would answer (for the agency, district and school pages). The district
    link sits beside contacts-and-trust: evaluators reach their district's outcomes from the equity
    page instead, and their agency's from the agency's page."""
    if level == AGENCY:  # without counting the agency's schools
        scope = user_scope(user)
        pk = directory_access.agency_get_for_user(user, uuid).pk
        return scope.platform_admin or pk in scope.managing_agency_ids or pk in scope.agencies(Role.EVALUATOR)
    try:
        outcomes_scope_for(user, level, uuid, "")
    except PermissionDenied:
        return False
    return True
