"""A contacts file with anything wrong stores nothing, and says what is wrong, where."""

from __future__ import annotations

import io
import uuid

import pytest
import time_machine
from django.core.management import CommandError
from django.db import connection

from liaison.interactions import import_rows, imports, rules
from liaison.interactions.import_rows import MAX_ERRORS_SHOWN
from liaison.interactions.models import InteractionImport
from liaison.lib.identifying_text import BIRTH_DATE_IN_TEXT, EMAIL_IN_TEXT, PHONE_IN_TEXT

from .import_files import (
    ARREST,
    ELEMENTARY,
    HARLOW_HIGH,
    NOW,
    contact,
    import_file,
    last_import,
    problems,
    table_counts,
    write_csv,
)

TAKEN = str(uuid.uuid4())
REPEATED = str(uuid.uuid4())


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _refused(world, tmp_path, rows, **options):
    """Import rows that must fail; returns the job, having checked that nothing was written."""
    before = table_counts()
    with pytest.raises(CommandError):
        import_file(write_csv(tmp_path, rows, **options), world.agency)
    assert table_counts() == before
    job = last_import()
    assert job.status == InteractionImport.Status.FAILED
    return job


NO_DETAILS = {k: v for k, v in ARREST.items() if k != "demographics_source"}
BAD_ROWS = [
    pytest.param(
        contact(badge_number="999"), "badge_number", import_rows.UNKNOWN_BADGE.format(value="999"), id="badge"
    ),
    pytest.param(contact(badge_number=""), "badge_number", rules.REQUIRED, id="no-badge"),
    pytest.param(contact(school_nces_id=HARLOW_HIGH), "school_nces_id", rules.SCHOOL_NOT_SERVED, id="not-served"),
    pytest.param(
        contact(school_nces_id="999999999999"),
        "school_nces_id",
        import_rows.UNKNOWN_SCHOOL.format(value="999999999999"),
        id="no-such-school",
    ),
    pytest.param(
        contact(kind="chat"),
        "kind",
        rules.NOT_A_CODE.format(value="chat", codes=rules.INTERACTION_RULES["kind"].code_list),
        id="kind",
    ),
    pytest.param(contact(kind=""), "kind", rules.REQUIRED, id="no-kind"),
    pytest.param(
        contact(role="guard"),
        "role",
        rules.NOT_A_CODE.format(value="guard", codes=rules.INTERACTION_RULES["role"].code_list),
        id="role",
    ),
    pytest.param(contact(note="Call jay.doe@example.org"), "note", EMAIL_IN_TEXT, id="email"),
    pytest.param(contact(note="Mom at (617) 555-0199"), "note", PHONE_IN_TEXT, id="phone"),
    pytest.param(contact(note="Student born 4/12/2011"), "note", BIRTH_DATE_IN_TEXT, id="birth-date"),
    pytest.param(contact(note="x" * 501), "note", rules.TOO_LONG.format(limit=500, length=501), id="long-note"),
    pytest.param(contact(occurred_at="2026-03-11 09:00"), "occurred_at", rules.IN_THE_FUTURE, id="future"),
    pytest.param(
        contact(occurred_at="yesterday"), "occurred_at", import_rows.NOT_A_TIME.format(value="yesterday"), id="time"
    ),
    pytest.param(
        contact(occurred_at="2026-03-09"), "occurred_at", import_rows.NOT_A_TIME.format(value="2026-03-09"), id="day"
    ),
    pytest.param(
        contact(occurred_at="2026-03-08 02:30"),
        "occurred_at",
        import_rows.NO_SUCH_LOCAL_TIME.format(value="2026-03-08 02:30", zone="America/New_York"),
        id="skipped-hour",
    ),
    pytest.param(contact(occurred_at=""), "occurred_at", rules.REQUIRED, id="no-time"),
    pytest.param(contact(kind="enforcement"), "action_type", rules.ENFORCEMENT_DETAIL_REQUIRED, id="no-details"),
    pytest.param(contact(kind="enforcement", **NO_DETAILS), "demographics_source", rules.REQUIRED, id="half-details"),
    pytest.param(contact(**ARREST), "action_type", rules.ENFORCEMENT_DETAIL_NOT_ALLOWED, id="details-on-a-contact"),
    pytest.param(
        contact(kind="enforcement", **{**ARREST, "admin_consulted": "false"}),
        "admin_consulted_role",
        rules.CONSULTED_ROLE_WITHOUT_CONSULTATION,
        id="consulted-role",
    ),
    pytest.param(
        contact(kind="enforcement", **{**ARREST, "sex": "m"}),
        "sex",
        rules.NOT_A_CODE.format(value="m", codes=rules.ENFORCEMENT_RULES["sex"].code_list),
        id="sex",
    ),
    pytest.param(contact(service="diversion"), "service", rules.SERVICE_ONLY_FOR_REFERRALS, id="service"),
    pytest.param(contact(staff_role="teacher"), "staff_role", rules.STAFF_ROLE_ONLY_FOR_STAFF, id="staff-role"),
    pytest.param(contact(duration_minutes="0"), "duration_minutes", rules.TOO_SMALL.format(limit=1), id="zero"),
    pytest.param(
        contact(duration_minutes="2000"), "duration_minutes", rules.TOO_LARGE.format(limit=1440), id="day-long"
    ),
    pytest.param(
        contact(student_count="ten"), "student_count", import_rows.NOT_A_NUMBER.format(value="ten"), id="count"
    ),
    pytest.param(
        contact(kind="referral", instead_of_enforcement="maybe"),
        "instead_of_enforcement",
        import_rows.NOT_YES_OR_NO.format(value="maybe"),
        id="flag",
    ),
    pytest.param(contact(client_uuid="1234"), "client_uuid", import_rows.NOT_A_UUID.format(value="1234"), id="uuid"),
    pytest.param(contact(client_uuid=REPEATED), "client_uuid", import_rows.UUID_REPEATED, id="repeated-uuid"),
]


@pytest.mark.parametrize(("bad", "column", "reason"), BAD_ROWS)
def test_a_bad_row_is_reported_with_line_column_and_reason_and_nothing_is_stored(world, tmp_path, bad, column, reason):
    rows = [contact(client_uuid=REPEATED), bad, contact(kind="enforcement", **ARREST)]
    job = _refused(world, tmp_path, rows)
    assert problems(job) == [(3, column, reason)]


def test_a_client_uuid_of_another_agencys_record_is_refused(world, tmp_path):
    other = tmp_path / "harlow"
    other.mkdir()
    harlow_row = contact(client_uuid=TAKEN, badge_number="7", school_nces_id=HARLOW_HIGH)
    import_file(write_csv(other, [harlow_row]), world.other_agency)
    job = _refused(world, tmp_path, [contact(client_uuid=TAKEN)])
    assert problems(job) == [(2, "client_uuid", import_rows.UUID_TAKEN)]


def test_every_bad_row_is_reported_not_just_the_first(world, tmp_path):
    rows = [contact(), contact(kind="chat"), contact(), contact(badge_number="0", note="me@example.org"), contact()]
    job = _refused(world, tmp_path, rows)
    assert [(line, column) for line, column, _ in problems(job)] == [
        (3, "kind"),
        (5, "badge_number"),
        (5, "note"),
    ]


def test_problems_beyond_the_first_200_are_counted_not_listed(world, tmp_path):
    rows = [contact(kind="chat") for _ in range(MAX_ERRORS_SHOWN + 50)]
    job = _refused(world, tmp_path, rows)
    assert len(job.errors) == MAX_ERRORS_SHOWN
    assert job.errors_not_shown == 50
    assert job.errors[-1]["line"] == MAX_ERRORS_SHOWN + 1


def test_a_line_with_too_few_values_is_reported(world, tmp_path):
    path = tmp_path / "short.csv"
    path.write_text(f"badge_number,school_nces_id,kind,occurred_at\n101,{ELEMENTARY},positive\n")
    before = table_counts()
    with pytest.raises(CommandError):
        import_file(path, world.agency)
    assert table_counts() == before
    assert problems(last_import()) == [(2, "", import_rows.WRONG_CELL_COUNT.format(found=3, expected=4))]


def test_a_row_spanning_lines_is_reported_at_the_line_it_starts_on(world, tmp_path):
    rows = [contact(note="two\nlines"), contact(kind="chat")]
    job = _refused(world, tmp_path, rows)
    assert [line for line, _, _ in problems(job)] == [4]


@pytest.mark.parametrize(
    ("header", "column", "reason"),
    [
        (["student_id"], "student_id", import_rows.NO_STUDENT_IDS.format(name="student_id")),
        (["duration"], "duration", import_rows.UNKNOWN_COLUMN.format(name="duration")),
        (["kind"], "kind", import_rows.REPEATED_COLUMN.format(name="kind")),
    ],
)
def test_a_wrong_column_stops_the_import_before_any_row(world, tmp_path, header, column, reason):
    columns = ["badge_number", "school_nces_id", "kind", "occurred_at", *header]
    job = _refused(world, tmp_path, [contact()], header=columns)
    assert problems(job) == [(1, column, reason)]


def test_a_missing_required_column_is_named(world, tmp_path):
    job = _refused(world, tmp_path, [contact()], header=["badge_number", "kind", "occurred_at"])
    assert problems(job) == [(1, "school_nces_id", import_rows.MISSING_COLUMN.format(name="school_nces_id"))]


def test_an_empty_file_is_refused(world, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError):
        import_file(path, world.agency)
    assert problems(last_import()) == [(1, "", import_rows.EMPTY_FILE)]


def test_a_file_that_is_not_utf8_is_refused(world, tmp_path):
    path = tmp_path / "latin1.csv"
    text = f"badge_number,school_nces_id,kind,occurred_at,note\n101,{ELEMENTARY},positive,2026-03-09 10:00,caf\xe9\n"
    path.write_bytes(text.encode("latin-1"))
    before = table_counts()
    with pytest.raises(CommandError):
        import_file(path, world.agency)
    assert table_counts() == before
    assert [reason for _, _, reason in problems(last_import())] == [import_rows.NOT_UTF8]


def test_the_command_lists_the_problems_on_standard_error(world, tmp_path):
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 1 problems"):
        import_file(write_csv(tmp_path, [contact(kind="chat")]), world.agency, stderr=err)
    assert "line 2 [kind]: “chat” is not a code" in err.getvalue()


def test_the_same_note_rule_refuses_a_row_and_an_api_record_alike(world, tmp_path, api_as):
    note = "Call jay.doe@example.org"
    response = api_as("officer").post(
        "/interactions", {"school": str(world.elementary.uuid), "kind": "positive", "note": note}
    )
    job = _refused(world, tmp_path, [contact(note=note)])
    assert response.json()["error"]["fields"]["note"] == [reason for _, _, reason in problems(job)]


def test_a_cell_too_large_to_be_csv_stops_the_reading_there(world, tmp_path):
    job = _refused(world, tmp_path, [contact(), contact(note="x" * 200_000), contact()])
    assert [(line, column) for line, column, _ in problems(job)] == [(3, "")]
    assert problems(job)[0][2].startswith("Line 3 of ")  # longer than bounded_input.MAX_LINE_CHARS
    assert "is longer than" in problems(job)[0][2]


def test_a_client_uuid_repeated_in_a_later_chunk_is_still_reported(world, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    rows = [contact(client_uuid=REPEATED), contact(), contact(), contact(client_uuid=REPEATED), contact()]
    job = _refused(world, tmp_path, rows)
    assert problems(job) == [(5, "client_uuid", import_rows.UUID_REPEATED)]


def test_a_problem_in_the_chunk_read_ahead_survives_the_chunk_before_being_undone(world, tmp_path, monkeypatch):
    """The next chunk is read while the one before is still being stored; when that one is undone (an
    id stored before), the problems found reading ahead are still reported, once, in line order."""
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    stored = contact(client_uuid=str(uuid.uuid4()))
    import_file(write_csv(tmp_path, [stored], name="first.csv"), world.agency)
    path = write_csv(tmp_path, [contact(), stored, contact(), contact()], name="second.csv")
    lines = path.read_text().splitlines()
    lines.insert(4, "only,two")  # line 5, the first row of the chunk read ahead
    path.write_text("\n".join(lines) + "\n")
    width = len(lines[0].split(","))
    before = table_counts()
    with pytest.raises(CommandError):
        import_file(path, world.agency)
    assert table_counts() == before
    job = last_import()
    assert problems(job) == [(5, "", import_rows.WRONG_CELL_COUNT.format(found=2, expected=width))]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite checks foreign keys at commit, which a test never reaches"
)
def test_a_school_gone_before_the_end_fails_the_whole_import(world, tmp_path, monkeypatch):
    read = imports.import_context

    def school_deleted_meanwhile(agency, actor, *, after_id):
        context = read(agency, actor, after_id=after_id)
        served = context.schools[ELEMENTARY]
        context.schools[ELEMENTARY] = import_rows.School(10**9, served.district_id)  # an id no row has
        return context

    monkeypatch.setattr(imports, "import_context", school_deleted_meanwhile)
    job = _refused(world, tmp_path, [contact(), contact()])
    assert problems(job) == [(None, "client_uuid", imports.RACED)]
