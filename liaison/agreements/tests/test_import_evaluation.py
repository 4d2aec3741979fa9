"""Enforcement actions that arrive by CSV import are evaluated against the MOU like any other."""

from __future__ import annotations

import datetime

import time_machine

from liaison.accounts.models import AuditEntry
from liaison.agreements import services
from liaison.agreements.evaluation import AgencyMous, version_in_force
from liaison.agreements.models import Evaluation, Review
from liaison.agreements.tests.mous import mou_in_force, sign_all
from liaison.directory.models import School
from liaison.interactions.tests.import_files import ARREST, NOW, contact, import_file, write_csv
from liaison.workflows.enforcement_imports import IMPORTED_JUSTIFICATION


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
    assert review.justification == IMPORTED_JUSTIFICATION


def test_one_audit_entry_says_how_many_reviews_an_import_opened(world, tmp_path):
    rows = [contact(kind="enforcement", **ARREST) for _ in range(3)]  # no MOU in force: all flagged
    with time_machine.travel(NOW, tick=False):
        import_file(write_csv(tmp_path, rows), world.agency)
    assert Review.objects.filter(outcome="no_mou").count() == 3
    entry = AuditEntry.objects.get(object_type="agreements.review")
    assert entry.summary.startswith("Opened 3 reviews of imported enforcement actions")
    assert entry.agency_id == world.agency.pk


def test_the_agencys_mous_read_at_once_pick_the_version_the_database_picks(world):
    agreement = mou_in_force(world, effective_date=datetime.date(2025, 8, 1))
    renewal = services.version_new_draft(
        actor=world.users["agency_admin"], agreement=agreement, effective_date=datetime.date(2026, 1, 5)
    )
    services.version_update(
        actor=world.users["agency_admin"],
        version=renewal,
        schools=[world.elementary],
        expiry_date=datetime.date(2026, 6, 30),
    )
    sign_all(world, renewal)
    mous = AgencyMous(world.agency.pk)
    schools = School.objects.filter(district=world.district)
    days = [datetime.date(2025, 7, 31) + datetime.timedelta(days=n) for n in range(0, 400, 7)]
    moments = [datetime.datetime(2025, 8, 1, tzinfo=datetime.UTC), datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)]
    for moment in [*moments, datetime.datetime.now(tz=datetime.UTC)]:  # before the renewal was signed, and after
        for school in schools:
            for day in days:
                expected = version_in_force(
                    agency_id=world.agency.pk, school_id=school.pk, on=day, signed_before=moment
                )
                found = mous.in_force(school.pk, day, moment)
                assert (found.version_id if found else None) == (expected.pk if expected else None), (school, day)
