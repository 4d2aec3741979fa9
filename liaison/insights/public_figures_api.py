# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""The figures the parties to an MOU chose to publish, as open data without authentication: the same
functions as the public figures page (public_figure_views.py), so the same suppression."""

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from liaison.lib.api_errors import ERROR_RESPONSES

from .contacts_trust_outputs import contacts_trust_body
from .outcome_api import ContactsTrustOut, OutcomesOut
from .public_figures import published_figures
from .public_outcomes import public_outcomes_body, public_outcomes_get, public_school_body
from .released_contacts_trust import public_contacts_and_trust

router = Router(tags=["public"], auth=None)


class ActionCountOut(Schema):
    action: str
    count: int | None = Field(description="Null: fewer than 10 (or hidden so a small count cannot be worked out).")


class SchoolTrustOut(Schema):
    school: str
    wave: str
    closed_on: datetime.date
    respondents: int | None = Field(description="Null: fewer than 10.")
    trust_index: float | None = Field(description="0–100; null under 10 respondents.")


class PublicFiguresOut(Schema):
    agreement: UUID
    school_year: str
    through: datetime.date
    schools: list[str]
    positive_contacts: int | None = Field(
        description="Null when suppressed: 1 to 9, or a count that would give a hidden month of the outcomes back."
    )
    classes_delivered: int
    class_attendance: int
    enforcement_total: int | None
    by_action: list[ActionCountOut]
    referrals: int | None
    arrests: int | None
    within_mou_percent: float | None
    contacts_per_action: float | None
    trust: list[SchoolTrustOut]


@router.get("/public/mous/{uuid}/figures", response={200: PublicFiguresOut, **ERROR_RESPONSES})
def public_mou_figures(request: HttpRequest, uuid: UUID) -> dict[str, Any]:
    """The program's figures this school year, when published; enforcement counts and positive contacts
    of 1 to 9 are null (and any that would give a hidden count back)."""
    figures = published_figures(uuid)
    return {
        "agreement": figures.agreement.uuid,
        "school_year": figures.school_year,
        "through": figures.through,
        "schools": [school.name for school in figures.schools],
        "positive_contacts": figures.positive_contacts,
        "classes_delivered": figures.classes_delivered,
        "class_attendance": figures.students_in_classes,
        "enforcement_total": figures.enforcement_total,
        "by_action": [{"action": a.label, "count": a.count} for a in figures.by_action],
        "referrals": figures.referrals,
        "arrests": figures.arrests,
        "within_mou_percent": figures.within_mou_percent,
        "contacts_per_action": figures.contacts_per_action,
        "trust": [row.__dict__ for row in figures.trust],
    }


# --- a district's or an agency's published outcomes (liaison/insights/public_outcomes.py) -------------------


@router.get("/public/outcomes/districts/{uuid}/{school_year}", response={200: OutcomesOut, **ERROR_RESPONSES})
def public_district_outcomes(request: HttpRequest, uuid: UUID, school_year: str) -> dict[str, Any]:
    """A district's outcomes of a closed school year, when its admins published them: the stored
    release a district-wide evaluator gets (null where suppressed, named in each month's `hidden`)."""
    return public_outcomes_body(public_outcomes_get(uuid, school_year), timezone.localdate())


@router.get(
    "/public/outcomes/districts/{uuid}/{school_year}/schools/{school}",
    response={200: OutcomesOut, **ERROR_RESPONSES},
)
def public_school_outcomes(request: HttpRequest, uuid: UUID, school_year: str, school: UUID) -> dict[str, Any]:
    """One school's outcomes, as released with its district's published year."""
    return public_school_body(public_outcomes_get(uuid, school_year), school, timezone.localdate())


@router.get(
    "/public/outcomes/districts/{uuid}/{school_year}/trust",
    response={200: ContactsTrustOut, **ERROR_RESPONSES},
)
def public_contacts_trust(request: HttpRequest, uuid: UUID, school_year: str) -> dict[str, Any]:
    """Contacts and trust of a district's published year: per school with two closed survey waves, the
    trust change beside the change in positive contacts, computed only from the published releases of
    the year and the year before (a school they hide is listed in `not_shown`, without figures)."""
    found = public_outcomes_get(uuid, school_year)
    return contacts_trust_body(public_contacts_and_trust(found, timezone.localdate()), uuid)


@router.get("/public/outcomes/agencies/{uuid}/{school_year}", response={200: OutcomesOut, **ERROR_RESPONSES})
def public_agency_outcomes(request: HttpRequest, uuid: UUID, school_year: str) -> dict[str, Any]:
    """An agency's outcomes of a closed school year, when its admins published them: the stored release
    the agency's evaluators get, its records in every district it served (null where suppressed, named
    in each month's `hidden`)."""
    return public_outcomes_body(public_outcomes_get(uuid, school_year, owner="agency"), timezone.localdate())
