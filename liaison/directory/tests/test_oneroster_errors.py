"""Every kind of error a roster can hold is reported with its file, line and column, all at once."""

from __future__ import annotations

import zipfile

import pytest

from liaison.directory import oneroster as o
from liaison.directory import roster_imports as r
from liaison.directory.models import District, School
from liaison.directory.roster_imports import roster_import_run
from liaison.directory.tests.test_oneroster_sets import RosterSet, millbrook_set

pytestmark = pytest.mark.django_db
YEAR = "2025-2026"


def errors_of(path, **options) -> set[tuple]:
    outcome = roster_import_run(path=path, school_year=YEAR, actor=None, **options)
    assert not outcome.succeeded
    return {(e["file"], e["line"], e["column"], e["reason"]) for e in outcome.errors}


def broken_set() -> tuple[RosterSet, dict[str, int]]:
    """The Millbrook set with one of each row-level problem; returns it and the lines to expect."""
    roster_set = millbrook_set(placement="enrollments")
    orgs, users = roster_set.tables["orgs.csv"], roster_set.tables["users.csv"]
    demographics, enrollments = roster_set.tables["demographics.csv"], roster_set.tables["enrollments.csv"]

    def school(sourced_id: str, name: str, nces: str, parent: str = "d-mill") -> int:
        row = {"sourcedId": sourced_id, "name": name, "type": "school", "identifier": nces}
        return orgs.add(row | {"parentSourcedId": parent})

    def district(sourced_id: str, nces: str, **extra: str) -> int:
        return orgs.add({"sourcedId": sourced_id, "name": "Bad", "type": "district", "identifier": nces} | extra)

    def enrollment(sourced_id: str, school: str, user: str) -> int:
        row = {"sourcedId": sourced_id, "schoolSourcedId": school, "userSourcedId": user}
        return enrollments.add(row | {"role": "student"})

    at = {
        "twin": school("s-elem", "Twin", "250000100009"),
        "bad_nces": school("s-bad-nces", "Bad NCES", "2500-1"),
        "orphan": school("s-orphan", "Orphan", "250000100010", parent="nope"),
        "far": school("s-far", "Far", "360000100001"),
        "dup_nces": school("s-dup-nces", "", "250000100001"),
        "bad_district": district("d-bad", "9900001", status="gone"),
        "short": district("d-short", "25001"),
        "dup_user": users.add(dict(users.row("stu-005"))),
        "ghost": demographics.add({"sourcedId": "stu-999", "sex": "female"}),
        "not_school": enrollment("enr-x", "d-mill", "stu-001"),
        "no_user": enrollment("enr-y", "s-mid", "stu-404"),
        "delta": roster_set.tables["manifest.csv"].add({"propertyName": "file.enrollments", "value": "delta"}),
        "enabled": users.line_of("stu-002"),
        "grade": users.line_of("stu-003"),
        "org": users.line_of("stu-004"),
        "asian": demographics.line_of("stu-006"),
        "sex": demographics.line_of("stu-007"),
    }
    users.row("stu-002")["enabledUser"] = "yes"
    users.row("stu-003")["grades"] = "Year 3"
    users.row("stu-004")["orgSourcedIds"] = "d-mill,s-nowhere"
    demographics.row("stu-006")["asian"] = "Y"
    demographics.row("stu-007")["sex"] = "M."
    return roster_set, at


def test_every_row_level_problem_is_reported_with_its_file_line_and_column(tmp_path):
    roster_set, at = broken_set()
    found = errors_of(roster_set.write(tmp_path / "set"))
    expected = {
        ("orgs.csv", at["twin"], "sourcedId", o.DUPLICATE_SOURCED_ID),
        ("orgs.csv", at["bad_nces"], "identifier", o.UNKNOWN_LOCAL_CODE.format(value="2500-1")),
        ("orgs.csv", at["orphan"], "parentSourcedId", o.PARENT_NOT_DISTRICT.format(value="nope")),
        ("orgs.csv", at["far"], "identifier", o.NCES_OUTSIDE_DISTRICT.format(district="2500001")),
        ("orgs.csv", at["dup_nces"], "identifier", o.DUPLICATE_NCES.format(value="250000100001")),
        ("orgs.csv", at["dup_nces"], "name", o.MISSING_VALUE),
        ("orgs.csv", at["bad_district"], "status", o.BAD_STATUS),
        ("orgs.csv", at["bad_district"], "identifier", o.UNKNOWN_FIPS.format(value="9900001")),
        ("orgs.csv", at["short"], "identifier", o.BAD_DISTRICT_NCES.format(value="25001")),
        ("users.csv", at["enabled"], "enabledUser", o.BAD_BOOLEAN),
        ("users.csv", at["grade"], "grades", o.BAD_GRADE),
        ("users.csv", at["org"], "orgSourcedIds", o.UNKNOWN_ORG),
        ("users.csv", at["dup_user"], "sourcedId", o.DUPLICATE_SOURCED_ID),
        ("demographics.csv", at["asian"], "asian", o.BAD_BOOLEAN),
        ("demographics.csv", at["sex"], "sex", o.BAD_SEX),
        ("demographics.csv", at["ghost"], "sourcedId", o.UNKNOWN_USER),
        ("enrollments.csv", at["not_school"], "schoolSourcedId", o.NOT_A_SCHOOL),
        ("enrollments.csv", at["no_user"], "userSourcedId", o.UNKNOWN_USER),
        ("manifest.csv", at["delta"], "value", o.DELTA_NOT_SUPPORTED.format(name="enrollments.csv")),
    }
    assert expected <= found, expected - found
    assert len(found) == len(expected), found - expected


def test_missing_and_doubled_columns_are_reported_on_the_header_line(tmp_path):
    roster_set = millbrook_set()
    roster_set.tables["orgs.csv"].header.remove("identifier")
    demographics = roster_set.tables["demographics.csv"]
    demographics.header.append("Asian")
    demographics.header.remove("sourcedId")
    found = errors_of(roster_set.write(tmp_path / "set"))
    assert found == {
        ("orgs.csv", 1, "identifier", o.MISSING_COLUMN.format(column="identifier")),
        ("demographics.csv", 1, "Asian", o.DUPLICATE_COLUMN.format(column="Asian")),
        ("demographics.csv", 1, "sourcedId", o.MISSING_COLUMN.format(column="sourcedId")),
    }


def test_ragged_rows_and_text_that_is_not_utf8_are_reported(tmp_path):
    roster_set = millbrook_set()
    users = roster_set.tables["users.csv"]
    roster_set.extra["users.csv"] = users.text() + "stu-900,active\n"
    demographics = roster_set.tables["demographics.csv"].text().encode()
    roster_set.extra["demographics.csv"] = demographics.replace(b"2012-05-01", b"2012-05-0\xe9", 1)
    found = errors_of(roster_set.write(tmp_path / "set"))
    assert found == {
        ("users.csv", len(users.rows) + 2, "", o.WRONG_FIELD_COUNT.format(found=2, expected=len(users.header))),
        ("demographics.csv", 2, "birthDate", o.NOT_UTF8),
    }


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("no users", {("users.csv", None, "", o.MISSING_FILE.format(name="users.csv"))}),
        ("empty orgs", {("orgs.csv", None, "", o.EMPTY_FILE)}),
        ("no roles", {("users.csv", None, "role", o.NO_ROLES)}),
        ("no placement", {("users.csv", None, "orgSourcedIds", o.NO_PLACEMENT)}),
        ("no schools", {("orgs.csv", None, "", o.NO_SCHOOLS)}),
    ],
)
def test_problems_with_whole_files_are_reported(tmp_path, change, expected):
    roster_set = millbrook_set()
    tables = roster_set.tables
    if change == "no users":
        del tables["users.csv"]
    elif change == "empty orgs":
        roster_set.extra["orgs.csv"] = ""
    elif change == "no roles":
        tables["users.csv"].header.remove("role")
    elif change == "no placement":
        tables["users.csv"].header.remove("orgSourcedIds")
    else:
        tables["orgs.csv"].rows = tables["orgs.csv"].rows[:1]
        del tables["demographics.csv"]
        tables["users.csv"].rows = []
    assert errors_of(roster_set.write(tmp_path / "set")) == expected


def test_a_path_that_is_no_roster_is_reported(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    assert errors_of(tmp_path / "missing") == {("missing", None, "", o.NOT_A_ROSTER)}
    assert errors_of(tmp_path / "notes.txt") == {("notes.txt", None, "", o.BAD_ZIP)}


def test_a_zip_holding_two_users_files_is_reported(tmp_path):
    path = millbrook_set().zip(tmp_path / "roster.zip")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("old/users.csv", "sourcedId,role\n")
    assert ("users.csv", None, "", o.DUPLICATE_FILE.format(name="users.csv")) in errors_of(path)


def test_roles_csv_rows_are_checked(tmp_path):
    roster_set = millbrook_set(version="1.2")
    roles = roster_set.tables["roles.csv"]
    roles.rows.append({"sourcedId": "role-x", "userSourcedId": "stu-404", "role": "student", "orgSourcedId": "s-elem"})
    roles.rows.append({"sourcedId": "role-y", "userSourcedId": "stu-001", "role": "student", "orgSourcedId": "s-x"})
    assert errors_of(roster_set.write(tmp_path / "set")) == {
        ("roles.csv", len(roles.rows), "userSourcedId", o.UNKNOWN_USER),
        ("roles.csv", len(roles.rows) + 1, "orgSourcedId", o.UNKNOWN_ORG),
    }


# --- checks against what is stored -------------------------------------------------------------


def test_a_district_admin_may_not_import_another_district(world, tmp_path):
    found = errors_of(millbrook_set().write(tmp_path / "set"), district_ids=frozenset({world.other_district.pk}))
    reason = r.DISTRICT_NOT_YOURS.format(name="Millbrook Public Schools", nces="2500001")
    assert found == {("orgs.csv", 2, "identifier", reason)}


def test_a_new_district_is_not_any_district_admins_own(db, tmp_path):
    found = errors_of(millbrook_set().write(tmp_path / "set"), district_ids=frozenset({12345}))
    assert {error[3] for error in found} == {
        r.DISTRICT_NOT_YOURS.format(name="Millbrook Public Schools", nces="2500001")
    }


def test_a_district_is_matched_by_its_nces_id_never_by_a_sourced_id_another_district_shares(world, tmp_path):
    world.district.sourced_id = "d-mill"
    world.district.save()
    millbrook = list(School.objects.filter(district=world.district).values_list("name", "nces_id"))
    roster_set = millbrook_set()
    roster_set.tables["orgs.csv"].row("d-mill")["identifier"] = "5000001"  # Harlow's
    for row in roster_set.tables["orgs.csv"].rows[1:4]:
        row["identifier"] = "50000010" + row["identifier"][-4:]
    outcome = roster_import_run(path=roster_set.write(tmp_path / "set"), school_year=YEAR, actor=None, confirm=True)
    assert outcome.succeeded  # Harlow Union is renamed, as its own roster says: only when confirmed
    world.district.refresh_from_db()
    assert (world.district.name, world.district.nces_id) == ("Millbrook Public Schools", "2500001")
    assert list(School.objects.filter(district=world.district).values_list("name", "nces_id")) == millbrook


def test_a_school_sourced_id_another_district_uses_is_not_that_school(world, tmp_path):
    roster_set = millbrook_set()
    orgs = roster_set.tables["orgs.csv"]
    orgs.row("s-high")["identifier"] = "250000100007"  # not stored yet; Harlow's school has the sourcedId
    world.other_school.sourced_id = "s-high"
    world.other_school.save()
    assert roster_import_run(path=roster_set.write(tmp_path / "set"), school_year=YEAR, actor=None).succeeded
    world.other_school.refresh_from_db()
    assert (world.other_school.name, world.other_school.district) == ("Harlow Union High", world.other_district)
    assert School.objects.get(nces_id="250000100007").district.nces_id == "2500001"


def test_a_new_school_whose_students_have_no_grades_is_reported(db, tmp_path):
    roster_set = millbrook_set()
    for row in roster_set.tables["users.csv"].rows:
        if row["orgSourcedIds"].endswith("s-mid"):
            row["grades"] = ""
    found = errors_of(roster_set.write(tmp_path / "set"))
    assert found == {("orgs.csv", roster_set.tables["orgs.csv"].line_of("s-mid"), "", r.NO_GRADE_SPAN)}
    assert not District.objects.exists() and not School.objects.exists()
