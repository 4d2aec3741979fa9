# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""Typed API schemas for the directory: what goes in and what comes out."""

import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from django.db.models import Q
from ninja import Field, FilterLookup, FilterSchema, Schema
from pydantic import field_validator

from .models import ENROLLMENT_FIELDS, AgencyKind, Grade, OfficerStatus, School, SchoolLevel, TrainingCourse


class AgencyOut(Schema):
    uuid: UUID
    name: str
    kind: AgencyKind
    state: str
    ori: str
    time_zone: str


class AgencyIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: AgencyKind
    state: str = Field(min_length=2, max_length=2)
    ori: str
    time_zone: str = "America/New_York"


class AgencyPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: AgencyKind | None = None
    state: str | None = Field(None, min_length=2, max_length=2)
    ori: str | None = None
    time_zone: str | None = None


class AgencyFilters(FilterSchema):
    state: str | None = None
    kind: AgencyKind | None = None
    q: Annotated[str | None, FilterLookup("name__icontains")] = None


class DistrictOut(Schema):
    uuid: UUID
    name: str
    state: str
    nces_id: str


class DistrictIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    state: str = Field(min_length=2, max_length=2)
    nces_id: str


class DistrictPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    state: str | None = Field(None, min_length=2, max_length=2)
    nces_id: str | None = None


class EnrollmentCounts(Schema):
    total: int = Field(ge=0)
    hispanic_latino: int | None = Field(None, ge=0)
    american_indian_alaska_native: int | None = Field(None, ge=0)
    asian: int | None = Field(None, ge=0)
    native_hawaiian_pacific_islander: int | None = Field(None, ge=0)
    black: int | None = Field(None, ge=0)
    white: int | None = Field(None, ge=0)
    two_or_more_races: int | None = Field(None, ge=0)
    male: int | None = Field(None, ge=0)
    female: int | None = Field(None, ge=0)
    nonbinary: int | None = Field(None, ge=0)
    disability_idea: int | None = Field(None, ge=0)
    disability_504_only: int | None = Field(None, ge=0)
    english_learner: int | None = Field(None, ge=0)


assert set(EnrollmentCounts.model_fields) == {"total", *ENROLLMENT_FIELDS}


class EnrollmentOut(EnrollmentCounts):
    school_year: str
    source: str


class SchoolOut(Schema):
    uuid: UUID
    district: UUID = Field(alias="district.uuid")
    district_name: str = Field(alias="district.name")
    name: str
    nces_id: str
    level: SchoolLevel
    lowest_grade: Grade
    highest_grade: Grade
    address: str


class SchoolDetailOut(SchoolOut):
    enrollment: list[EnrollmentOut]

    @staticmethod
    def resolve_enrollment(obj: School) -> list[Any]:
        return list(obj.enrollments.order_by("-school_year"))


class SchoolIn(Schema):
    district: UUID
    name: str = Field(min_length=1, max_length=200)
    nces_id: str
    level: SchoolLevel
    lowest_grade: Grade
    highest_grade: Grade
    address: str = Field("", max_length=300)


class SchoolPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    nces_id: str | None = None
    level: SchoolLevel | None = None
    lowest_grade: Grade | None = None
    highest_grade: Grade | None = None
    address: str | None = Field(None, max_length=300)


class SchoolFilters(FilterSchema):
    district: Annotated[UUID | None, FilterLookup("district__uuid")] = None
    level: SchoolLevel | None = None
    q: Annotated[str | None, FilterLookup("name__icontains")] = None


class PartnershipOut(Schema):
    uuid: UUID
    agency: UUID = Field(alias="agency.uuid")
    agency_name: str = Field(alias="agency.name")
    district: UUID = Field(alias="district.uuid")
    district_name: str = Field(alias="district.name")
    start_date: datetime.date
    end_date: datetime.date | None


class PartnershipIn(Schema):
    agency: UUID
    district: UUID
    start_date: datetime.date
    end_date: datetime.date | None = None


class PartnershipPatch(Schema):
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None


class OfficerOut(Schema):
    uuid: UUID
    agency: UUID = Field(alias="agency.uuid")
    username: str = Field(alias="user.username")
    first_name: str = Field(alias="user.first_name")
    last_name: str = Field(alias="user.last_name")
    badge_number: str
    rank: str
    languages: list[str]
    status: OfficerStatus


class OfficerIn(Schema):
    agency: UUID
    username: str = Field(min_length=1, max_length=150)
    first_name: str = Field(min_length=1, max_length=150)
    last_name: str = Field(min_length=1, max_length=150)
    email: str = Field("", max_length=254)
    badge_number: str = Field(min_length=1, max_length=32)
    rank: str = Field("", max_length=64)
    languages: list[str] = []
    status: OfficerStatus = OfficerStatus.ACTIVE

    @field_validator("languages")
    @classmethod
    def _short_codes(cls, value: list[str]) -> list[str]:
        if any(not item or len(item) > 35 for item in value):
            raise ValueError("Each language is a name or code of 1 to 35 characters.")
        return value


class OfficerPatch(Schema):
    first_name: str | None = Field(None, min_length=1, max_length=150)
    last_name: str | None = Field(None, min_length=1, max_length=150)
    email: str | None = Field(None, max_length=254)
    badge_number: str | None = Field(None, min_length=1, max_length=32)
    rank: str | None = Field(None, max_length=64)
    languages: list[str] | None = None
    status: OfficerStatus | None = None


class OfficerFilters(FilterSchema):
    agency: Annotated[UUID | None, FilterLookup("agency__uuid")] = None
    status: OfficerStatus | None = None


class TrainingRequirementOut(Schema):
    course: TrainingCourse
    minimum_hours: Decimal


class TrainingRequirementsIn(Schema):
    requirements: list[TrainingRequirementOut] = Field(
        description="Every course the agency requires, with its minimum hours; a course left out is no longer required."
    )


class TrainingRecordOut(Schema):
    uuid: UUID
    officer: UUID = Field(alias="officer.uuid")
    course: TrainingCourse
    title: str
    provider: str
    hours: Decimal
    completed_on: datetime.date


class TrainingRecordIn(Schema):
    officer: UUID
    course: TrainingCourse
    title: str = Field("", max_length=200)
    provider: str = Field("", max_length=200)
    hours: Decimal = Field(gt=0, le=999, decimal_places=1)
    completed_on: datetime.date


class TrainingRecordPatch(Schema):
    course: TrainingCourse | None = None
    title: str | None = Field(None, max_length=200)
    provider: str | None = Field(None, max_length=200)
    hours: Decimal | None = Field(None, gt=0, le=999, decimal_places=1)
    completed_on: datetime.date | None = None


class TrainingFilters(FilterSchema):
    officer: Annotated[UUID | None, FilterLookup("officer__uuid")] = None
    course: TrainingCourse | None = None


class AssignmentOut(Schema):
    uuid: UUID
    officer: UUID = Field(alias="officer.uuid")
    officer_name: str = Field(alias="officer.display_name")
    school: UUID = Field(alias="school.uuid")
    school_name: str = Field(alias="school.name")
    start_date: datetime.date
    end_date: datetime.date | None
    share_of_time: int


class AssignmentIn(Schema):
    officer: UUID
    school: UUID
    start_date: datetime.date
    end_date: datetime.date | None = None
    share_of_time: int = Field(100, ge=1, le=100)


class AssignmentPatch(Schema):
    """Assignments keep their history: the only change is ending one."""

    end_date: datetime.date


class AssignmentFilters(FilterSchema):
    officer: Annotated[UUID | None, FilterLookup("officer__uuid")] = None
    school: Annotated[UUID | None, FilterLookup("school__uuid")] = None
    active_on: datetime.date | None = None

    def filter_active_on(self, value: datetime.date | None) -> Q:
        if value is None:
            return Q()
        return Q(start_date__lte=value) & (Q(end_date__isnull=True) | Q(end_date__gte=value))


class CoverageQuery(Schema):
    on: datetime.date | None = Field(None, description="The day to report on; default: today at the agency.")


class CoverageSchoolOut(Schema):
    uuid: UUID
    name: str
    district: UUID = Field(alias="district.uuid")
    district_name: str = Field(alias="district.name")


class TrainingGapOut(Schema):
    course: TrainingCourse
    course_name: str
    required_hours: Decimal
    completed_hours: Decimal
    missing_hours: Decimal


class OfficerTrainingGapsOut(Schema):
    officer: UUID = Field(alias="officer.uuid")
    officer_name: str = Field(alias="officer.display_name")
    gaps: list[TrainingGapOut]


class CoverageOut(Schema):
    """Schools the agency serves with no officer assigned on the day; assigned officers lacking training."""

    on: datetime.date
    schools_without_officer: list[CoverageSchoolOut]
    officers_lacking_training: list[OfficerTrainingGapsOut]
