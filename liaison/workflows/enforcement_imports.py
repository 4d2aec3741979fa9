"""Evaluating the enforcement actions an import adds, in bulk."""

from __future__ import annotations

from typing import Any

from liaison.accounts.audit import audit_record
from liaison.agreements.evaluation import DETAIL_FACTS, AgencyMous, action_facts
from liaison.agreements.models import Evaluation, Review
from liaison.agreements.services import evaluation_new, review_new
from liaison.agreements.vocabulary import EvaluationReason
from liaison.interactions.models import Interaction
from liaison.interactions.vocabulary import Kind

IMPORTED_JUSTIFICATION = "Imported from another system, which recorded no justification."
IMPORT_BATCH = 2000


def evaluations_record_imported(*, agency_id: int, after_id: int, actor: Any) -> int:
    """Evaluate the enforcement actions an import just added (ids above after_id) and open reviews for
    the flagged ones, in bulk: one audit entry says how many reviews the import opened.

    Each action is judged as any other: by the version in force on its day among those signed before
    it was recorded (the import). Imported rows carry no justification, so each review says so."""
    # Only the facts an evaluation and a review need, not two model instances per action: an import of a
    # million contacts brings some 15,000 enforcement actions.
    names = ("pk", "district_id", "school_id", "occurred_on", "created_at")
    records = (
        Interaction.objects.filter(agency_id=agency_id, kind=Kind.ENFORCEMENT, voided=False, pk__gt=after_id)
        .order_by("pk")
        .values_list(*names, *(f"enforcement__{name}" for name in DETAIL_FACTS))
    )
    mous = AgencyMous(agency_id)
    evaluations: list[Evaluation] = []
    reviews: list[Review] = []
    flagged = 0
    for row in records.iterator(chunk_size=IMPORT_BATCH):
        pk, district_id, school_id, on, created_at = row[: len(names)]
        facts = action_facts(
            agency_id=agency_id,
            school_id=school_id,
            on=on,
            details=dict(zip(DETAIL_FACTS, row[len(names) :], strict=True)),
            recorded_at=created_at,
        )
        interaction = Interaction(pk=pk, agency_id=agency_id, district_id=district_id, school_id=school_id)
        result = mous.evaluate(facts)
        evaluations.append(evaluation_new(interaction=interaction, result=result, reason=EvaluationReason.IMPORTED))
        if result.needs_review:
            reviews.append(
                review_new(interaction=interaction, outcome=result.outcome, justification=IMPORTED_JUSTIFICATION)
            )
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


def _store(evaluations: list[Evaluation], reviews: list[Review]) -> int:
    """Write a batch and empty the lists; returns how many reviews it opened."""
    Evaluation.objects.bulk_create(evaluations)
    Review.objects.bulk_create(reviews)
    opened = len(reviews)
    evaluations.clear()
    reviews.clear()
    return opened
