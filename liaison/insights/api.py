# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""API: the equity analysis and the CRDC counts (police side, and what schools reported), suppressed where required."""

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from liaison.directory import access as directory_access
from liaison.directory.validators import validate_school_year
from liaison.lib.api_errors import ERROR_RESPONSES
from liaison.lib.school_years import school_year_of

from .access import equity_scope_for
from .crdc import KINDS, SchoolCounts, crdc_counts
from .models import SchoolReportedCount
from .rows import point_rows, total_shown
from .selectors import equity_analysis
from .services import school_reported_set

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
    against White students, for a district's schools in a school year (DOMAIN.md, Counting and equity)."""
    school_year = query.school_year or school_year_of(timezone.localdate())
    _check_school_year(school_year)
    scope = equity_scope_for(request.user, uuid)
    analysis = equity_analysis(scope, school_year)
    return {
        "district": scope.district.uuid,
        "schools": [school.uuid for school in analysis.schools],
        "school_year": school_year,
        "every_agency": scope.agency_ids is None,
        "suppressed": scope.suppressed,
        "enrollment_total": analysis.enrollment_total,
        "enrollment_complete": analysis.enrollment_complete,
        "points": [
            {
                "key": point.key,
                "label": point.definition.label,
                "base_label": point.definition.base_label,
                "per": point.definition.per,
                "total": total_shown(point),
                "groups": [{**row.__dict__, "finding": row.finding} for row in point_rows(analysis, point)],
            }
            for point in analysis.points
        ],
    }


def _check_school_year(value: str) -> None:
    try:
        validate_school_year(value)
    except ValidationError as error:
        raise ValidationError({"school_year": error.messages}) from None


class CrdcKindOut(Schema):
    instances: int | None = Field(description="In the officers' records; null when suppressed (1 to 9).")
    school_reported: int | None = Field(description="What the school itself reported; null when not entered or hidden.")
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


def _kind_out(counts: SchoolCounts, kind: str) -> dict[str, Any]:
    found = counts.kinds[kind]
    return {
        "instances": found.instances,
        "school_reported": counts.school_reported(kind),
        "gap": counts.gap(kind),
        "without_student_key": found.without_key,
        "students_collected": found.students.collected,
        "students": found.students.total,
        "splits": found.students.splits,
    }


@router.get("/insights/crdc/{uuid}", response={200: CrdcOut, **ERROR_RESPONSES})
def crdc(request: HttpRequest, uuid: UUID, query: Query[EquityQuery]) -> dict[str, Any]:
    """The police side of the CRDC count for a district's schools: referrals to law enforcement and
    school-related arrests, as instances and unique students (by pseudonymous key), split by
    race/ethnicity, sex, disability and English learner."""
    school_year = query.school_year or school_year_of(timezone.localdate())
    _check_school_year(school_year)
    scope = equity_scope_for(request.user, uuid)
    return {
        "district": scope.district.uuid,
        "school_year": school_year,
        "every_agency": scope.agency_ids is None,
        "suppressed": scope.suppressed,
        "schools": [
            {
                "school": counts.school.uuid,
                "name": counts.school.name,
                "nces_id": counts.school.nces_id,
                **{kind: _kind_out(counts, kind) for kind, _, _ in KINDS},
            }
            for counts in crdc_counts(scope, school_year)
        ],
    }


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
) -> SchoolReportedCount:
    """Record what the school itself reported for the CRDC that year (the district's admins), to set
    beside the officers' records. Replaces what was entered before."""
    _check_school_year(school_year)
    school = directory_access.school_get_for_user(request.user, uuid, write=True)
    return school_reported_set(actor=request.user, school=school, school_year=school_year, **payload.dict())
