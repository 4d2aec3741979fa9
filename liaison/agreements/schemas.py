# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""Typed API schemas for MOUs, their versions, evaluation, reviews and reminders."""

import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from django.db.models import Q
from django.utils import timezone
from ninja import Field, FilterLookup, FilterSchema, Schema

from liaison.directory.selectors import agency_today
from liaison.interactions.vocabulary import ActionType, Kind, ReasonCategory, RequestedBy

from . import selectors
from .evaluation import EvaluationResult, level_meaning
from .models import Agreement, AgreementVersion, Review, Signatory
from .vocabulary import Element, ElementState, Finding, Level, Outcome, ReminderKind, VersionStatus


def _today(version: AgreementVersion) -> datetime.date:
    """Status is reckoned on the agency's own calendar day."""
    return agency_today(version.agreement.agency)


# --- versions -------------------------------------------------------------------------------------


class VersionSummaryOut(Schema):
    uuid: UUID
    number: int
    status: VersionStatus
    effective_date: datetime.date
    expiry_date: datetime.date | None
    review_due_date: datetime.date | None
    submitted_at: datetime.datetime | None
    fully_signed_at: datetime.datetime | None

    @staticmethod
    def resolve_status(obj: AgreementVersion) -> str:
        return selectors.version_status(obj, _today(obj))


class SchoolRefOut(Schema):
    uuid: UUID
    name: str


class SectionOut(Schema):
    element: Element
    label: str
    text: str

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return Element(obj.element).label


class RuleOut(Schema):
    """A rule as stored, or as the evaluation used it."""

    category: ReasonCategory
    category_label: str
    level: Level
    level_label: str
    level_meaning: str
    consultation_required_for: list[ActionType]
    prohibited_actions: list[ActionType]
    note: str

    @staticmethod
    def resolve_category_label(obj: Any) -> str:
        return ReasonCategory(obj.category).label

    @staticmethod
    def resolve_level_label(obj: Any) -> str:
        return Level(obj.level).label

    @staticmethod
    def resolve_level_meaning(obj: Any) -> str:
        return level_meaning(obj.level)

    @staticmethod
    def resolve_consultation_required_for(obj: Any) -> list[str]:
        return list(obj.consultation_required_for)

    @staticmethod
    def resolve_prohibited_actions(obj: Any) -> list[str]:
        return list(obj.prohibited_actions)


class SignatoryOut(Schema):
    party: Signatory.Party
    party_label: str
    signed: bool
    signed_by: str | None = Field(None, description="Username of the person who signed.")
    signed_by_name: str | None
    signed_at: datetime.datetime | None
    signed_hash: str = Field(description="The version's content hash at signing (SHA-256).")

    @staticmethod
    def resolve_party_label(obj: Signatory) -> str:
        return obj.get_party_display()

    @staticmethod
    def resolve_signed(obj: Signatory) -> bool:
        return obj.signed_at is not None

    @staticmethod
    def resolve_signed_by(obj: Signatory) -> str | None:
        return obj.signed_by.get_username() if obj.signed_by else None

    @staticmethod
    def resolve_signed_by_name(obj: Signatory) -> str | None:
        return obj.signed_by.get_full_name() if obj.signed_by else None


class ElementCheckOut(Schema):
    element: Element
    label: str
    state: ElementState


class CompletenessOut(Schema):
    complete: bool
    present: int
    total: int
    elements: list[ElementCheckOut]


class VersionDetailOut(VersionSummaryOut):
    agreement: UUID = Field(alias="agreement.uuid")
    agreement_title: str = Field(alias="agreement.title")
    title: str = Field(description="The title this version shows and signs (the agreement's, when it was drafted).")
    content_hash: str = Field(description="SHA-256 of the content signed; empty while a draft.")
    hash_scheme: int = Field(description="What the hash covers: 1 dates, schools, sections and rules; 2 the title too.")
    schools: list[SchoolRefOut]
    sections: list[SectionOut]
    rules: list[RuleOut]
    signatories: list[SignatoryOut]
    completeness: CompletenessOut

    @staticmethod
    def resolve_schools(obj: AgreementVersion) -> list[Any]:
        return list(obj.schools.order_by("name"))

    @staticmethod
    def resolve_sections(obj: AgreementVersion) -> list[Any]:
        order = {element: i for i, element in enumerate(Element.values)}
        return sorted(obj.sections.all(), key=lambda s: order.get(s.element, len(order)))

    @staticmethod
    def resolve_rules(obj: AgreementVersion) -> list[Any]:
        order = {category: i for i, category in enumerate(ReasonCategory.values)}
        return sorted(obj.rules.all(), key=lambda r: order.get(r.category, len(order)))

    @staticmethod
    def resolve_signatories(obj: AgreementVersion) -> list[Any]:
        order = {party: i for i, party in enumerate(Signatory.Party.values)}
        return sorted(obj.signatories.select_related("signed_by"), key=lambda s: order.get(s.party, len(order)))

    @staticmethod
    def resolve_completeness(obj: AgreementVersion) -> selectors.Completeness:
        return selectors.version_completeness(obj)


class VersionPatch(Schema):
    effective_date: datetime.date | None = None
    expiry_date: datetime.date | None = None
    review_due_date: datetime.date | None = None
    schools: list[UUID] | None = Field(None, description="Every school the version covers (replaces the list).")


class SectionIn(Schema):
    text: str = Field(max_length=50_000)


class RuleIn(Schema):
    level: Level
    consultation_required_for: list[ActionType] = Field(
        [], description="Actions that need a school administrator consulted first."
    )
    prohibited_actions: list[ActionType] = Field([], description="Actions never within the MOU for this category.")
    note: str = Field("", max_length=300)


class SignIn(Schema):
    party: Signatory.Party


class SubmitIn(Schema):
    acknowledge_missing: bool = Field(
        False, description="Submit although some MOU elements are missing or empty (recorded in the audit log)."
    )


class NewVersionIn(Schema):
    effective_date: datetime.date


class DiffQuery(Schema):
    against: UUID = Field(description="The version to compare with (the base).")


class VersionRefOut(Schema):
    uuid: UUID
    number: int


class SectionChangeOut(Schema):
    element: Element
    label: str
    change: Literal["added", "removed", "changed"]
    before: str
    after: str


class RuleChangeOut(Schema):
    category: ReasonCategory
    label: str
    change: Literal["added", "removed", "changed"]
    before: RuleOut | None
    after: RuleOut | None


class DiffOut(Schema):
    """What changed from `base` (the `against` version) to `other` (the version in the path)."""

    base: VersionRefOut
    other: VersionRefOut
    sections: list[SectionChangeOut]
    rules: list[RuleChangeOut]


# --- agreements --------------------------------------------------------------------------------------


class AgreementOut(Schema):
    uuid: UUID
    title: str
    published: bool
    figures_published: bool = Field(description="The program's figures (small counts suppressed) are public too.")
    partnership: UUID = Field(alias="partnership.uuid")
    agency: UUID = Field(alias="agency.uuid")
    agency_name: str = Field(alias="agency.name")
    district: UUID = Field(alias="district.uuid")
    district_name: str = Field(alias="district.name")
    status: VersionStatus = Field(description="In force when a version is; otherwise the latest version's status.")
    in_force: VersionSummaryOut | None = Field(description="The version in force today.")
    latest: VersionSummaryOut

    @staticmethod
    def resolve_status(obj: Agreement) -> str:
        return selectors.agreement_status(obj, agency_today(obj.agency))

    @staticmethod
    def resolve_in_force(obj: Agreement) -> AgreementVersion | None:
        return selectors.agreement_current_version(obj, agency_today(obj.agency))

    @staticmethod
    def resolve_latest(obj: Agreement) -> AgreementVersion:
        return selectors.agreement_latest_version(obj)


class AgreementDetailOut(AgreementOut):
    versions: list[VersionSummaryOut]

    @staticmethod
    def resolve_versions(obj: Agreement) -> list[AgreementVersion]:
        return sorted(obj.versions.all(), key=lambda v: -v.number)


class AgreementFilters(FilterSchema):
    agency: Annotated[UUID | None, FilterLookup("agency__uuid")] = None
    district: Annotated[UUID | None, FilterLookup("district__uuid")] = None


class AgreementIn(Schema):
    partnership: UUID
    title: str = Field(min_length=1, max_length=200)
    effective_date: datetime.date = Field(description="The day the first version takes effect.")
    expiry_date: datetime.date | None = None


class AgreementPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    published: bool | None = None
    figures_published: bool | None = Field(None, description="Only with published; unpublishing clears it.")


# --- evaluation ---------------------------------------------------------------------------------------


class EvaluateIn(Schema):
    action_type: ActionType
    reason_category: ReasonCategory
    school: UUID
    date: datetime.date = Field(description="The day of the action: the MOU in force that day applies.")
    admin_consulted: bool = False
    requested_by: RequestedBy
    agency: UUID | None = Field(None, description="The officer's agency; default: your agency.")


class DecidingSectionOut(Schema):
    element: Element
    label: str
    text: str


class MouRefOut(Schema):
    uuid: UUID
    number: int
    title: str


class EvaluationOut(Schema):
    """A dry run: what the MOU in force says about the action. Nothing is recorded."""

    outcome: Outcome
    outcome_label: str
    explanation: str
    needs_review: bool
    rule: RuleOut | None
    section: DecidingSectionOut | None
    mou: MouRefOut | None

    @staticmethod
    def resolve_outcome_label(obj: EvaluationResult) -> str:
        return Outcome(obj.outcome).label

    @staticmethod
    def resolve_section(obj: EvaluationResult) -> dict[str, str] | None:
        if not obj.section_element:
            return None
        return {"element": obj.section_element, "label": Element(obj.section_element).label, "text": obj.section_text}

    @staticmethod
    def resolve_mou(obj: EvaluationResult) -> dict[str, Any] | None:
        if obj.mou is None:
            return None
        return {"uuid": obj.mou.version_uuid, "number": obj.mou.number, "title": obj.mou.title}


# --- reviews --------------------------------------------------------------------------------------------


class ReviewFilters(FilterSchema):
    status: Literal["open", "closed"] | None = None
    school: Annotated[UUID | None, FilterLookup("school__uuid")] = None
    outcome: Outcome | None = None

    def filter_status(self, value: str | None) -> Q:
        if value is None:
            return Q()
        return Q(closed_at__isnull=value == "open")


class ReviewOut(Schema):
    uuid: UUID
    agency: UUID = Field(alias="agency.uuid")
    school: UUID = Field(alias="school.uuid")
    school_name: str = Field(alias="school.name")
    outcome: Outcome
    outcome_label: str
    justification: str
    opened_at: datetime.datetime
    age_days: int = Field(description="Days open: until now, or until it was closed.")
    status: Literal["open", "closed"]
    finding: Finding | None
    finding_label: str | None
    closed_at: datetime.datetime | None

    @staticmethod
    def resolve_outcome_label(obj: Review) -> str:
        return obj.get_outcome_display()

    @staticmethod
    def resolve_age_days(obj: Review) -> int:
        return selectors.review_age_days(obj, now=timezone.now())

    @staticmethod
    def resolve_status(obj: Review) -> str:
        return "open" if obj.closed_at is None else "closed"

    @staticmethod
    def resolve_finding(obj: Review) -> str | None:
        return obj.finding or None

    @staticmethod
    def resolve_finding_label(obj: Review) -> str | None:
        return obj.get_finding_display() if obj.finding else None


class ReviewActionOut(Schema):
    """What was done and why; never who the student was."""

    uuid: UUID
    kind: Kind
    action_type: ActionType = Field(alias="enforcement.action_type")
    action_type_label: str
    reason_category: ReasonCategory = Field(alias="enforcement.reason_category")
    reason_label: str
    requested_by: RequestedBy = Field(alias="enforcement.requested_by")
    admin_consulted: bool = Field(alias="enforcement.admin_consulted")
    occurred_at: datetime.datetime
    officer_name: str = Field(alias="officer.display_name")

    @staticmethod
    def resolve_action_type_label(obj: Any) -> str:
        return obj.enforcement.get_action_type_display()

    @staticmethod
    def resolve_reason_label(obj: Any) -> str:
        return obj.enforcement.get_reason_category_display()


class CommentOut(Schema):
    author: str
    author_name: str
    text: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return obj.author.get_username()

    @staticmethod
    def resolve_author_name(obj: Any) -> str:
        return obj.author.get_full_name()


class ReviewDetailOut(ReviewOut):
    action: ReviewActionOut = Field(alias="interaction")
    explanation: str = Field(description="Why the action was flagged, from its kept evaluation.")
    closed_by: str | None
    comments: list[CommentOut]

    @staticmethod
    def resolve_explanation(obj: Review) -> str:
        evaluation = obj.interaction.mou_evaluations.kept_one()
        return evaluation.explanation if evaluation is not None else ""

    @staticmethod
    def resolve_closed_by(obj: Review) -> str | None:
        return obj.closed_by.get_username() if obj.closed_by else None

    @staticmethod
    def resolve_comments(obj: Review) -> list[Any]:
        return list(obj.comments.select_related("author"))


class CommentIn(Schema):
    text: str = Field(min_length=1, max_length=5000)


class CloseIn(Schema):
    finding: Finding
    comment: str = Field("", max_length=5000)


# --- reminders -------------------------------------------------------------------------------------------


class ReminderOut(Schema):
    kind: ReminderKind
    kind_label: str
    message: str
    due: datetime.date
    days_left: int = Field(description="Negative when overdue.")
    agency: UUID = Field(alias="agency.uuid")
    agency_name: str = Field(alias="agency.name")
    district: UUID = Field(alias="district.uuid")
    district_name: str = Field(alias="district.name")
    agreement: UUID | None
    version: UUID | None
    version_number: int | None
    school: UUID | None
    school_name: str | None

    @staticmethod
    def resolve_kind_label(obj: selectors.Reminder) -> str:
        return ReminderKind(obj.kind).label

    @staticmethod
    def resolve_agreement(obj: selectors.Reminder) -> UUID | None:
        return obj.agreement.uuid if obj.agreement else None

    @staticmethod
    def resolve_version(obj: selectors.Reminder) -> UUID | None:
        return obj.version.uuid if obj.version else None

    @staticmethod
    def resolve_version_number(obj: selectors.Reminder) -> int | None:
        return obj.version.number if obj.version else None

    @staticmethod
    def resolve_school(obj: selectors.Reminder) -> UUID | None:
        return obj.school.uuid if obj.school else None

    @staticmethod
    def resolve_school_name(obj: selectors.Reminder) -> str | None:
        return obj.school.name if obj.school else None


class RemindersQuery(Schema):
    on: datetime.date | None = Field(None, description="The day to look ahead from; default: today.")


class RemindersOut(Schema):
    on: datetime.date
    reminders: list[ReminderOut]


# --- the MOU dashboard ---------------------------------------------------------------------------


class DashboardQuery(Schema):
    start: datetime.date | None = Field(
        None, description="First day counted; default: the first of the month 11 months ago."
    )
    end: datetime.date | None = Field(None, description="Last day counted; default: today.")


class DashboardAgreementOut(AgreementOut):
    completeness: CompletenessOut = Field(description="Of the latest version.")

    @staticmethod
    def resolve_completeness(obj: Agreement) -> Any:
        return selectors.version_completeness(selectors.agreement_latest_version(obj))


class OwnerOut(Schema):
    kind: Literal["agency", "district"]
    uuid: UUID
    name: str


class PeriodOut(Schema):
    start: datetime.date
    end: datetime.date


class MonthOutcomesOut(Schema):
    month: datetime.date = Field(description="The month's first day.")
    within_mou: int
    outside_mou: int
    no_mou_in_force: int
    total: int


class SchoolOutcomesOut(Schema):
    school: str
    months: list[MonthOutcomesOut]
    total: int


class OpenReviewsOut(Schema):
    count: int
    oldest_days: int | None = Field(description="Whole days the oldest open review has waited.")


class CategoryCountOut(Schema):
    category: str = Field(description="A reason category (the MOU's behaviour categories).")
    label: str
    count: int


class ArrestsOut(Schema):
    arrests: int
    administrator_consulted: int
    percent: int | None = Field(description="Rounded; null when there were no arrests (never 0%).")


class DashboardOut(Schema):
    owner: OwnerOut
    period: PeriodOut
    agreements: list[DashboardAgreementOut]
    outcomes_by_school: list[SchoolOutcomesOut] = Field(
        description="Enforcement actions by MOU outcome, per school and month with actions."
    )
    open_reviews: OpenReviewsOut = Field(description="Open now, whatever the period.")
    categories_outside: list[CategoryCountOut] = Field(
        description="The behaviour categories most often outside the MOU."
    )
    arrests: ArrestsOut = Field(description="School-related arrests where an administrator was consulted first.")
