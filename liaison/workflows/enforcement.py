"""Recording an enforcement action, across the apps it touches: the action is judged against the MOU
(agreements) before it is stored, an action outside the MOU needs the officer's justification, the
judgment is kept and a review opened in the same transaction as the record (interactions), and an
action on a student the officer mentors notifies the supervisor (programs). An amendment of the
action's school or time is judged again.

`interactions.services` records the action and calls these steps at the right moments; it imports
none of the other apps (the steps are installed when the app registry is ready, `apps.py`).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError

from liaison.agreements.evaluation import ActionFacts, EvaluationResult, action_facts, mou_evaluate_action
from liaison.agreements.selectors import Judgment, action_judgment
from liaison.agreements.services import JUSTIFICATION_REQUIRED, evaluation_add, review_open
from liaison.agreements.vocabulary import EvaluationReason
from liaison.interactions.models import EnforcementDetail, Interaction
from liaison.programs.services import mentee_enforcement_check

from .enforcement_imports import evaluations_record_imported

AMENDED_JUSTIFICATION = (
    "Opened when the amended action was judged again ({note}); no justification was recorded for the new judgment."
)


def enforcement_facts(interaction: Interaction, detail: EnforcementDetail | None = None) -> ActionFacts:
    """What the MOU judges of an enforcement action (recorded now, if not yet saved)."""
    return action_facts(
        agency_id=interaction.agency_id,
        school_id=interaction.school_id,
        on=interaction.occurred_on,
        details=detail if detail is not None else interaction.enforcement,
        recorded_at=interaction.created_at,
    )


class RecordingEnforcement:
    """The steps `interactions.services` calls while it records or changes an enforcement action."""

    def check(self, interaction: Interaction, detail: EnforcementDetail, justification: str) -> EvaluationResult:
        """Before anything is stored: the judgment, and the justification it asks for."""
        result = mou_evaluate_action(enforcement_facts(interaction, detail))
        if result.needs_review and not justification.strip():
            raise ValidationError({"justification": JUSTIFICATION_REQUIRED})
        return result

    def store(self, *, actor: Any, interaction: Interaction, judgment: Any, justification: str) -> None:
        """Inside the record's transaction: keep the judgment, and open a review when it is flagged."""
        evaluation_add(interaction=interaction, result=judgment)
        if judgment.needs_review:
            review_open(actor=actor, interaction=interaction, result=judgment, justification=justification)

    def recorded(self, *, interaction: Interaction, detail: EnforcementDetail) -> None:
        """After the record is stored: an action on a student the officer mentors notifies the supervisor."""
        if detail.student_key:
            mentee_enforcement_check(interaction=interaction, student_key=detail.student_key)

    def changed(self, *, actor: Any, interaction: Interaction, note: str) -> None:
        """Inside the amendment's transaction: a new judgment, with the amendment's reason, beside the
        earlier ones. The action is judged as when it was recorded: by the versions signed before then."""
        result = mou_evaluate_action(enforcement_facts(interaction))
        evaluation_add(interaction=interaction, result=result, reason=EvaluationReason.AMENDED, note=note)
        if result.needs_review and not hasattr(interaction, "review"):
            justification = AMENDED_JUSTIFICATION.format(note=note)
            review_open(actor=actor, interaction=interaction, result=result, justification=justification)

    def imported(self, *, agency_id: int, after_id: int, actor: Any) -> int:
        """After an import: judge the actions it added, in bulk, and open the reviews they need."""
        return evaluations_record_imported(agency_id=agency_id, after_id=after_id, actor=actor)

    def preview(
        self, *, agency_id: int, school_id: int, on: datetime.date, details: Mapping[str, Any]
    ) -> EvaluationResult:
        """Nothing stored: the MOU rule that applies to the action as filled in so far (the form's check)."""
        return mou_evaluate_action(action_facts(agency_id=agency_id, school_id=school_id, on=on, details=details))

    def judgment(self, *, interaction: Interaction) -> Judgment | None:
        """The kept judgment and its history, for the record's page and the message on saving it."""
        return action_judgment(interaction=interaction)
