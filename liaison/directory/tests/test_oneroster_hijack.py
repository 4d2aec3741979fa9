"""A second district's roster that reuses short sourcedIds cannot rename or renumber the first's."""

from __future__ import annotations

import pytest

from liaison.directory.models import District, School
from liaison.directory.roster_imports import roster_import_run
from liaison.directory.tests.test_oneroster_sets import millbrook_set

YEAR = "2025-2026"
pytestmark = pytest.mark.django_db


def _eastfield_set(*, school_nces: dict[str, str] | None = None):
    """Another district's export with the very same sourcedIds as Millbrook's."""
    roster = millbrook_set()
    renumber = school_nces or {}
    for row in roster.tables["orgs.csv"].rows:
        if row["type"] == "district":
            row.update(name="Eastfield Public Schools", identifier="2500002")
        elif row["type"] == "school":
            row["name"] = row["name"].replace("Millbrook", "Eastfield")
            row["identifier"] = renumber.get(row["sourcedId"], row["identifier"].replace("2500001", "2500002", 1))
    return roster


def _schools() -> dict[str, tuple[str, str]]:
    return {s.nces_id: (s.name, s.district.nces_id) for s in School.objects.select_related("district")}


def test_reused_sourced_ids_of_another_district_leave_the_first_untouched(tmp_path):
    assert roster_import_run(path=millbrook_set().write(tmp_path / "a"), school_year=YEAR, actor=None).succeeded
    before = _schools()
    outcome = roster_import_run(path=_eastfield_set().write(tmp_path / "b"), school_year=YEAR, actor=None)
    assert outcome.succeeded, outcome.errors
    after = _schools()
    assert {nces: after[nces] for nces in before} == before
    assert District.objects.get(nces_id="2500001").name == "Millbrook Public Schools"
    assert District.objects.get(nces_id="2500002").name == "Eastfield Public Schools"
    assert after["250000200001"] == ("Eastfield Elementary", "2500002")


# --- column names ---------------------------------------------------------------------------------


def _rename_column(roster, file: str, old: str, new: str) -> None:
    table = roster.tables[file]
    table.header = [new if column == old else column for column in table.header]
    for row in table.rows:
        if old in row:
            row[new] = row.pop(old)


def test_a_misspelled_demographics_column_is_an_error_naming_file_column_and_known_name(tmp_path):
    from liaison.directory.oneroster import NEAR_MISS_COLUMN

    roster = millbrook_set()
    _rename_column(roster, "demographics.csv", "blackOrAfricanAmerican", "blackOrAfricanAmerian")
    outcome = roster_import_run(path=roster.write(tmp_path / "set"), school_year=YEAR, actor=None)
    assert not outcome.succeeded
    reason = NEAR_MISS_COLUMN.format(heading="blackOrAfricanAmerian", known="blackOrAfricanAmerican")
    assert {(e["file"], e["column"], e["reason"]) for e in outcome.errors} >= {
        ("demographics.csv", "blackOrAfricanAmerian", reason)
    }
    assert not School.objects.exists()


def test_a_vendors_own_column_is_listed_as_ignored(tmp_path):
    from liaison.directory.oneroster import IGNORED_COLUMN

    roster = millbrook_set()
    table = roster.tables["users.csv"]
    table.header.append("x_vendor_homeroom")
    outcome = roster_import_run(path=roster.write(tmp_path / "set"), school_year=YEAR, actor=None)
    assert outcome.succeeded, outcome.errors
    assert IGNORED_COLUMN.format(file="users.csv", heading="x_vendor_homeroom") in outcome.summary["warnings"]


# --- a re-import that would overwrite what is known -----------------------------------------------


def test_a_reimport_that_narrows_a_grade_span_or_loses_counts_changes_nothing_unconfirmed(tmp_path):
    from liaison.directory import roster_imports as r

    assert roster_import_run(path=millbrook_set().write(tmp_path / "a"), school_year=YEAR, actor=None).succeeded
    before = _schools()
    partial = millbrook_set()
    _rename_column(partial, "demographics.csv", "white", "x_vendor_race_code")  # White: "not collected"
    partial.tables["orgs.csv"].row("s-elem")["name"] = "Renamed Elementary"
    outcome = roster_import_run(path=partial.write(tmp_path / "b"), school_year=YEAR, actor=None)
    assert not outcome.succeeded
    reasons = [error["reason"] for error in outcome.errors]
    assert r.CONFIRM_CHANGES in reasons
    assert r.RENAMES.format(kind="School", old="Millbrook Elementary", new="Renamed Elementary") in reasons
    assert any("would become" in reason and "white" in reason for reason in reasons), reasons
    assert _schools() == before
    confirmed = roster_import_run(path=tmp_path / "b", school_year=YEAR, actor=None, confirm=True)
    assert confirmed.succeeded, confirmed.errors
    assert School.objects.get(nces_id="250000100001").name == "Renamed Elementary"
