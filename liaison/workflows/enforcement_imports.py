"""Judging the enforcement actions an import adds, in bulk, while the import still writes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from liaison.accounts.audit import audit_record
from liaison.agreements.evaluation import AgencyMous, action_facts
from liaison.agreements.models import Evaluation, Review
from liaison.agreements.services import evaluation_new, review_new
from liaison.agreements.vocabulary import EvaluationReason
from liaison.interactions.import_rows import WrittenAction
from liaison.interactions.models import Interaction

IMPORTED_JUSTIFICATION = "Imported from another system, which recorded no justification."
IMPORT_BATCH = 2000
OPENED = "Opened {n} reviews of imported enforcement actions outside the MOU or with none in force"


class ImportedActionsJudge:
    """The MOU's judgments of an import's enforcement actions, made as the import writes them and stored
    after its rows, with the reviews the flagged ones need and one audit entry for them all.

    Each action is judged as any other: by the version in force on its day among those signed before
    it was recorded (the import). Imported rows carry no justification, so each review says so.

    The import hands over each chunk's actions once the chunk is kept, while the database still
    stores the next chunk (`interactions.imports`): the judging costs the import no time of its own,
    and nothing is read back from the database for it.
    """

    def __init__(self, *, agency_id: int, recorded_at: datetime.datetime) -> None:
        self.agency_id = agency_id
        self.recorded_at = recorded_at
        self.mous = AgencyMous(agency_id).read_every_version()
        self.evaluations: list[Evaluation] = []
        self.reviews: list[Review] = []

    def judge(self, actions: Iterable[WrittenAction]) -> None:
        """In memory only: the import calls this while its connection is busy with a COPY."""
        for action in actions:
            facts = action_facts(
                agency_id=self.agency_id,
                school_id=action.school_id,
                on=action.occurred_on,
                details=action.details,
                recorded_at=self.recorded_at,
            )
            interaction = Interaction(
                pk=action.interaction_id,
                agency_id=self.agency_id,
                district_id=action.district_id,
                school_id=action.school_id,
            )
            result = self.mous.evaluate(facts)
            self.evaluations.append(
                evaluation_new(interaction=interaction, result=result, reason=EvaluationReason.IMPORTED)
            )
            if result.needs_review:
                self.reviews.append(
                    review_new(interaction=interaction, outcome=result.outcome, justification=IMPORTED_JUSTIFICATION)
                )

    def store(self, *, actor: Any) -> int:
        """Write the judgments and the reviews; returns how many reviews the import opened."""
        Evaluation.objects.bulk_create(self.evaluations, batch_size=IMPORT_BATCH)
        Review.objects.bulk_create(self.reviews, batch_size=IMPORT_BATCH)
        flagged = len(self.reviews)
        if flagged:
            audit_record(
                actor=actor,
                action="create",
                object_type=Review._meta.label_lower,
                summary=OPENED.format(n=flagged),
                agency_id=self.agency_id,
            )
        self.evaluations, self.reviews = [], []
        return flagged
