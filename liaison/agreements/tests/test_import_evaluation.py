"""Enforcement actions that arrive by CSV import are evaluated against the MOU like any other."""

from __future__ import annotations

import datetime
import uuid

import time_machine

from liaison.accounts.models import AuditEntry
from liaison.agreements import services
from liaison.agreements.evaluation import AgencyMous, mou_evaluate_action, version_in_force
from liaison.agreements.models import Evaluation, Review
from liaison.agreements.tests.mous import mou_in_force, sign_all
from liaison.directory.models import School
from liaison.interactions.import_rows import WrittenAction
from liaison.interactions.models import Interaction
from liaison.interactions.tests.import_files import ARREST, NOW, contact, import_file, write_csv
from liaison.workflows.enforcement import enforcement_facts
from liaison.workflows.enforcement_imports import IMPORTED_JUSTIFICATION, ImportedActionsJudge


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


def test_actions_judged_while_later_chunks_are_stored_are_judged_once_even_when_a_chunk_is_undone(
    world, tmp_path, monkeypatch
):
    """Each chunk's actions are judged while the next chunk is stored; a chunk undone (an id stored
    before) and written again row by row must leave every stored action with exactly one judgment, the
    one the database's own choice of MOU gives, and a review for each flagged one."""
    from liaison.interactions import imports

    mou_in_force(world)
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    stored = contact(client_uuid=str(uuid.uuid4()), kind="enforcement", **ARREST)
    with time_machine.travel(NOW, tick=False):
        import_file(write_csv(tmp_path, [stored], name="first.csv"), world.agency)
    outside = {**ARREST, "reason_category": "dress_code"}
    rows = [
        contact(client_uuid=str(uuid.uuid4()), kind="enforcement", **outside),
        contact(client_uuid=str(uuid.uuid4()), kind="enforcement", **ARREST),
        contact(client_uuid=str(uuid.uuid4()), kind="enforcement", **outside),
        stored,  # the second chunk: written whole, undone, and written again without this row
        contact(client_uuid=str(uuid.uuid4()), kind="enforcement", **ARREST),
        contact(client_uuid=str(uuid.uuid4()), kind="enforcement", **outside),  # the last chunk
    ]
    with time_machine.travel(NOW, tick=False):
        import_file(write_csv(tmp_path, rows, name="second.csv"), world.agency)
    actions = Interaction.objects.filter(kind="enforcement")
    assert actions.count() == 6
    for action in actions:
        judged = list(Evaluation.objects.filter(interaction=action).values_list("outcome", "version_id"))
        expected = mou_evaluate_action(enforcement_facts(action))
        assert judged == [(expected.outcome, expected.mou.version_id if expected.mou else None)], action.pk
    flagged = Review.objects.values_list("interaction__enforcement__reason_category", flat=True)
    assert sorted(flagged) == ["dress_code"] * 3


def test_judging_an_imports_actions_reads_nothing_from_the_database(world, django_assert_num_queries):
    """The import judges a chunk's actions while its connection is busy with the next chunk's COPY
    (PostgreSQL): a query there would wait for the connection forever."""
    mou_in_force(world)
    judge = ImportedActionsJudge(agency_id=world.agency.pk, recorded_at=NOW)
    details = {"action_type": "arrest", "reason_category": "dress_code", "admin_consulted": False, "requested_by": ""}
    actions = [
        WrittenAction(n, world.district.pk, school.pk, datetime.date(2026, 3, 2), details)
        for n, school in enumerate(School.objects.filter(district=world.district), start=1)
    ]
    with django_assert_num_queries(0):
        judge.judge(actions)
    assert len(judge.evaluations) == len(actions)
