# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""API: the equity analysis and the CRDC counts (police side, and what schools reported), suppressed where required."""

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from liaison.directory import access as directory_access
from liaison.directory.validators import validate_school_year
from liaison.lib.api_errors import ERROR_RESPONSES
from liaison.lib.replica import replica_reads
from liaison.lib.school_years import school_year_of

from .access import EquityScope, equity_scope_for
from .figures import CRDC, EQUITY, crdc_school_body, figure_body
from .services import school_reported_set
from .snapshots import last_closed_school_year
from .state import state_body, state_for_user

if TYPE_CHECKING:
    from .models import SchoolReportedCount

router = Router(tags=["insights"])


class EquityQuery(Schema):
    school_year: str | None = Field(None, description="e.g. 2025-2026; default: the current school year.")


class EquityGroupOut(Schema):
    group: str
    label: str
    base: int | None = Field(description="Enrollment (first point) or referrals; null when not collected or hidden.")
    events: int | None = Field(description="Actions; null when suppressed.")
    rate: float | None = Field(description="Per `per` of the base.")
    rri: float | None
    ci_low: float | None
    ci_high: float | None
    analysed: bool
    flagged: bool
    reference: bool
    suppressed: bool
    index_suppressed: bool = Field(
        description="True: the RRI, interval, flag and finding are hidden, because a count they are computed from is."
    )
    finding: str = Field(
        description="The row in words, as on the page; empty for the reference, unknown and hidden rows."
    )


class EquityPointOut(Schema):
    key: str
    label: str
    base_label: str
    per: int
    total: int | None = Field(description="Every action at this point; null when suppressed.")
    groups: list[EquityGroupOut]


class EquityOut(Schema):
    district: UUID
    schools: list[UUID]
    school_year: str
    every_agency: bool = Field(description="False: only the caller's agency's records are counted.")
    suppressed: bool = Field(description="True: counts of 1 to 9 (and complements) are hidden.")
    enrollment_total: int | None
    enrollment_complete: bool
    points: list[EquityPointOut]


@router.get("/insights/equity/{uuid}", response={200: EquityOut, **ERROR_RESPONSES})
def equity(request: HttpRequest, uuid: UUID, query: Query[EquityQuery]) -> dict[str, Any]:
    """Relative rate indexes of referrals, citations, arrests and court referrals by race/ethnicity,
    against White students, for a district's schools in a school year (DOMAIN.md, Counting and equity).
    Evaluators get closed school years only, as stored when first published (docs/disclosure.md)."""
    with replica_reads():
        scope = equity_scope_for(request.user, uuid)
        school_year = _school_year(query, scope)
        return figure_body(EQUITY, scope, school_year, timezone.localdate())


def _school_year(query: EquityQuery, scope: EquityScope) -> str:
    """The asked-for year; by default the current one, or for restricted audiences the last closed one."""
    today = timezone.localdate()
    school_year = query.school_year or (last_closed_school_year(today) if scope.suppressed else school_year_of(today))
    _check_school_year(school_year)
    return school_year


def _check_school_year(value: str) -> None:
    try:
        validate_school_year(value)
    except ValidationError as error:
        raise ValidationError({"school_year": error.messages}) from None


class CrdcKindOut(Schema):
    instances: int | None = Field(description="In the officers' records; null when suppressed (1 to 9).")
    school_reported: int | None = Field(description="What the school itself reported; null when not entered or hidden.")
    school_reported_entered: bool = Field(description="Whether the district entered the school's own figure.")
    gap: int | None = Field(description="Officers' records minus the school's report.")
    without_student_key: int | None = Field(description="Actions lacking a student key; null when suppressed.")
    students_collected: bool = Field(description="False when an action lacks a student key: no unique counts.")
    students: int | None
    splits: dict[str, dict[str, int | None]] = Field(
        description="race, sex, disability, english_learner → category → unique students (null: not collected/hidden)."
    )


class CrdcSchoolOut(Schema):
    school: UUID
    name: str
    nces_id: str
    referred: CrdcKindOut
    arrested: CrdcKindOut


class CrdcOut(Schema):
    district: UUID
    school_year: str
    every_agency: bool
    suppressed: bool
    schools: list[CrdcSchoolOut]


class CrdcQuery(EquityQuery):
    school: UUID | None = Field(
        None, description="Only this school of the district (a district of hundreds of schools: one at a time)."
    )


@router.get("/insights/crdc/{uuid}", response={200: CrdcOut, **ERROR_RESPONSES})
def crdc(request: HttpRequest, uuid: UUID, query: Query[CrdcQuery]) -> dict[str, Any]:
    """The police side of the CRDC count for a district's schools: referrals to law enforcement and
    school-related arrests, as instances and unique students (by pseudonymous key), split by
    race/ethnicity, sex, disability and English learner. Evaluators get closed school years only,
    as stored when first published. With `school`, that school's counts only (404 if it is not one
    of the schools counted)."""
    with replica_reads():
        scope = equity_scope_for(request.user, uuid)
        school_year, today = _school_year(query, scope), timezone.localdate()
        if query.school is None:
            return figure_body(CRDC, scope, school_year, today)
        body = crdc_school_body(scope, school_year, query.school, today)
        if body is None:
            raise Http404
        return body


class SchoolReportedIn(Schema):
    referral_instances: int | None = Field(None, ge=0)
    arrest_instances: int | None = Field(None, ge=0)
    source: str = Field("", max_length=200)


class SchoolReportedOut(Schema):
    school: UUID = Field(alias="school.uuid")
    school_year: str
    referral_instances: int | None
    arrest_instances: int | None
    source: str


@router.put("/insights/crdc/schools/{uuid}/{school_year}", response={200: SchoolReportedOut, **ERROR_RESPONSES})
def school_reported_put(
    request: HttpRequest, uuid: UUID, school_year: str, payload: SchoolReportedIn
) -> "SchoolReportedCount":
    """Record what the school itself reported for the CRDC that year (the district's admins), to set
    beside the officers' records. Replaces what was entered before."""
    _check_school_year(school_year)
    school = directory_access.school_get_for_user(request.user, uuid, write=True)
    return school_reported_set(actor=request.user, school=school, school_year=school_year, **payload.dict())


# --- the state view (liaison/insights/state.py, docs/state-view.md) ----------------------------------


class StateFiguresOut(Schema):
    actions: int | None = Field(description="Enforcement actions; null when suppressed (1 to 9, or to protect one).")
    within_mou: int | None = Field(description="Actions judged within the MOU; null when suppressed.")
    not_within_mou: int | None = Field(description="Actions outside the MOU, with none in force, or not judged.")
    referred: int | None = Field(description="Referrals to law enforcement (CRDC instances); null when suppressed.")
    arrested: int | None = Field(description="School-related arrests (CRDC instances); null when suppressed.")
    within_mou_percent: float | None = Field(description="Null when a count it is computed from is hidden.")
    referrals_per_1000: float | None = Field(description="Per 1,000 enrolled; null when hidden or not computable.")


class StateTotalsOut(StateFiguresOut):
    schools: int
    schools_covered: int = Field(description="Schools with an officer assigned at some time in the year.")
    officers: int
    enrollment: int | None = Field(description="Null when a school's enrollment for the year is missing.")
    trust_schools: int = Field(description="Schools whose latest closed student survey has 10 or more respondents.")
    trust_index: float | None = Field(description="Their trust indexes' mean (0–100).")


class StateDistrictOut(StateFiguresOut):
    district: UUID
    name: str
    nces_id: str
    schools: int
    schools_covered: int
    enrollment: int | None
    trust_schools: int
    trust_index: float | None


class StateAgencyOut(StateFiguresOut):
    agency: UUID
    name: str
    ori: str
    agency_state: str
    officers: int = Field(description="Officers assigned to the state's schools during the year.")
    schools_covered: int


class StateGroupOut(Schema):
    group: str
    label: str
    enrollment: int | None
    referred: int | None
    arrested: int | None
    referrals_per_1000: float | None
    arrests_per_100_referrals: float | None


class StateOut(Schema):
    state: str
    school_year: str
    totals: StateTotalsOut
    districts: list[StateDistrictOut]
    agencies: list[StateAgencyOut]
    groups: list[StateGroupOut]


@router.get("/insights/state/{state}", response={200: StateOut, **ERROR_RESPONSES})
def state_figures(request: HttpRequest, state: str, query: Query[EquityQuery]) -> dict[str, Any]:
    """A whole state (two-letter code) for a closed school year: every district and every agency
    serving them — coverage, MOU adherence, referrals and arrests, students' trust — and the state's
    referrals and arrests by race/ethnicity, through the disclosure rules (docs/state-view.md). For
    the state's evaluators and platform admins; anyone else gets 404. Default: the last closed year."""
    with replica_reads():
        code = state_for_user(request.user, state)
        today = timezone.localdate()
        school_year = query.school_year or last_closed_school_year(today)
        _check_school_year(school_year)
        return state_body(code, school_year, today)
