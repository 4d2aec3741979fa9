"""A district's local school codes: who may keep them, the page and the CSV, and the import that uses them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from liaison.accounts.models import AuditEntry
from liaison.conftest import ROLES, World
from liaison.directory import local_codes
from liaison.directory.local_codes import Entry, local_codes_of, local_codes_save
from liaison.directory.models import Enrollment, School, SchoolLocalCode
from liaison.directory.oneroster import UNKNOWN_LOCAL_CODE
from liaison.directory.roster_imports import roster_import_run
from liaison.directory.tests.test_oneroster_sets import EXPECTED, HIGH, millbrook_set
from liaison.directory.validators import LOCAL_CODE_INVALID, LOCAL_CODE_LOOKS_LIKE_NCES

YEAR = "2025-2026"
WRITERS = ("platform_admin", "district_admin")
# Those who can see the district but not change it get 403; the outsiders do not see it (404).
EXPECTED_STATUS = {role: 403 for role in ROLES} | dict.fromkeys(WRITERS, 200) | {"anonymous": 302}
EXPECTED_STATUS |= {"outsider_agency_admin": 404, "outsider_district_admin": 404}


def _url(name: str, world: World) -> str:
    return reverse(f"directory:{name}", args=[world.district.uuid])


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("codes.csv", text.encode(), content_type="text/csv")


def _save(world: World, **codes: str) -> None:
    schools = {"elementary": world.elementary, "high": world.high}
    entries = [Entry(None, schools[name], code) for name, code in codes.items()]
    local_codes_save(actor=world.users["platform_admin"], district=world.district, entries=entries)


# --- who may ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_local_codes_page_and_download_them(page_as, world, role):
    client = page_as(role)
    assert client.get(_url("local_codes", world)).status_code == EXPECTED_STATUS[role]
    assert client.get(_url("local_codes_download", world)).status_code == EXPECTED_STATUS[role]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_save_local_codes_on_the_page_and_by_upload(page_as, world, role):
    client = page_as(role)
    saved = 302 if role in WRITERS else EXPECTED_STATUS[role]
    response = client.post(_url("local_codes", world), {str(world.elementary.uuid): "MES-1"})
    assert response.status_code == saved
    response = client.post(
        _url("local_codes_upload", world), {"file": _csv(f"local_code,nces_id\nMHS,{world.high.nces_id}\n")}
    )
    assert response.status_code == saved
    expected = {world.high.pk: "MHS"} if role in WRITERS else {}
    assert local_codes_of(world.district) == expected


# --- the page ----------------------------------------------------------------------------------------


def test_a_district_admin_gives_schools_their_codes_on_the_page_and_it_is_audited(page_as, world):
    client = page_as("district_admin")
    data = {str(world.elementary.uuid): "MES-1", str(world.high.uuid): "MHS"}
    response = client.post(_url("local_codes", world), data)
    assert response.status_code == 302
    assert local_codes_of(world.district) == {world.elementary.pk: "MES-1", world.high.pk: "MHS"}
    entry = AuditEntry.objects.filter(object_type="directory.schoollocalcode").get()
    assert entry.actor == world.users["district_admin"]
    assert entry.after == {"codes": {world.elementary.nces_id: "MES-1", world.high.nces_id: "MHS"}}
    page = client.get(_url("local_codes", world)).content.decode()
    assert 'value="MES-1"' in page


def test_a_code_given_twice_on_the_page_names_the_field_and_saves_nothing(page_as, world):
    _save(world, elementary="OLD")
    data = {str(world.elementary.uuid): "SAME", str(world.high.uuid): "same"}
    response = page_as("district_admin").post(_url("local_codes", world), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[str(world.high.uuid)] == [local_codes.CODE_TWICE.format(code="same", school=world.elementary)]
    assert local_codes_of(world.district) == {world.elementary.pk: "OLD"}


# --- the CSV -----------------------------------------------------------------------------------------


def test_the_download_lists_every_school_through_the_safe_writer_and_is_audited_as_an_export(page_as, world):
    School.objects.filter(pk=world.high.pk).update(name="=Millbrook High")
    _save(world, elementary="MES")
    response = page_as("district_admin").get(_url("local_codes_download", world))
    lines = response.content.decode().splitlines()
    assert lines[0] == "local_code,nces_id,school"
    assert lines[1:] == [
        f",{world.high.nces_id},'=Millbrook High",
        f"MES,{world.elementary.nces_id},Millbrook Elementary",
    ]
    assert AuditEntry.objects.filter(action="export", summary__contains="local-school-codes").count() == 1


def test_an_upload_replaces_the_mapping(page_as, world):
    _save(world, elementary="OLD")
    text = f"local_code,nces_id,school\n,{world.elementary.nces_id},ignored\nMHS 9,{world.high.nces_id},\n"
    response = page_as("district_admin").post(_url("local_codes_upload", world), {"file": _csv(text)})
    assert response.status_code == 302
    assert local_codes_of(world.district) == {world.high.pk: "MHS 9"}


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(page_as, world):
    _save(world, elementary="OLD")
    text = (
        "local_code,nces_id\n"
        f"A,{world.elementary.nces_id}\n"
        f"B,{world.other_school.nces_id}\n"  # another district's school
        f"{'1' * 12},{world.high.nces_id}\n"  # an NCES-shaped code
        f"C,{world.elementary.nces_id}\n"  # the same school again
        "=cmd,\n"
    )
    response = page_as("district_admin").post(_url("local_codes_upload", world), {"file": _csv(text)})
    assert response.status_code == 200
    found = {(e.row, e.field, e.message) for e in response.context["csv_errors"]}
    assert found == {
        (3, "nces_id", local_codes.UNKNOWN_SCHOOL.format(district=world.district, value=world.other_school.nces_id)),
        (4, "local_code", LOCAL_CODE_LOOKS_LIKE_NCES),
        (5, "nces_id", local_codes.SCHOOL_TWICE.format(school=world.elementary, row=2)),
        (6, "nces_id", local_codes.CSV_MISSING_VALUE),
    }
    assert "<td>4</td><td>local_code</td>" in response.content.decode()
    assert local_codes_of(world.district) == {world.elementary.pk: "OLD"}


def test_a_file_without_the_columns_or_not_utf8_is_refused(page_as, world):
    client = page_as("district_admin")
    response = client.post(_url("local_codes_upload", world), {"file": _csv("code,school\nA,B\n")})
    assert [(e.row, e.field) for e in response.context["csv_errors"]] == [(1, "local_code"), (1, "nces_id")]
    latin1 = SimpleUploadedFile("codes.csv", "local_code,nces_id\nÉcole,1\n".encode("latin-1"))
    response = client.post(_url("local_codes_upload", world), {"file": latin1})
    assert [e.message for e in response.context["csv_errors"]] == [local_codes.CSV_NOT_UTF8]
    assert not SchoolLocalCode.objects.exists()


def test_a_code_with_a_formula_start_is_refused():
    from django.core.exceptions import ValidationError

    from liaison.directory.validators import validate_local_school_code

    with pytest.raises(ValidationError) as raised:
        validate_local_school_code("=cmd")
    assert raised.value.messages == [LOCAL_CODE_INVALID]


# --- the roster import ---------------------------------------------------------------------------------


def _coded_roster(codes: dict[str, str]):
    roster = millbrook_set()
    for row in roster.tables["orgs.csv"].rows:
        if row["sourcedId"] in codes:
            row["identifier"] = codes[row["sourcedId"]]
    return roster


def test_a_roster_whose_identifiers_are_local_codes_imports_through_the_saved_mapping(world, tmp_path):
    _save(world, elementary="MES", high="MHS")
    roster = _coded_roster({"s-elem": "MES", "s-high": "MHS"})
    outcome = roster_import_run(
        path=roster.write(tmp_path / "set"),
        school_year=YEAR,
        actor=world.users["district_admin"],
        district_ids=frozenset({world.district.pk}),
    )
    assert outcome.succeeded, outcome.errors
    assert Enrollment.objects.get(school=world.high).total == EXPECTED[HIGH]["total"]
    assert School.objects.get(pk=world.high.pk).nces_id == HIGH  # the code never replaces the NCES id
    assert not School.objects.filter(nces_id="").exists()


def test_another_districts_code_does_not_match(world, tmp_path):
    other = [Entry(None, world.other_school, "MHS")]
    local_codes_save(actor=world.users["platform_admin"], district=world.other_district, entries=other)
    roster = _coded_roster({"s-high": "MHS"})
    outcome = roster_import_run(path=roster.write(tmp_path / "set"), school_year=YEAR, actor=None, confirm=True)
    assert not outcome.succeeded
    assert ("orgs.csv", "identifier", UNKNOWN_LOCAL_CODE.format(value="MHS")) in {
        (e["file"], e["column"], e["reason"]) for e in outcome.errors
    }
    assert not Enrollment.objects.exists()
