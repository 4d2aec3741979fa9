# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""API schemas for curricula, sessions, mentoring, liaison meetings, school calendars and presence."""

import datetime
from typing import Annotated
from uuid import UUID

from ninja import Field, FilterLookup, FilterSchema, Schema

from liaison.interactions.vocabulary import Setting, StaffRole

from .models import TEXT_MAX_LENGTH
from .vocabulary import (
    AttendeeRole,
    ConsentMethod,
    LiaisonMeetingKind,
    LiaisonMeetingStatus,
    MeetingTopic,
    RelationshipStatus,
    SessionStatus,
)

GRADE = Field(ge=-1, le=12, description="-1 is pre-K, 0 kindergarten.")


class CurriculumIn(Schema):
    agency: UUID | None = Field(None, description="Defaults to the caller's agency.")
    title: str = Field(min_length=1, max_length=200)
    topics: str = Field("", max_length=300)
    lowest_grade: int = GRADE
    highest_grade: int = GRADE
    lesson_count: int = Field(ge=1, le=100)
    materials_url: str = Field("", max_length=200)
    objectives: str = Field("", max_length=TEXT_MAX_LENGTH)
    active: bool = True


class CurriculumPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    topics: str | None = Field(None, max_length=300)
    lowest_grade: int | None = Field(None, ge=-1, le=12)
    highest_grade: int | None = Field(None, ge=-1, le=12)
    lesson_count: int | None = Field(None, ge=1, le=100)
    materials_url: str | None = Field(None, max_length=200)
    objectives: str | None = Field(None, max_length=TEXT_MAX_LENGTH)
    active: bool | None = None


class CurriculumOut(Schema):
    uuid: UUID
    agency: UUID = Field(alias="agency.uuid")
    title: str
    topics: str
    lowest_grade: int
    highest_grade: int
    lesson_count: int
    materials_url: str
    objectives: str
    active: bool


class SessionIn(Schema):
    officer: UUID | None = Field(None, description="Defaults to the caller's own officer profile.")
    school: UUID
    curriculum: UUID
    lesson_number: int | None = Field(None, ge=1, le=100)
    starts_at: datetime.datetime
    planned_minutes: int = Field(ge=5, le=480)
    class_name: str = Field(min_length=1, max_length=100, description="Class or grade; never a student's name.")
    grade: int | None = Field(None, ge=-1, le=12)
    co_teacher_role: StaffRole | None = None
    expected_students: int = Field(ge=0, le=2000)


class SessionPatch(Schema):
    school: UUID | None = None
    curriculum: UUID | None = None
    lesson_number: int | None = Field(None, ge=1, le=100)
    starts_at: datetime.datetime | None = None
    planned_minutes: int | None = Field(None, ge=5, le=480)
    class_name: str | None = Field(None, min_length=1, max_length=100)
    grade: int | None = Field(None, ge=-1, le=12)
    co_teacher_role: StaffRole | None = None
    expected_students: int | None = Field(None, ge=0, le=2000)


class DeliverIn(Schema):
    attendance: int = Field(ge=0, le=2000)
    delivered_minutes: int = Field(ge=1, le=480)
    reflection: str = Field("", max_length=500)


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class FeedbackOut(Schema):
    rating: int
    comment: str
    updated_at: datetime.datetime


class SessionOut(Schema):
    uuid: UUID
    school: UUID = Field(alias="school.uuid")
    school_name: str = Field(alias="school.name")
    officer: UUID = Field(alias="officer.uuid")
    curriculum: UUID = Field(alias="curriculum.uuid")
    curriculum_title: str = Field(alias="curriculum.title")
    lesson_number: int | None
    starts_at: datetime.datetime
    starts_on: datetime.date
    planned_minutes: int
    class_name: str
    grade: int | None
    co_teacher_role: str
    expected_students: int
    status: SessionStatus
    attendance: int | None
    delivered_minutes: int | None
    cancel_reason: str
    contact: UUID | None = Field(None, description="The classroom-instruction contact a delivered session counts as.")

    @staticmethod
    def resolve_contact(obj: object) -> UUID | None:
        interaction = getattr(obj, "interaction", None)
        return interaction.uuid if interaction is not None else None


class SessionDetailOut(SessionOut):
    reflection: str
    feedback: FeedbackOut | None = Field(
        None, alias="feedback_shown", description="Shown to the officer and the agency's supervisors only."
    )
    feedback_url: str | None = Field(
        None, alias="feedback_link", description="The teacher's link, for those who may change the session."
    )


class SessionFilters(FilterSchema):
    school: Annotated[UUID | None, FilterLookup("school__uuid")] = None
    officer: Annotated[UUID | None, FilterLookup("officer__uuid")] = None
    curriculum: Annotated[UUID | None, FilterLookup("curriculum__uuid")] = None
    status: SessionStatus | None = None
    since: Annotated[datetime.date | None, FilterLookup("starts_on__gte")] = None
    until: Annotated[datetime.date | None, FilterLookup("starts_on__lte")] = None


class RelationshipIn(Schema):
    officer: UUID | None = Field(None, description="Defaults to the caller's own officer profile.")
    school: UUID
    student_id: str = Field(
        min_length=1,
        max_length=64,
        description="The district's student id; turned into its pseudonymous key and discarded.",
    )
    started_on: datetime.date
    goals: str = Field("", max_length=TEXT_MAX_LENGTH)
    co_contact_name: str = Field(min_length=1, max_length=120, description="The school staff member co-contact.")
    co_contact_role: StaffRole
    consent_on: datetime.date
    school_consent_by: str = Field(min_length=1, max_length=120)
    guardian_consent_method: ConsentMethod


class StatusIn(Schema):
    status: RelationshipStatus
    reason: str = Field("", max_length=300)


class RelationshipOut(Schema):
    uuid: UUID
    school: UUID = Field(alias="school.uuid")
    officer: UUID = Field(alias="officer.uuid")
    student_key: str = Field(description="The district's pseudonymous key. Every read is audited.")
    started_on: datetime.date
    goals: str
    co_contact_name: str
    co_contact_role: str
    consent_on: datetime.date
    school_consent_by: str
    guardian_consent_method: str
    status: RelationshipStatus
    status_reason: str
    status_changed_on: datetime.date | None


class DosageOut(Schema):
    meetings: int
    minutes: int
    meetings_per_month: float
    months_active: float
    longest_gap_days: int
    last_met_on: datetime.date | None
    no_meeting_in_30_days: bool


class RelationshipDosageOut(RelationshipOut):
    dosage: DosageOut


class MeetingIn(Schema):
    met_at: datetime.datetime
    duration_minutes: int = Field(ge=1, le=480)
    setting: Setting
    topic: MeetingTopic


class MeetingOut(Schema):
    uuid: UUID
    met_at: datetime.datetime
    met_on: datetime.date
    duration_minutes: int
    setting: str
    topic: MeetingTopic
    voided: bool
    contact: UUID = Field(alias="interaction.uuid")


class LiaisonMeetingIn(Schema):
    school: UUID
    officer: UUID | None = None
    kind: LiaisonMeetingKind
    starts_at: datetime.datetime
    attendee_roles: list[AttendeeRole] = []
    attendee_count: int | None = Field(None, ge=0, le=5000)
    notes: str = Field("", max_length=TEXT_MAX_LENGTH)


class LiaisonHeldIn(Schema):
    attendee_roles: list[AttendeeRole] = Field(min_length=1)
    attendee_count: int | None = Field(None, ge=0, le=5000)
    notes: str = Field("", max_length=TEXT_MAX_LENGTH)


class NoticeOut(Schema):
    """An enforcement action an officer recorded with the key of a student they mentor. Names the two
    records, never the key."""

    uuid: UUID
    officer: UUID = Field(alias="officer.uuid")
    officer_name: str = Field(alias="officer.display_name")
    action: UUID = Field(alias="interaction.uuid")
    school: UUID = Field(alias="interaction.school.uuid")
    school_name: str = Field(alias="interaction.school.name")
    occurred_on: datetime.date = Field(alias="interaction.occurred_on")
    relationship: UUID = Field(alias="relationship.uuid")
    created_at: datetime.datetime
    acknowledged: bool
    acknowledged_at: datetime.datetime | None
    acknowledgement: str

    @staticmethod
    def resolve_acknowledged(obj: object) -> bool:
        return getattr(obj, "acknowledged_at", None) is not None


class NoticeAcknowledgeIn(Schema):
    note: str = Field("", max_length=500, description="What you did about it (optional; no names).")


class LiaisonMeetingOut(Schema):
    uuid: UUID
    school: UUID = Field(alias="school.uuid")
    officer: UUID | None = None
    kind: LiaisonMeetingKind
    starts_at: datetime.datetime
    status: LiaisonMeetingStatus
    attendee_roles: list[str]
    attendee_count: int | None
    notes: str

    @staticmethod
    def resolve_officer(obj: object) -> UUID | None:
        officer = getattr(obj, "officer", None)
        return officer.uuid if officer is not None else None


class BreakIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    first_day: datetime.date
    last_day: datetime.date


class SchoolCalendarIn(Schema):
    district: UUID
    school: UUID | None = Field(None, description="A school's own calendar, overriding its district's.")
    school_year: str = Field(pattern=r"^\d{4}-\d{4}$")
    first_day: datetime.date
    last_day: datetime.date
    breaks: list[BreakIn] = []


class SchoolCalendarOut(Schema):
    uuid: UUID
    district: UUID = Field(alias="district.uuid")
    school: UUID | None = None
    school_year: str
    first_day: datetime.date
    last_day: datetime.date
    breaks: list[BreakIn]

    @staticmethod
    def resolve_school(obj: object) -> UUID | None:
        school = getattr(obj, "school", None)
        return school.uuid if school is not None else None

    @staticmethod
    def resolve_breaks(obj: object) -> list[object]:
        return list(obj.breaks.all())  # type: ignore[attr-defined]


class SchoolPresenceOut(Schema):
    school: UUID
    school_name: str
    school_year: str
    as_of: datetime.date
    has_calendar: bool
    school_days: int | None
    school_weeks: int | None
    weeks_with_positive_contact: int | None
    share_of_weeks: float | None
    longest_gap_school_days: int | None
    longest_gap_first_day: datetime.date | None
    longest_gap_last_day: datetime.date | None
    positive_contacts: int | None
    enrollment: int | None
    contacts_per_100_students_per_month: float | None
    weekly_positive_contacts: dict[str, int] = Field(description="Monday of each school week so far → contacts.")
    current_tenure_days: int | None
    officers_last_3_years: int
    turnover_events_last_3_years: int


class RoleTimeOut(Schema):
    role: str
    contacts: int
    minutes: int
    contacts_with_duration: int
    share: float | None = Field(description="Share of minutes, or of contacts when no duration was recorded.")


class OfficerPresenceOut(Schema):
    officer: UUID
    officer_name: str
    since: datetime.date
    until: datetime.date
    basis: str = Field(description="minutes, counts, or mixed (some records lack a duration).")
    roles: list[RoleTimeOut]
