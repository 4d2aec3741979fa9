"""Evaluating recorded enforcement actions, when they are recorded and again when an MOU changes."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from liaison.accounts.audit import audit_record
from liaison.interactions.models import Interaction
from liaison.interactions.services import enforcement_facts
from liaison.interactions.vocabulary import Kind

from .evaluation import ActionFacts, AgencyMous, EvaluationResult
from .models import Evaluation, Review
from .services import evaluation_new, evaluation_store

REOPENED_JUSTIFICATION = (
    "Opened when the action was evaluated again under MOU version {number}; no justification was recorded at the time."
)
IMPORTED_JUSTIFICATION = "Imported from another system, which recorded no justification."
IMPORT_BATCH = 2000
_DETAIL_FACTS = tuple(
    f"enforcement__{name}" for name in ("action_type", "reason_category", "admin_consulted", "requested_by")
)


def action_facts(interaction: Interaction) -> ActionFacts:
    return enforcement_facts(interaction, interaction.enforcement)


def _refresh_one(interaction: Interaction, actor: Any, mous: AgencyMous) -> tuple[EvaluationResult, bool]:
    result = mous.evaluate(action_facts(interaction))
    previous = Evaluation.objects.filter(interaction=interaction).values_list("outcome", flat=True).first()
    evaluation_store(interaction=interaction, result=result)
    if result.needs_review and not Review.objects.filter(interaction=interaction).exists():
        number = result.mou.number if result.mou else 0
        Review.objects.create(
            interaction=interaction,
            agency_id=interaction.agency_id,
            district_id=interaction.district_id,
            school_id=interaction.school_id,
            outcome=result.outcome,
            justification=REOPENED_JUSTIFICATION.format(number=number),
        )
    return result, previous != result.outcome


def evaluations_refresh(*, agency_id: int, since: datetime.date, actor: Any) -> int:
    """Re-evaluate the agency's enforcement actions from a date on; returns how many changed outcome."""
    records = (
        Interaction.objects.filter(agency_id=agency_id, kind=Kind.ENFORCEMENT, voided=False, occurred_on__gte=since)
        .select_related("enforcement")
        .order_by("occurred_at")
    )
    changed = 0
    mous = AgencyMous(agency_id)
    with transaction.atomic():
        for interaction in records.iterator(chunk_size=500):
            _, did_change = _refresh_one(interaction, actor, mous)
            changed += did_change
        audit_record(
            actor=actor,
            action="update",
            object_type="agreements.evaluation",
            summary=f"Re-evaluated enforcement actions since {since}: {changed} changed outcome",
            agency_id=agency_id,
        )
    return changed


def evaluations_record_imported(*, agency_id: int, after_id: int, actor: Any) -> int:
    """Evaluate the enforcement actions an import just added (ids above after_id) and open reviews for
    the flagged ones, in bulk: one audit entry says how many reviews the import opened.

    Imported rows carry no justification, so each review says so."""
    # Only the facts an evaluation and a review need, not two model instances per action: an import of a
    # million contacts brings some 15,000 enforcement actions.
    records = (
        Interaction.objects.filter(agency_id=agency_id, kind=Kind.ENFORCEMENT, voided=False, pk__gt=after_id)
        .order_by("pk")
        .values_list("pk", "district_id", "school_id", "occurred_on", *_DETAIL_FACTS)
    )
    mous = AgencyMous(agency_id)
    evaluations: list[Evaluation] = []
    reviews: list[Review] = []
    flagged = 0
    for pk, district_id, school_id, on, action_type, reason, consulted, requested_by in records.iterator(
        chunk_size=IMPORT_BATCH
    ):
        facts = ActionFacts(
            action_type=action_type,
            reason_category=reason,
            agency_id=agency_id,
            school_id=school_id,
            on=on,
            admin_consulted=consulted,
            requested_by=requested_by,
        )
        interaction = Interaction(pk=pk, agency_id=agency_id, district_id=district_id, school_id=school_id)
        result = mous.evaluate(facts)
        evaluations.append(evaluation_new(interaction=interaction, result=result))
        if result.needs_review:
            reviews.append(_imported_review(interaction, result))
        if len(evaluations) >= IMPORT_BATCH:
            flagged += _store(evaluations, reviews)
    flagged += _store(evaluations, reviews)
    if flagged:
        audit_record(
            actor=actor,
            action="create",
            object_type=Review._meta.label_lower,
            summary=f"Opened {flagged} reviews of imported enforcement actions outside the MOU or with none in force",
            agency_id=agency_id,
        )
    return flagged


def _imported_review(interaction: Interaction, result: EvaluationResult) -> Review:
    return Review(
        interaction=interaction,
        agency_id=interaction.agency_id,
        district_id=interaction.district_id,
        school_id=interaction.school_id,
        outcome=result.outcome,
        justification=IMPORTED_JUSTIFICATION,
    )


def _store(evaluations: list[Evaluation], reviews: list[Review]) -> int:
    """Write a batch and empty the lists; returns how many reviews it opened."""
    Evaluation.objects.bulk_create(evaluations)
    Review.objects.bulk_create(reviews)
    opened = len(reviews)
    evaluations.clear()
    reviews.clear()
    return opened
