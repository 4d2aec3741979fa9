# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""API: the outcomes of a school, an agency or a district by month, and contacts and trust for a district.

The same body as the pages and their CSV (liaison/insights/outcome_tables.py), for the same people
(liaison/insights/outcomes_access.py): evaluators get a district's closed years through the
disclosure rules (liaison/insights/outcomes_release.py)."""

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from liaison.directory.validators import validate_school_year
from liaison.lib.api_errors import ERROR_RESPONSES
from liaison.lib.school_years import school_year_of

from .contacts_trust_outputs import contacts_trust_body
from .outcome_tables import outcomes_body
from .outcomes import (
    AGENCY,
    DISTRICT,
    SCHOOL,
    OutcomesScope,
    contacts_and_trust,
    outcomes_timeline,
)
from .outcomes_access import district_access_for, outcomes_access_for
from .outcomes_release import restricted_outcomes_body
from .released_contacts_trust import released_contacts_and_trust
from .snapshots import check_school_year_closed, last_closed_school_year
from .tasks import outcomes_release_ready

router = Router(tags=["outcomes"])


class OutcomesQuery(Schema):
    school_year: str | None = Field(None, description="e.g. 2025-2026; default: the current school year.")


HIDDEN = "null: suppressed by the disclosure rules (restricted audiences; see `hidden`)."


class MonthOut(Schema):
    month: str = Field(description="YYYY-MM, or the school year for the year's total.")
    enrollment: int | None = Field(description="The year's enrollment of every school; null when one lacks it.")
    contacts: int | None = Field(description=f"Every contact: positive, liaison work and enforcement actions. {HIDDEN}")
    positive: int | None = Field(description="Positive contacts (docs/outcomes.md: the one definition).")
    liaison: int | None = Field(
        description="Staff consultations and safety activities: neither positive nor enforcement."
    )
    enforcement: int | None
    school_weeks: int = Field(description="School weeks (by their Monday's month), summed over the schools.")
    weeks_with_visit: int
    referrals: int | None = Field(
        description="Referrals to law enforcement (CRDC: citations, court referrals, arrests too)."
    )
    arrests: int | None
    positive_per_100: float | None = Field(description="Positive contacts per 100 enrolled students.")
    positive_share: float | None = Field(description="Percent of all contacts that were positive.")
    role_educator: float | None = Field(description="Percent of all contacts in the educator role.")
    role_law_enforcement: float | None
    role_mentor: float | None
    week_share: float | None = Field(description="Percent of school weeks with a visit.")
    classes: int
    mentees_met: int | None = Field(description="Mentoring relationships with a meeting (the year's: each once).")
    within_share: float | None = Field(description="Percent of judged enforcement actions within the MOU.")
    referrals_per_1000: float | None
    arrests_per_1000: float | None
    hidden: list[str] = Field(
        description="The fields of this month the disclosure rules suppress (always empty for the program's leaders)."
    )


class GapOut(Schema):
    school: UUID | None
    school_name: str | None
    school_days: int
    first: str | None
    last: str | None


class YearOut(Schema):
    school_year: str
    enrollment_complete: bool
    months: list[MonthOut]
    total: MonthOut
    longest_gap: GapOut = Field(description="The longest run of school days without a visit at one school.")


class TrustWaveOut(Schema):
    wave: UUID
    title: str
    audience: str
    closes_on: str
    schools: int
    schools_shown: int = Field(description="Schools with 10 or more respondents; only they are in the index.")
    respondents: int | None
    trust_index: float | None = Field(description="0-100; null when no school in scope is shown.")
    ci_low: float | None
    ci_high: float | None


class OutcomesOut(Schema):
    level: str = Field(description="school, agency or district")
    uuid: UUID
    name: str
    schools: list[UUID]
    every_agency: bool = Field(description="False: only the caller's agency's records are counted.")
    restricted: bool = Field(
        description="True for evaluators: a closed year's stored release through the disclosure rules "
        "(docs/disclosure.md), each year as published when it closed."
    )
    school_year: str
    current: YearOut
    previous: YearOut = Field(description="The school year before, to set beside it.")
    trust: list[TrustWaveOut]


def _school_year(query: OutcomesQuery, *, restricted: bool) -> str:
    today = timezone.localdate()
    default = last_closed_school_year(today) if restricted else school_year_of(today)
    school_year = query.school_year or default
    try:
        validate_school_year(school_year)
    except ValidationError as error:
        raise ValidationError({"school_year": error.messages}) from None
    return school_year


RETRY_AFTER = 60
PREPARING = (
    "The figures of {year} are being prepared (released through the disclosure rules for the first time); "
    "ask again in a minute."
)


class PreparingOut(Schema):
    detail: str
    retry_after: int = Field(description="Seconds to wait before asking again (also the Retry-After header).")


def _outcomes(request: HttpRequest, level: str, uuid: UUID, query: OutcomesQuery) -> Any:
    today = timezone.localdate()
    access = outcomes_access_for(request.user, level, uuid, _school_year(query, restricted=False))
    if isinstance(access, OutcomesScope):
        school_year = _school_year(query, restricted=False)
        return outcomes_body(outcomes_timeline(access, school_year, as_of=today))
    school_year = _school_year(query, restricted=True)
    check_school_year_closed(school_year, today)
    if not outcomes_release_ready(level, uuid, request.user, access, school_year):
        return _preparing(school_year)
    return restricted_outcomes_body(access, school_year, today)


def _preparing(school_year: str) -> HttpResponse:
    """202: an evaluator's first request for a year whose release the worker is building."""
    response = JsonResponse({"detail": PREPARING.format(year=school_year), "retry_after": RETRY_AFTER}, status=202)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


@router.get("/outcomes/schools/{uuid}", response={200: OutcomesOut, 202: PreparingOut, **ERROR_RESPONSES})
def outcomes_school(request: HttpRequest, uuid: UUID, query: Query[OutcomesQuery]) -> Any:
    """A school's outcomes by month, the school year beside the one before, and its survey waves' trust index."""
    return _outcomes(request, SCHOOL, uuid, query)


@router.get("/outcomes/agencies/{uuid}", response={200: OutcomesOut, 202: PreparingOut, **ERROR_RESPONSES})
def outcomes_agency(request: HttpRequest, uuid: UUID, query: Query[OutcomesQuery]) -> Any:
    """An agency's outcomes by month over the schools its officers served that year."""
    return _outcomes(request, AGENCY, uuid, query)


@router.get("/outcomes/districts/{uuid}", response={200: OutcomesOut, 202: PreparingOut, **ERROR_RESPONSES})
def outcomes_district(request: HttpRequest, uuid: UUID, query: Query[OutcomesQuery]) -> Any:
    """A district's outcomes by month over all its schools. Evaluators: a closed school year only
    (default: the last), through the disclosure rules; an open one answers 400 naming `school_year`."""
    return _outcomes(request, DISTRICT, uuid, query)


class ContactsStretchOut(Schema):
    first: str | None
    last: str | None
    school_days: int
    positive: int | None = Field(description=f"Positive contacts in the stretch. {HIDDEN}")
    enrollment: int | None
    per_100: float | None = Field(description="Positive contacts per 100 enrolled students per 20 school days.")


class SchoolChangeOut(Schema):
    school: UUID
    name: str
    earlier_wave: UUID
    later_wave: UUID
    trust_earlier: float | None
    trust_later: float | None
    trust_change: float | None = Field(description="Later minus earlier; null when a wave had under 10 respondents.")
    trust_change_low: float | None = Field(description="Welch's 95% interval.")
    trust_change_high: float | None
    before: ContactsStretchOut = Field(description="The earlier wave's school year up to its close.")
    between: ContactsStretchOut = Field(description="From the earlier wave's close to the later wave's.")
    contacts_change: float | None
    not_shown: str = Field(
        description="Restricted audiences: why the release gives no dot of the school (empty when it does)."
    )


class ContactsTrustOut(Schema):
    district: UUID
    restricted: bool = Field(
        description="True for evaluators: computed only from a closed year's stored release (and the year "
        "before), whole months, through the disclosure rules (docs/outcomes.md)."
    )
    school_year: str | None = Field(description="Restricted audiences: the closed year; null for live figures.")
    caveats: list[str]
    schools: list[SchoolChangeOut]


@router.get("/outcomes/districts/{uuid}/trust", response={200: ContactsTrustOut, 202: PreparingOut, **ERROR_RESPONSES})
def contacts_trust(request: HttpRequest, uuid: UUID, query: Query[OutcomesQuery]) -> Any:
    """Per school with two or more closed survey waves: the trust change beside the change in positive
    contacts. An association across few schools, not an effect (see `caveats`). The program's leaders:
    live, as of today (`school_year` is not read). Evaluators: a closed school year only (default: the
    last), from its stored release; an open one answers 400 naming `school_year`."""
    today = timezone.localdate()
    access = district_access_for(request.user, uuid)
    if isinstance(access, OutcomesScope):
        found = contacts_and_trust(access.name, access.schools, agency_ids=access.agency_ids, as_of=today)
    else:
        school_year = _school_year(query, restricted=True)
        check_school_year_closed(school_year, today)
        if not outcomes_release_ready(DISTRICT, uuid, request.user, access, school_year):
            return _preparing(school_year)
        found = released_contacts_and_trust(access, school_year, today)
    return contacts_trust_body(found, uuid)
