"""Enforcement actions that arrive by CSV import are evaluated against the MOU like any other."""

from __future__ import annotations

import time_machine

from liaison.agreements.models import Evaluation, Review
from liaison.agreements.reevaluation import REOPENED_JUSTIFICATION
from liaison.agreements.tests.mous import mou_in_force
from liaison.interactions.tests.import_files import ARREST, NOW, contact, import_file, write_csv


def test_an_imported_arrest_outside_the_mou_opens_a_review(world, tmp_path):
    mou_in_force(world)
    rows = [
        contact(kind="enforcement", **{**ARREST, "reason_category": "dress_code"}),
        contact(kind="enforcement", **ARREST),
        contact(),
    ]
    with time_machine.travel(NOW, tick=False):
        import_file(write_csv(tmp_path, rows), world.agency)
    assert sorted(Evaluation.objects.values_list("outcome", flat=True)) == ["outside", "within"]
    review = Review.objects.get()
    assert review.interaction.enforcement.reason_category == "dress_code"
    assert review.justification == REOPENED_JUSTIFICATION.format(number=1)
