"""Importing contacts with `manage.py import_interactions`: what is stored, counted and audited."""

from __future__ import annotations

import datetime
import uuid

import pytest
import time_machine
from django.core.management import CommandError

from liaison.accounts.models import AuditEntry
from liaison.interactions import imports, services
from liaison.interactions.management.commands.import_interactions import NAME_THE_AGENCY, UNKNOWN_AGENCY
from liaison.interactions.models import EnforcementDetail, Interaction, InteractionImport
from liaison.interactions.rollups import rollup_rebuild

from .import_files import ARREST, ELEMENTARY, HIGH, NOW, contact, import_file, last_import, rollup_table, write_csv

EASTERN = datetime.timezone(datetime.timedelta(hours=-4))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_file_of_contacts_is_stored_and_counted_by_kind(world, tmp_path):
    rows = [contact(), contact(kind="instruction", duration_minutes="45", student_count="25"), contact(kind="safety")]
    output = import_file(write_csv(tmp_path, rows), world.agency)
    assert "Imported 3 contacts (0 enforcement actions)" in output
    assert sorted(Interaction.objects.values_list("kind", flat=True)) == ["instruction", "positive", "safety"]
    assert set(Interaction.objects.values_list("source", flat=True)) == {"import"}
    assert last_import().summary["by_kind"] == {"instruction": 1, "positive": 1, "safety": 1}


def test_every_value_in_a_row_is_stored_as_written(world, tmp_path):
    row = contact(
        kind="referral",
        role="educator",
        school_nces_id=HIGH,
        occurred_at="2026-03-09T10:15:30-04:00",
        duration_minutes="20",
        student_count="0",
        grade_band="9_12",
        setting="office",
        initiated_by="staff",
        note='Lunch duty\twith "quotes", a back\\slash\nand a second line',
        service="diversion",
        instead_of_enforcement="yes",
    )
    import_file(write_csv(tmp_path, [row]), world.agency)
    stored = Interaction.objects.get()
    assert stored.school == world.high
    assert stored.officer == world.officer
    assert (stored.kind, stored.role) == ("referral", "educator")
    assert stored.occurred_at == datetime.datetime(2026, 3, 9, 10, 15, 30, tzinfo=EASTERN)
    assert stored.occurred_on == datetime.date(2026, 3, 9)
    assert (stored.duration_minutes, stored.student_count) == (20, 0)
    assert (stored.grade_band, stored.setting, stored.initiated_by) == ("9_12", "office", "staff")
    assert stored.note == 'Lunch duty\twith "quotes", a back\\slash\nand a second line'
    assert (stored.service, stored.instead_of_enforcement, stored.staff_role) == ("diversion", True, "")
    assert (stored.agency, stored.district, stored.voided) == (world.agency, world.district, False)


def test_the_role_follows_the_kind_unless_the_file_gives_one(world, tmp_path):
    rows = [contact(kind="staff", staff_role="counselor"), contact(kind="staff", role="mentor", staff_role="teacher")]
    import_file(write_csv(tmp_path, rows), world.agency)
    assert sorted(Interaction.objects.values_list("staff_role", "role")) == [
        ("counselor", "law_enforcement"),
        ("teacher", "mentor"),
    ]


def test_the_rollups_equal_a_rebuild_after_an_import(world, tmp_path):
    services.interaction_record(
        actor=world.officer.user,
        officer=world.officer,
        school=world.elementary,
        kind="positive",
        occurred_at=datetime.datetime(2026, 3, 9, 14, 0, tzinfo=datetime.UTC),
        duration_minutes=5,
    )
    rows = [
        contact(duration_minutes="10", student_count="3"),
        contact(duration_minutes="20"),
        contact(occurred_at="2026-03-02 08:00"),
        contact(kind="instruction", school_nces_id=HIGH, duration_minutes="45", student_count="25"),
        contact(kind="enforcement", **ARREST),
    ]
    import_file(write_csv(tmp_path, rows), world.agency)
    live = rollup_table()
    positive_on_the_9th = (world.elementary.pk, world.officer.pk, datetime.date(2026, 3, 9), "positive", "mentor")
    assert live[positive_on_the_9th] == (3, 35, 3, 3)
    rollup_rebuild()
    assert rollup_table() == live


def test_importing_the_same_file_twice_stores_each_row_once(world, tmp_path):
    rows = [contact(client_uuid=str(uuid.uuid4())) for _ in range(3)]
    path = write_csv(tmp_path, rows)
    import_file(path, world.agency)
    output = import_file(path, world.agency)
    assert "Imported 0 contacts" in output
    assert "3 were already there" in output
    assert Interaction.objects.count() == 3
    assert sum(count for count, *_ in rollup_table().values()) == 3
    assert last_import().summary["skipped"] == 3


def test_a_client_uuid_becomes_the_records_id_in_any_spelling(world, tmp_path):
    given = uuid.uuid4()
    rows = [contact(client_uuid=str(given).upper()), contact(client_uuid="{" + str(uuid.uuid4()) + "}")]
    import_file(write_csv(tmp_path, rows), world.agency)
    assert Interaction.objects.filter(uuid=given).exists()
    again = import_file(write_csv(tmp_path, [contact(client_uuid=str(given))], name="again.csv"), world.agency)
    assert "1 were already there" in again


def test_a_record_sent_through_the_api_is_skipped_when_its_row_is_imported(world, tmp_path, api_as):
    client_uuid = str(uuid.uuid4())
    api_as("officer").post(
        "/interactions", {"school": str(world.elementary.uuid), "kind": "positive", "client_uuid": client_uuid}
    )
    import_file(write_csv(tmp_path, [contact(client_uuid=client_uuid), contact()]), world.agency)
    assert Interaction.objects.count() == 2
    assert last_import().summary["skipped"] == 1


def test_rows_without_a_client_uuid_get_ids_made_by_the_server(world, tmp_path):
    import_file(write_csv(tmp_path, [contact(), contact()]), world.agency)
    ids = list(Interaction.objects.values_list("uuid", flat=True))
    assert len(set(ids)) == 2
    assert all(isinstance(found, uuid.UUID) and found.version == 4 for found in ids)


def test_a_local_date_and_time_is_read_in_the_agencys_time_zone(world, tmp_path):
    import_file(write_csv(tmp_path, [contact(occurred_at="2026-03-09 21:30")]), world.agency)
    stored = Interaction.objects.get()
    assert stored.occurred_at == datetime.datetime(2026, 3, 10, 1, 30, tzinfo=datetime.UTC)  # EDT is UTC-4
    assert stored.occurred_on == datetime.date(2026, 3, 9)


def test_a_time_with_an_offset_counts_on_the_agencys_local_day(world, tmp_path):
    import_file(write_csv(tmp_path, [contact(occurred_at="2026-03-10T02:00:00Z")]), world.agency)
    stored = Interaction.objects.get()
    assert stored.occurred_at == datetime.datetime(2026, 3, 10, 2, 0, tzinfo=datetime.UTC)
    assert stored.occurred_on == datetime.date(2026, 3, 9)


def test_local_times_before_the_clocks_changed_keep_standard_time(world, tmp_path):
    import_file(write_csv(tmp_path, [contact(occurred_at="2026-03-06 09:00")]), world.agency)
    assert Interaction.objects.get().occurred_at == datetime.datetime(2026, 3, 6, 14, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("action", "referral", "arrest"),
    [
        ("arrest", True, True),
        ("court_referral", True, False),
        ("criminal_citation", True, False),
        ("noncriminal_citation", True, False),
        ("referral_to_law_enforcement", True, False),
        ("warning", False, False),
        ("search", False, False),
        ("physical_restraint", False, False),
    ],
)
def test_enforcement_rows_carry_crdc_flags_derived_from_the_action(world, tmp_path, action, referral, arrest):
    import_file(write_csv(tmp_path, [contact(kind="enforcement", **{**ARREST, "action_type": action})]), world.agency)
    detail = EnforcementDetail.objects.get()
    assert (detail.counts_as_referral, detail.counts_as_arrest) == (referral, arrest)
    assert detail.interaction.role == "law_enforcement"
    assert detail.agency == world.agency


def test_enforcement_details_are_stored_and_missing_demographics_are_unknown(world, tmp_path):
    details = {
        "action_type": "warning",
        "reason_category": "fight_no_injury",
        "requested_by": "self",
        "admin_consulted": "false",
        "demographics_source": "perceived",
    }
    rows = [contact(kind="enforcement", **ARREST), contact(kind="enforcement", **details)]
    import_file(write_csv(tmp_path, rows), world.agency)
    arrest = EnforcementDetail.objects.get(action_type="arrest")
    assert (arrest.nibrs_code, arrest.student_grade, arrest.race_ethnicity, arrest.sex) == (
        "13A",
        "10",
        "black",
        "male",
    )
    assert (arrest.admin_consulted, arrest.admin_consulted_role, arrest.rms_report_number) == (
        True,
        "administrator",
        "26-001234",
    )
    assert (arrest.student_key, arrest.demographics_source) == ("", "school_record")
    warning = EnforcementDetail.objects.get(action_type="warning")
    assert (warning.race_ethnicity, warning.sex, warning.disability, warning.english_learner) == ("unknown",) * 4
    assert (warning.student_grade, warning.nibrs_code, warning.admin_consulted) == ("unknown", "", False)


def test_one_audit_entry_summarises_the_whole_import(world, tmp_path):
    before = AuditEntry.objects.count()
    rows = [contact(), contact(kind="enforcement", **ARREST), contact(kind="family")]
    import_file(write_csv(tmp_path, rows), world.agency, user="supervisor")
    added = {entry.action: entry for entry in AuditEntry.objects.order_by("id")[before:]}
    assert sorted(added) == ["create", "import"], "one entry for the import, one for the reviews it opened"
    reviews = added["create"]
    assert reviews.object_type == "agreements.review"
    assert reviews.summary.startswith("Opened 1 reviews of imported enforcement actions")
    entry = AuditEntry.objects.get(action="import")
    assert (entry.action, entry.object_type, entry.object_uuid) == (
        "import",
        "interactions.interactionimport",
        last_import().uuid,
    )
    assert (entry.actor, entry.agency) == (world.users["supervisor"], world.agency)
    assert entry.after["added"] == 3
    assert entry.after["enforcement"] == 1
    assert entry.after["by_kind"] == {"enforcement": 1, "family": 1, "positive": 1}
    assert "Imported 3 contacts (1 enforcement actions) from contacts.csv" in entry.summary


def test_the_person_running_the_command_is_the_records_creator(world, tmp_path):
    import_file(write_csv(tmp_path, [contact()]), world.agency, user="supervisor")
    assert Interaction.objects.get().created_by == world.users["supervisor"]


def test_without_a_user_each_record_is_created_by_its_officer(world, tmp_path):
    import_file(write_csv(tmp_path, [contact()]), world.agency)
    assert Interaction.objects.get().created_by == world.officer.user


def test_the_import_is_kept_as_a_record_of_its_outcome(world, tmp_path):
    import_file(write_csv(tmp_path, [contact()]), world.agency)
    job = last_import()
    assert (job.status, job.agency, job.original_name, job.upload_path) == (
        InteractionImport.Status.SUCCEEDED,
        world.agency,
        "contacts.csv",
        "",
    )
    assert job.summary["added"] == 1
    assert job.summary["after_id"] < Interaction.objects.get().pk <= job.summary["up_to_id"]


def test_the_command_needs_the_agency_when_there_are_several(world, tmp_path):
    path = write_csv(tmp_path, [contact()])
    with pytest.raises(CommandError, match=NAME_THE_AGENCY.format(count=2)):
        import_file(path, world.agency, agency=None)


def test_the_command_refuses_an_unknown_agency(world, tmp_path):
    path = write_csv(tmp_path, [contact()])
    with pytest.raises(CommandError, match=UNKNOWN_AGENCY.format(uuid="not-a-uuid")):
        import_file(path, world.agency, agency="not-a-uuid")


def test_a_file_with_only_a_header_imports_nothing_and_succeeds(world, tmp_path):
    output = import_file(
        write_csv(tmp_path, [], header=["badge_number", "school_nces_id", "kind", "occurred_at"]), world.agency
    )
    assert "Imported 0 contacts" in output
    assert Interaction.objects.count() == 0


def test_a_byte_order_mark_and_blank_lines_are_ignored(world, tmp_path):
    path = tmp_path / "excel.csv"
    lines = ["\ufeffbadge_number,school_nces_id,kind,occurred_at", "", "101,250000100001,positive,2026-03-09 10:00", ""]
    path.write_bytes("\r\n".join(lines).encode())
    import_file(path, world.agency)
    assert Interaction.objects.count() == 1


def test_columns_may_come_in_any_order_and_case(world, tmp_path):
    header = ["Occurred_At", "KIND", " school_nces_id ", "badge_number"]
    path = tmp_path / "ordered.csv"
    path.write_text(",".join(header) + "\n2026-03-09 10:00,mentoring," + ELEMENTARY + ",101\n")
    import_file(path, world.agency)
    assert Interaction.objects.get().kind == "mentoring"


def test_a_file_longer_than_a_chunk_is_stored_whole(world, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    rows = [contact(client_uuid=str(uuid.uuid4()), kind="enforcement", **ARREST) for _ in range(3)] + [contact()] * 2
    import_file(write_csv(tmp_path, rows), world.agency)
    assert (Interaction.objects.count(), EnforcementDetail.objects.count()) == (5, 3)
    assert sum(count for count, *_ in rollup_table().values()) == 5


def test_a_chunk_undone_leaves_the_rollups_equal_a_rebuild(world, tmp_path, monkeypatch):
    """The next chunk is read while the database still stores this one; a chunk's counts join the
    import's only once it is stored. When storing it fails (an id already stored, found at the end of
    COPY on PostgreSQL), it is looked up and written again without that row, and counted once."""
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    stored = contact(client_uuid=str(uuid.uuid4()), duration_minutes="10")
    import_file(write_csv(tmp_path, [stored], name="first.csv"), world.agency)
    rows = [
        contact(client_uuid=str(uuid.uuid4()), occurred_at="2026-03-02 08:00"),
        contact(client_uuid=str(uuid.uuid4()), duration_minutes="5", student_count="2"),
        contact(client_uuid=str(uuid.uuid4()), kind="safety", occurred_at="2026-02-27 09:00"),
        stored,  # the second chunk: written whole first, then undone and written without this row
        contact(client_uuid=str(uuid.uuid4()), kind="safety", occurred_at="2026-03-06 12:00"),
    ]
    import_file(write_csv(tmp_path, rows, name="second.csv"), world.agency)
    summary = last_import().summary
    assert (summary["added"], summary["skipped"]) == (4, 1)
    assert (summary["first_day"], summary["last_day"]) == ("2026-02-27", "2026-03-09")
    assert summary["by_kind"] == {"positive": 2, "safety": 2}
    live = rollup_table()
    assert sum(count for count, *_ in live.values()) == Interaction.objects.count() == 5
    rollup_rebuild()
    assert rollup_table() == live


def test_counts_joined_a_slice_at_a_time_while_later_chunks_are_written_equal_a_rebuild(world, tmp_path, monkeypatch):
    """The smallest slices: a row sent per block, a row read ahead and a rollup cell joined after each.
    Chunks of three, a chunk undone in the middle (a stored id), and every count still equal a rebuild."""
    from liaison.interactions import import_writers

    monkeypatch.setattr(imports, "CHUNK_ROWS", 3)
    monkeypatch.setattr(imports, "JOIN_SLICE", 1)
    monkeypatch.setattr(import_writers.CopyWriter, "BUFFER_ROWS", 1)
    stored = contact(client_uuid=str(uuid.uuid4()), duration_minutes="10")
    import_file(write_csv(tmp_path, [stored], name="first.csv"), world.agency)
    days = [f"2026-03-0{day} 0{hour}:00" for day in (2, 3, 4, 5, 6) for hour in (8, 9)]
    extras = [{"duration_minutes": "5"}, {"student_count": "3"}] * 5
    rows = [
        contact(client_uuid=str(uuid.uuid4()), occurred_at=moment, kind=("safety", "positive")[n % 2], **extra)
        for n, (moment, extra) in enumerate(zip(days, extras, strict=True))
    ]
    rows.insert(7, stored)  # the third chunk: undone, then written without it
    import_file(write_csv(tmp_path, rows, name="second.csv"), world.agency)
    summary = last_import().summary
    assert (summary["added"], summary["skipped"]) == (10, 1)
    assert (summary["first_day"], summary["last_day"]) == ("2026-03-02", "2026-03-06")
    assert summary["by_kind"] == {"positive": 5, "safety": 5}
    live = rollup_table()
    assert sum(count for count, *_ in live.values()) == Interaction.objects.count() == 11
    rollup_rebuild()
    assert rollup_table() == live


def test_a_row_reusing_a_stored_id_for_a_different_record_is_an_error_not_skipped(world, tmp_path, api_as):
    from liaison.interactions.import_rows import UUID_REUSED

    client_uuid = str(uuid.uuid4())
    api_as("officer").post(
        "/interactions", {"school": str(world.elementary.uuid), "kind": "positive", "client_uuid": client_uuid}
    )
    with pytest.raises(CommandError):
        import_file(write_csv(tmp_path, [contact(client_uuid=client_uuid, kind="safety"), contact()]), world.agency)
    assert Interaction.objects.count() == 1
    assert any(error["reason"] == UUID_REUSED for error in last_import().errors)
