"""Evaluating an enforcement action against the MOU in force at that school on that day.

`mou_evaluate` is pure: it takes the action's facts and the MOU's rules and returns the outcome
with the rule and section text that decided it. `mou_in_force` is the one read that finds the MOU:
the version effective on the day the action occurred, among the versions whose last signature came
before the action was recorded. A version signed later, even one effective from an earlier date,
never judges an action already recorded (its judgment is kept; see docs/mou.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from liaison.interactions.vocabulary import ReasonCategory, RequestedBy

from .models import AgreementVersion
from .vocabulary import LEVEL_MEANING, Element, Level, Outcome

NO_MOU_IN_FORCE = "No MOU between this agency and the school's district is in force on this date."
NO_RULE = "The MOU has no rule for this behaviour category, so enforcement is not within it."
SCHOOL_ONLY = "Under the MOU this category is school discipline only: the officer takes no enforcement action."
ASSIST_NOT_REQUESTED = "Under the MOU the officer assists only at an administrator's request."
ASSIST_NOT_ENFORCEMENT = "Under the MOU the officer may help keep people safe here, but not take enforcement action."
PROHIBITED = "The MOU rules out this action for this category."
CONSULTATION_MISSING = "The MOU requires a school administrator to be consulted before this action."
WITHIN = "The MOU allows this action for this category."
WITHIN_MUST_ACT = "An imminent threat: the MOU expects the officer to act."


@dataclass(frozen=True)
class ActionFacts:
    action_type: str
    reason_category: str
    agency_id: int
    school_id: int
    on: datetime.date
    admin_consulted: bool
    requested_by: str
    # When Liaison recorded the action: only versions fully signed before then may judge it.
    recorded_at: datetime.datetime


# The enforcement details an evaluation reads.
DETAIL_FACTS = ("action_type", "reason_category", "admin_consulted", "requested_by")


def action_facts(
    *,
    agency_id: int,
    school_id: int,
    on: datetime.date,
    details: Mapping[str, Any] | object,
    recorded_at: datetime.datetime | None = None,
) -> ActionFacts:
    """The one builder of the facts an MOU judges, from a form's cleaned data, an API payload, an
    import row or a stored record's details (a mapping or an object with those attributes).

    `on` is the day the action occurred in the agency's zone (`lib.local_days.local_day`);
    `recorded_at` is when Liaison recorded it (now, for an action about to be saved or previewed)."""
    values: dict[str, Any] = {
        name: details[name] if isinstance(details, Mapping) else getattr(details, name) for name in DETAIL_FACTS
    }
    return ActionFacts(
        agency_id=agency_id,
        school_id=school_id,
        on=on,
        recorded_at=recorded_at or timezone.now(),
        **values,
    )


@dataclass(frozen=True)
class RuleFacts:
    category: str
    level: str
    consultation_required_for: tuple[str, ...] = ()
    prohibited_actions: tuple[str, ...] = ()
    note: str = ""

    @property
    def category_label(self) -> str:
        return str(ReasonCategory(self.category).label) if self.category in ReasonCategory.values else self.category

    @property
    def level_label(self) -> str:
        return str(Level(self.level).label) if self.level in Level.values else self.level


@dataclass(frozen=True)
class MouFacts:
    version_id: int
    version_uuid: str
    title: str
    number: int
    rules: dict[str, RuleFacts]
    sections: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EvaluationResult:
    outcome: str
    explanation: str
    rule: RuleFacts | None = None
    section_element: str = ""
    section_text: str = ""
    mou: MouFacts | None = None

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label)

    @property
    def needs_review(self) -> bool:
        return self.outcome != Outcome.WITHIN


def _result(outcome: str, explanation: str, mou: MouFacts, rule: RuleFacts | None, element: str) -> EvaluationResult:
    return EvaluationResult(
        outcome=outcome,
        explanation=explanation,
        rule=rule,
        section_element=element,
        section_text=mou.sections.get(element, ""),
        mou=mou,
    )


def _evaluate_rule(action: ActionFacts, rule: RuleFacts) -> tuple[str, str, str]:
    """(outcome, explanation, deciding section) for an action under one rule."""
    if action.action_type in rule.prohibited_actions:
        return Outcome.OUTSIDE, PROHIBITED, Element.PROCEDURES
    if rule.level == Level.SCHOOL_ONLY:
        return Outcome.OUTSIDE, SCHOOL_ONLY, Element.NO_DISCIPLINE
    if rule.level == Level.ASSIST_ON_REQUEST:
        # "Without enforcement": every action recorded here (use of force and restraint included) is one.
        if action.requested_by != RequestedBy.ADMINISTRATOR:
            return Outcome.OUTSIDE, ASSIST_NOT_REQUESTED, Element.CRIME_VS_DISCIPLINE
        return Outcome.OUTSIDE, ASSIST_NOT_ENFORCEMENT, Element.CRIME_VS_DISCIPLINE
    if rule.level == Level.OFFICER_MUST_ACT:
        return Outcome.WITHIN, WITHIN_MUST_ACT, Element.EMERGENCIES
    if action.action_type in rule.consultation_required_for and not action.admin_consulted:
        return Outcome.OUTSIDE, CONSULTATION_MISSING, Element.PROCEDURES
    return Outcome.WITHIN, WITHIN, Element.PROCEDURES


def mou_evaluate(action: ActionFacts, mou: MouFacts | None) -> EvaluationResult:
    """The outcome of one enforcement action under the MOU in force (None: no MOU in force)."""
    if mou is None:
        return EvaluationResult(outcome=Outcome.NO_MOU, explanation=NO_MOU_IN_FORCE)
    rule = mou.rules.get(action.reason_category)
    if rule is None:
        return _result(Outcome.OUTSIDE, NO_RULE, mou, None, Element.CRIME_VS_DISCIPLINE)
    outcome, explanation, element = _evaluate_rule(action, rule)
    return _result(outcome, explanation, mou, rule, element)


def level_meaning(level: str) -> str:
    return LEVEL_MEANING.get(Level(level), "") if level else ""


# --- the MOU in force ----------------------------------------------------------------------------


def versions_in_force(*, on: datetime.date, signed_before: datetime.datetime | None = None) -> Q:
    """Signed versions whose effective period includes the date (signed before a moment, if given)."""
    signed = Q(fully_signed_at__isnull=False)
    if signed_before is not None:
        signed &= Q(fully_signed_at__lt=signed_before)
    return signed & Q(effective_date__lte=on) & (Q(expiry_date__isnull=True) | Q(expiry_date__gte=on))


def versions_covering(
    *, agency_id: int, school_id: int, on: datetime.date, signed_before: datetime.datetime | None = None
) -> QuerySet[AgreementVersion]:
    """The agency's signed versions covering the school on that date, the one in force first."""
    return AgreementVersion.objects.filter(
        versions_in_force(on=on, signed_before=signed_before), agreement__agency_id=agency_id, schools=school_id
    ).order_by("-effective_date", "-number")


def version_in_force(
    *, agency_id: int, school_id: int, on: datetime.date, signed_before: datetime.datetime | None = None
) -> AgreementVersion | None:
    """The latest signed version covering the school for that agency on that date."""
    return versions_covering(agency_id=agency_id, school_id=school_id, on=on, signed_before=signed_before).first()


def mou_facts(version: AgreementVersion) -> MouFacts:
    rules = {
        r.category: RuleFacts(
            category=r.category,
            level=r.level,
            consultation_required_for=tuple(r.consultation_required_for),
            prohibited_actions=tuple(r.prohibited_actions),
            note=r.note,
        )
        for r in version.rules.all()
    }
    sections = {s.element: s.text for s in version.sections.all()}
    return MouFacts(
        version_id=version.pk,
        version_uuid=str(version.uuid),
        title=version.title,
        number=version.number,
        rules=rules,
        sections=sections,
    )


def mou_in_force(
    *, agency_id: int, school_id: int, on: datetime.date, signed_before: datetime.datetime | None = None
) -> MouFacts | None:
    version = version_in_force(agency_id=agency_id, school_id=school_id, on=on, signed_before=signed_before)
    return mou_facts(version) if version is not None else None


class AgencyMous:
    """Every signed MOU version of one agency, read once, so that many actions (an import) are
    evaluated without a query each. Chooses as `version_in_force` does."""

    def __init__(self, agency_id: int) -> None:
        versions = AgreementVersion.objects.filter(agreement__agency_id=agency_id, fully_signed_at__isnull=False)
        self._versions = {version.pk: version for version in versions}
        covers = AgreementVersion.schools.through.objects.filter(agreementversion_id__in=list(self._versions))
        self._by_school: dict[int, list[AgreementVersion]] = {}
        for version_id, school_id in covers.values_list("agreementversion_id", "school_id"):
            self._by_school.setdefault(school_id, []).append(self._versions[version_id])
        self._facts: dict[int, MouFacts] = {}

    def in_force(self, school_id: int, on: datetime.date, signed_before: datetime.datetime) -> MouFacts | None:
        running = [
            v
            for v in self._by_school.get(school_id, ())
            if v.effective_date <= on
            and (v.expiry_date is None or v.expiry_date >= on)
            and v.fully_signed_at is not None
            and v.fully_signed_at < signed_before
        ]
        version = max(running, key=lambda v: (v.effective_date, v.number), default=None)
        if version is None:
            return None
        if version.pk not in self._facts:
            self._facts[version.pk] = mou_facts(version)
        return self._facts[version.pk]

    def evaluate(self, action: ActionFacts) -> EvaluationResult:
        return mou_evaluate(action, self.in_force(action.school_id, action.on, action.recorded_at))


def mou_evaluate_action(action: ActionFacts) -> EvaluationResult:
    """Find the MOU that judges the action (signed before it was recorded) and evaluate against it."""
    mou = mou_in_force(
        agency_id=action.agency_id, school_id=action.school_id, on=action.on, signed_before=action.recorded_at
    )
    return mou_evaluate(action, mou)
