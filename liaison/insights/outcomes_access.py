"""Who gets the outcomes view of a school, an agency or a district, over whose records.

The one door to `OutcomesScope`: 404 for a school, agency or district the user does not see; 403
for one they see but get no outcomes of.

| role | school | agency | district |
|---|---|---|---|
| platform admin | every agency's records | the agency's | every agency's |
| district admin | every agency's (their district's schools) | 403 | every agency's |
| principal | every agency's (their school) | 403 | 403 |
| agency admin, SRO supervisor | their agency's records | their agency's | their agency's records there |
| evaluator (district or agency grant) | released with the district's | 403 | a closed year's release (below) |
| officer | 403 | 403 | 403 |

Evaluators get a district's outcomes, and each of its schools', over their granted records (the
equity scope: `equity_scope_for`) as a closed school year's stored release through the disclosure
engine (liaison/insights/outcomes_release.py: the district and its schools in one table), never the
live months: counts refreshed as records arrive give single records away by differencing. They get
no agency outcomes: an agency's across districts beside each district's would need every district in
that table. Contacts and trust stays with the program's leaders.
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
from .outcomes_release import RestrictedSchool

NOT_FOR_ROLE = (
    "The outcomes view is for the program's leaders: the district's and the agency's admins, SRO "
    "supervisors, and principals for their school."
)


RESTRICTED_DISTRICT_ONLY = (
    "Evaluators get the outcomes of a district and its schools, for a closed school year and through the "
    "disclosure rules: an agency's months across districts beside each district's are not yet protected "
    "together."
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


def outcomes_access_for(
    user: Any, level: str, uuid: UUID | str, school_year: str
) -> OutcomesScope | EquityScope | RestrictedSchool:
    """The program's leaders get an `OutcomesScope` (live figures); an evaluator gets the district's
    restricted `EquityScope`, or a school's `RestrictedSchool` (a closed year's release). 404/403 as
    in the table above."""
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
    if level != DISTRICT:
        raise PermissionDenied(RESTRICTED_DISTRICT_ONLY)
    scope = equity_scope_for(user, uuid)
    if not scope.suppressed:  # (a leader would have had the live figures above)
        raise _refuse()
    return scope


def outcomes_available(user: Any, level: str, uuid: UUID | str) -> bool:
    """Whether the program's leaders' outcomes view would answer (for the agency, district and school
    pages, whose district link sits beside contacts-and-trust: evaluators reach their district's
    outcomes from the equity page instead)."""
    if level == AGENCY:  # without counting the agency's schools
        scope = user_scope(user)
        return scope.platform_admin or directory_access.agency_get_for_user(user, uuid).pk in scope.managing_agency_ids
    try:
        outcomes_scope_for(user, level, uuid, "")
    except PermissionDenied:
        return False
    return True
