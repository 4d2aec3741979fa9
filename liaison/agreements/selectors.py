"""Reads about MOUs: where a version stands, what it lacks, what changed, and what needs attention.

Plain functions over model instances, shared by the pages, the API and the reminders command.
They read related rows through `.all()`, so a caller that prefetches (`versions`, `sections`,
`rules`) pays no extra queries. Only `mou_reminders` scopes by user; everything else trusts its
caller to have come through `agreements.access`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from django.db.models import Prefetch, QuerySet, Subquery, prefetch_related_objects
from django.http import Http404
from django.utils import timezone

from liaison.directory import access as directory_access
from liaison.directory.models import Agency, Assignment, District, School
from liaison.directory.selectors import agency_today, in_force_on
from liaison.interactions.models import EnforcementDetail
from liaison.interactions.vocabulary import ReasonCategory

from . import access
from .evaluation import (
    EvaluationResult,
    RuleFacts,
    action_facts,
    mou_evaluate,
    mou_facts,
    versions_covering,
    versions_in_force,
)
from .models import Agreement, AgreementVersion, Evaluation, Review, Rule, Signatory
from .vocabulary import REMINDER_WINDOW_DAYS, Element, ElementState, ReminderKind, VersionStatus

DIFFERENT_AGREEMENTS = "Only versions of the same MOU can be compared."
REVIEW_DUE = "The review of {title} (version {number}) is due on {due:%d %B %Y}."
REVIEW_OVERDUE = "The review of {title} (version {number}) was due on {due:%d %B %Y} and is overdue."
EXPIRING = "{title} (version {number}) expires on {due:%d %B %Y} and no signed version follows it."
NO_MOU = "{agency} has officers assigned at {school} but no MOU in force there."

ONE_DAY = datetime.timedelta(days=1)


# --- where a version stands --------------------------------------------------------------------------


def _key(version: AgreementVersion) -> tuple[datetime.date, int]:
    """Later versions win: by effective date, then number (as `evaluation.version_in_force` orders them)."""
    return version.effective_date, version.number


def _in_force_among(versions: Iterable[AgreementVersion], on: datetime.date) -> AgreementVersion | None:
    running = [
        v
        for v in versions
        if v.fully_signed_at is not None and v.effective_date <= on and (v.expiry_date is None or v.expiry_date >= on)
    ]
    return max(running, key=_key, default=None)


def _followed_without_gap(version: AgreementVersion, versions: Iterable[AgreementVersion], on: datetime.date) -> bool:
    """Whether a later signed version took effect by `on`, no later than the day after this one expired."""
    last_day = version.expiry_date + ONE_DAY if version.expiry_date is not None else on
    return any(
        v.fully_signed_at is not None and _key(v) > _key(version) and v.effective_date <= min(on, last_day)
        for v in versions
    )


def version_status(version: AgreementVersion, on: datetime.date) -> VersionStatus:
    """Where the version stands on the day.

    draft → awaiting_signatures (submitted, not every party signed) → signed (all signed, effective
    date not reached) → in_force → superseded or expired. In force is the agreement's latest signed
    version whose dates include the day, the version `evaluation.version_in_force` finds for the
    schools it covers. A signed version that no longer applies is *superseded* when a later signed
    version took over without a gap, and *expired* otherwise.
    """
    if version.submitted_at is None:
        return VersionStatus.DRAFT
    if version.fully_signed_at is None:
        return VersionStatus.AWAITING_SIGNATURES
    if version.effective_date > on:
        return VersionStatus.SIGNED
    siblings = list(version.agreement.versions.all())
    current = _in_force_among(siblings, on)
    if current is not None and current.pk == version.pk:
        return VersionStatus.IN_FORCE
    if _followed_without_gap(version, siblings, on):
        return VersionStatus.SUPERSEDED
    return VersionStatus.EXPIRED


def version_last_day(version: AgreementVersion, on: datetime.date) -> datetime.date | None:
    """The version's last day as it stands: its expiry date, or the day before a later signed version took
    over (a superseded version without an expiry date did end), or None for a version with no end in sight."""
    later = [
        v.effective_date
        for v in version.agreement.versions.all()
        if v.fully_signed_at is not None and _key(v) > _key(version) and v.effective_date <= on
    ]
    if version.fully_signed_at is not None and later:
        took_over = min(later) - ONE_DAY
        return min(took_over, version.expiry_date) if version.expiry_date is not None else took_over
    return version.expiry_date


def agreement_current_version(agreement: Agreement, on: datetime.date) -> AgreementVersion | None:
    """The agreement's version in force on the day, or None."""
    return _in_force_among(agreement.versions.all(), on)


def agreement_latest_version(agreement: Agreement) -> AgreementVersion:
    """The highest-numbered version: the one being drafted or signed, or the last one signed."""
    return max(agreement.versions.all(), key=lambda v: v.number)


def agreement_status(agreement: Agreement, on: datetime.date) -> VersionStatus:
    """In force when a version is; otherwise where its latest version stands."""
    current = agreement_current_version(agreement, on)
    return version_status(current or agreement_latest_version(agreement), on)


# --- completeness -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ElementCheck:
    element: str
    label: str
    state: ElementState


@dataclass(frozen=True)
class Completeness:
    """Each MOU element (in DOMAIN.md's order) and whether the version covers it."""

    elements: list[ElementCheck]

    @property
    def total(self) -> int:
        return len(self.elements)

    @property
    def present(self) -> int:
        return sum(check.state == ElementState.PRESENT for check in self.elements)

    @property
    def complete(self) -> bool:
        return self.present == self.total

    @property
    def gaps(self) -> list[ElementCheck]:
        return [check for check in self.elements if check.state != ElementState.PRESENT]


def _element_state(texts: dict[str, str], element: str) -> ElementState:
    if element not in texts:
        return ElementState.MISSING
    return ElementState.PRESENT if texts[element].strip() else ElementState.EMPTY


def version_completeness(version: AgreementVersion) -> Completeness:
    """Which elements have text (present), a section with no text (empty), or no section at all (missing)."""
    texts = {section.element: section.text for section in version.sections.all()}
    return Completeness(
        [ElementCheck(element, label, _element_state(texts, element)) for element, label in Element.choices]
    )


# --- what changed between two versions ----------------------------------------------------------------

Change = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class SectionChange:
    element: str
    label: str
    change: Change
    before: str
    after: str


@dataclass(frozen=True)
class RuleChange:
    category: str
    label: str
    change: Change
    before: RuleFacts | None
    after: RuleFacts | None


@dataclass(frozen=True)
class VersionDiff:
    """From `base` to `other`: sections in element order, rules in category order."""

    base: AgreementVersion
    other: AgreementVersion
    sections: list[SectionChange]
    rules: list[RuleChange]

    @property
    def unchanged(self) -> bool:
        return not self.sections and not self.rules


def _change(before: object | None, after: object | None) -> Change | None:
    if before == after:
        return None
    if before is None:
        return "added"
    return "removed" if after is None else "changed"


def rule_facts(rule: Rule) -> RuleFacts:
    return RuleFacts(
        category=rule.category,
        level=rule.level,
        consultation_required_for=tuple(rule.consultation_required_for),
        prohibited_actions=tuple(rule.prohibited_actions),
        note=rule.note,
    )


def _section_changes(base: AgreementVersion, other: AgreementVersion) -> list[SectionChange]:
    before = {s.element: s.text for s in base.sections.all()}
    after = {s.element: s.text for s in other.sections.all()}
    changes = []
    for element, label in Element.choices:
        change = _change(before.get(element), after.get(element))
        if change is not None:
            changes.append(SectionChange(element, label, change, before.get(element, ""), after.get(element, "")))
    return changes


def _rule_changes(base: AgreementVersion, other: AgreementVersion) -> list[RuleChange]:
    before = {r.category: rule_facts(r) for r in base.rules.all()}
    after = {r.category: rule_facts(r) for r in other.rules.all()}
    changes = []
    for category, label in ReasonCategory.choices:
        change = _change(before.get(category), after.get(category))
        if change is not None:
            changes.append(RuleChange(category, label, change, before.get(category), after.get(category)))
    return changes


def version_diff(base: AgreementVersion, other: AgreementVersion) -> VersionDiff:
    """What changed in sections and rules from `base` to `other` (two versions of one MOU)."""
    if base.agreement_id != other.agreement_id:
        raise ValueError(DIFFERENT_AGREEMENTS)
    return VersionDiff(base, other, _section_changes(base, other), _rule_changes(base, other))


# --- reviews --------------------------------------------------------------------------------------------


def review_age_days(review: Review, *, now: datetime.datetime | None = None) -> int:
    """Whole days a review has been open: until now, or until it was closed."""
    end = review.closed_at or now or timezone.now()
    return max((end - review.opened_at).days, 0)


# --- reminders --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    kind: ReminderKind
    due: datetime.date
    days_left: int
    message: str
    agency: Agency
    district: District
    agreement: Agreement | None = None
    version: AgreementVersion | None = None
    school: School | None = None


def _version_reminder(
    kind: ReminderKind, version: AgreementVersion, due: datetime.date, today: datetime.date
) -> Reminder:
    agreement = version.agreement
    template = {ReminderKind.EXPIRING: EXPIRING, ReminderKind.REVIEW_DUE: REVIEW_DUE}[kind]
    if kind == ReminderKind.REVIEW_DUE and due < today:
        template = REVIEW_OVERDUE
    return Reminder(
        kind=kind,
        due=due,
        days_left=(due - today).days,
        message=template.format(title=agreement.title, number=version.number, due=due),
        agency=agreement.agency,
        district=agreement.district,
        agreement=agreement,
        version=version,
    )


def _agreement_reminders(agreement: Agreement, today: datetime.date) -> list[Reminder]:
    """The version in force: its review due (or overdue) and its expiry, both within the window."""
    current = agreement_current_version(agreement, today)
    if current is None:
        return []
    horizon = today + datetime.timedelta(days=REMINDER_WINDOW_DAYS)
    found = []
    if current.review_due_date is not None and current.review_due_date <= horizon:
        found.append(_version_reminder(ReminderKind.REVIEW_DUE, current, current.review_due_date, today))
    expiry = current.expiry_date
    renewed = expiry is not None and _followed_without_gap(current, agreement.versions.all(), expiry + ONE_DAY)
    if expiry is not None and expiry <= horizon and not renewed:
        found.append(_version_reminder(ReminderKind.EXPIRING, current, expiry, today))
    return found


def _uncovered_pairs(assignments: QuerySet[Assignment], today: datetime.date) -> set[tuple[int, int]]:
    """(agency, school) pairs with an officer assigned today and no version in force for that agency there.

    The same rule as `evaluation.version_in_force`, asked once for all pairs instead of once per pair.
    """
    assigned = set(assignments.filter(in_force_on(today)).values_list("agency_id", "school_id"))
    covered = AgreementVersion.objects.filter(versions_in_force(on=today)).values_list(
        "agreement__agency_id", "schools"
    )
    return assigned - set(covered)


def _school_reminders(assignments: QuerySet[Assignment], today: datetime.date) -> list[Reminder]:
    pairs = _uncovered_pairs(assignments, today)
    agencies = Agency.objects.in_bulk({agency_id for agency_id, _ in pairs})
    schools = School.objects.select_related("district").in_bulk({school_id for _, school_id in pairs})
    return [
        Reminder(
            kind=ReminderKind.NO_MOU,
            due=today,
            days_left=0,
            message=NO_MOU.format(agency=agencies[agency_id].name, school=schools[school_id].name),
            agency=agencies[agency_id],
            district=schools[school_id].district,
            school=schools[school_id],
        )
        for agency_id, school_id in pairs
    ]


def _scoped(user: Any | None, agency: Agency | None) -> tuple[QuerySet[Agreement], QuerySet[Assignment]]:
    agreements = Agreement.objects.all() if user is None else access.agreements_visible_to(user)
    assignments = Assignment.objects.all()
    if user is not None:
        assignments = assignments.filter(
            school__in=directory_access.schools_visible_to(user),
            agency__in=directory_access.agencies_visible_to(user),
        )
    if agency is not None:
        agreements, assignments = agreements.filter(agency=agency), assignments.filter(agency=agency)
    return agreements, assignments


def mou_reminders(*, today: datetime.date, user: Any | None = None, agency: Agency | None = None) -> list[Reminder]:
    """What needs attention within REMINDER_WINDOW_DAYS: reviews due (or overdue), versions expiring
    with no signed successor, and schools with officers assigned today but no MOU in force for their
    agency. Scoped to what `user` may see (None: everything, for the daily command); `agency` narrows it.
    Soonest first.
    """
    agreements, assignments = _scoped(user, agency)
    agreements = agreements.select_related("agency", "district").prefetch_related("versions")
    found = [r for agreement in agreements for r in _agreement_reminders(agreement, today)]
    found += _school_reminders(assignments, today)
    return sorted(found, key=lambda r: (r.due, r.agency.name, r.district.name, r.school.name if r.school else ""))


# --- signatures awaited ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureAwaited:
    """A party that has not yet signed a version submitted for signature; `yours` when the viewer signs for it."""

    version: AgreementVersion
    party: str
    party_label: str
    waiting_since: datetime.datetime
    yours: bool


def signatures_awaited(user: Any) -> list[SignatureAwaited]:
    """Every unsigned party of a submitted version of an MOU the user may see, the viewer's own first,
    then the longest waiting."""
    pending = (
        Signatory.objects.filter(
            version__agreement__in=access.agreements_visible_to(user),
            version__submitted_at__isnull=False,
            version__fully_signed_at__isnull=True,
            signed_at__isnull=True,
        )
        .select_related("version__agreement")
        .order_by("version__submitted_at", "id")
    )
    found = [
        SignatureAwaited(
            version=s.version,
            party=s.party,
            party_label=s.get_party_display(),
            waiting_since=s.version.submitted_at,  # type: ignore[arg-type]
            yours=access.may_sign(user, s.version, s.party),
        )
        for s in pending
    ]
    return sorted(found, key=lambda s: (not s.yours, s.waiting_since))


# --- the public page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedMou:
    agreement: Agreement
    version: AgreementVersion


def published_in_force() -> list[PublishedMou]:
    """Every published agreement with a version in force today (the agency's today), by agency."""
    agreements = (
        Agreement.objects.filter(published=True)
        .select_related("agency", "district")
        .prefetch_related("versions__signatories")
        .order_by("agency__state", "agency__name", "district__name")
    )
    found = []
    for agreement in agreements:
        version = agreement_current_version(agreement, agency_today(agreement.agency))
        if version is not None:
            found.append(PublishedMou(agreement, version))
    return found


def published_version(uuid: UUID) -> AgreementVersion:
    """The version in force of a published agreement (404 when unpublished, unknown or none in force)."""
    agreement = Agreement.objects.select_related("agency", "district").filter(uuid=uuid, published=True).first()
    version = agreement_current_version(agreement, agency_today(agreement.agency)) if agreement else None
    if version is None:
        raise Http404
    return version


# --- an action's judgment ------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgment:
    """How an enforcement action stands against the MOU: the kept evaluation, every evaluation made
    (oldest first), its review, and what a version signed after the action was recorded would say
    of it (shown beside the kept judgment, never instead of it)."""

    kept: Evaluation
    history: list[Evaluation]
    review: Review | None
    later: EvaluationResult | None


def action_judgment(*, interaction: Any) -> Judgment | None:
    """The judgment of an enforcement action (None when it has never been evaluated), in one query
    unless a version signed since covers the action's day."""
    in_force_now = versions_covering(
        agency_id=interaction.agency_id, school_id=interaction.school_id, on=interaction.occurred_on
    )
    evaluations = (
        Evaluation.objects.filter(interaction=interaction)
        .select_related("version", "interaction__review")
        .annotate(in_force_now=Subquery(in_force_now.values("pk")[:1]))
    )
    history = list(evaluations.order_by("pk"))
    if not history:
        return None
    kept = history[-1]
    review = getattr(kept.interaction, "review", None)
    later = None
    in_force = getattr(kept, "in_force_now", None)
    if in_force is not None and in_force != kept.version_id:
        later = _later_view(interaction, AgreementVersion.objects.get(pk=in_force))
    return Judgment(kept=kept, history=history, review=review, later=later)


def _later_view(interaction: Any, version: AgreementVersion) -> EvaluationResult:
    """What a version signed after the action was recorded would say of it."""
    facts = action_facts(
        agency_id=interaction.agency_id,
        school_id=interaction.school_id,
        on=interaction.occurred_on,
        details=interaction.enforcement,
    )
    return mou_evaluate(facts, mou_facts(version))


# --- for the MOU pages and API (they reach models only through here) ----------------------------------


def agreements_of(owner_kind: str, owner: Agency | District) -> QuerySet[Agreement]:
    """The MOUs an agency or a district (`owner_kind` "agency" or "district") is party to."""
    return Agreement.objects.filter(**{owner_kind: owner})


def agreements_with_versions(agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """With their parties and their versions (each with its sections) loaded."""
    versions = AgreementVersion.objects.prefetch_related("sections")
    return agreements.select_related("agency", "district").prefetch_related(Prefetch("versions", queryset=versions))


def agreement_versions_loaded(agreement: Agreement) -> list[AgreementVersion]:
    """The MOU's versions, newest first, each with its sections and its agreement in memory."""
    versions = AgreementVersion.objects.prefetch_related("sections").order_by("-number")
    prefetch_related_objects([agreement], Prefetch("versions", queryset=versions))
    return list(agreement.versions.all())


def review_action_facts(review: Review) -> EnforcementDetail:
    """The action's facts a reviewer needs: never the student's demographics or key."""
    return (
        EnforcementDetail.objects.filter(interaction_id=review.interaction_id)
        .select_related("interaction__officer__user")
        .only(
            "action_type",
            "reason_category",
            "nibrs_code",
            "requested_by",
            "admin_consulted",
            "admin_consulted_role",
            "interaction__kind",
            "interaction__uuid",
            "interaction__occurred_at",
            "interaction__occurred_on",
            "interaction__setting",
            "interaction__officer__rank",
            "interaction__officer__user__first_name",
            "interaction__officer__user__last_name",
            "interaction__officer__user__username",
        )  # fmt: skip
        .get()
    )


def review_evaluation_rule(review: Review) -> tuple[Evaluation | None, Rule | None]:
    """The kept judgment of the reviewed action, and the MOU's rule it applied (if it applied one)."""
    evaluation = Evaluation.objects.select_related("version").filter(interaction_id=review.interaction_id).kept_one()
    if evaluation is None or evaluation.version is None or not evaluation.category:
        return evaluation, None
    return evaluation, Rule.objects.filter(version=evaluation.version, category=evaluation.category).first()


def owner_reminders(*, user: Any, owner: Agency | District, today: datetime.date) -> list[Reminder]:
    """The reminders an agency's or a district's MOU dashboard shows."""
    if isinstance(owner, Agency):
        return mou_reminders(today=today, user=user, agency=owner)
    return [r for r in mou_reminders(today=today, user=user) if r.district.pk == owner.pk]
