"""manage.py import_oneroster: counts, formats, re-imports, all-or-nothing, and no student kept."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from liaison.accounts.models import AuditEntry
from liaison.directory.models import District, Enrollment, School
from liaison.directory.tests.test_oneroster_sets import (
    ELEMENTARY,
    EXPECTED,
    EXPECTED_GRADES,
    HIGH,
    MIDDLE,
    STUDENT_IDS,
    STUDENT_NAMES,
    RosterSet,
    millbrook_set,
)
from liaison.directory.validators import SCHOOL_YEAR_INVALID

YEAR = "2025-2026"
pytestmark = pytest.mark.django_db


def run(path, *, year: str = YEAR, progress: bool = False, confirm: bool = False) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    options: dict = ({} if progress else {"no_progress": True}) | ({"confirm": True} if confirm else {})
    call_command("import_oneroster", str(path), school_year=year, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def run_failing(path) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_oneroster", str(path), school_year=YEAR, no_progress=True, stderr=err)
    return err.getvalue()


def enrollment_counts() -> dict[str, dict[str, int | None]]:
    fields = ("total", *EXPECTED[ELEMENTARY].keys() - {"total"})
    return {
        enrollment.school.nces_id: {name: getattr(enrollment, name) for name in fields}
        for enrollment in Enrollment.objects.filter(school_year=YEAR).select_related("school")
    }


def directory_snapshot() -> list[tuple]:
    """Every stored district, school, enrollment and audit entry, to compare before and after."""
    return [
        *District.objects.values_list(),
        *School.objects.values_list(),
        *Enrollment.objects.values_list(),
        *AuditEntry.objects.values_list("id", "action", "object_type"),
    ]


def test_it_creates_the_district_and_schools_and_stores_the_hand_counted_enrollment(tmp_path):
    out, _ = run(millbrook_set().write(tmp_path / "set"))
    district = District.objects.get()
    assert (district.name, district.nces_id, district.state, district.sourced_id) == (
        "Millbrook Public Schools",
        "2500001",
        "MA",
        "d-mill",
    )
    schools = {school.nces_id: school for school in School.objects.all()}
    for nces, (lowest, highest, level) in EXPECTED_GRADES.items():
        assert (schools[nces].lowest_grade, schools[nces].highest_grade, schools[nces].level) == (
            lowest,
            highest,
            level,
        )
        assert schools[nces].district == district
    assert enrollment_counts() == EXPECTED
    assert set(Enrollment.objects.values_list("source", flat=True)) == {"oneroster"}
    assert "13 students in 3 schools" in out


def test_disability_and_english_learner_counts_stay_blank_never_zero(tmp_path):
    run(millbrook_set().write(tmp_path / "set"))
    for enrollment in Enrollment.objects.all():
        assert (enrollment.disability_idea, enrollment.disability_504_only, enrollment.english_learner) == (
            None,
            None,
            None,
        )


def test_it_matches_the_stored_district_and_schools_by_nces_id(world, tmp_path):
    run(millbrook_set().write(tmp_path / "set"))
    world.elementary.refresh_from_db()
    assert world.elementary.sourced_id == "s-elem"
    assert District.objects.filter(nces_id="2500001").get() == world.district
    assert School.objects.filter(district=world.district).count() == 3  # elementary, high, and the new middle


def test_a_reimport_updates_rather_than_duplicates(tmp_path):
    run(millbrook_set().write(tmp_path / "first"))
    counts = (District.objects.count(), School.objects.count(), Enrollment.objects.count())
    roster_set = millbrook_set()
    roster_set.tables["orgs.csv"].row("s-elem")["name"] = "Millbrook Elementary School"  # renamed, same sourcedId
    demographics = roster_set.tables["demographics.csv"]
    demographics.row("stu-002")["white"] = "false"  # no longer White
    assert "would be renamed 'Millbrook Elementary School'" in run_failing(roster_set.write(tmp_path / "second"))
    assert School.objects.get(nces_id=ELEMENTARY).name == "Millbrook Elementary"
    out, _ = run(tmp_path / "second", confirm=True)
    assert (District.objects.count(), School.objects.count(), Enrollment.objects.count()) == counts
    assert School.objects.get(nces_id=ELEMENTARY).name == "Millbrook Elementary School"
    assert enrollment_counts()[ELEMENTARY]["white"] == EXPECTED[ELEMENTARY]["white"] - 1
    assert "1 updated" in out


def test_an_unchanged_reimport_changes_and_audits_nothing_but_the_import(tmp_path):
    path = millbrook_set().write(tmp_path / "set")
    run(path)
    before = AuditEntry.objects.exclude(action=AuditEntry.Action.IMPORT).count()
    out, _ = run(path)
    assert AuditEntry.objects.exclude(action=AuditEntry.Action.IMPORT).count() == before
    assert AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT).count() == 2
    assert "Enrollment rows: 3 unchanged." in out


def test_every_change_is_audited_and_the_import_is_summarised_per_district(tmp_path):
    run(millbrook_set().write(tmp_path / "set"))
    created = set(AuditEntry.objects.filter(action="create").values_list("object_type", flat=True))
    assert created == {"directory.district", "directory.school", "directory.enrollment"}
    entry = AuditEntry.objects.get(action=AuditEntry.Action.IMPORT)
    assert entry.district == District.objects.get()
    assert entry.after["schools"][HIGH]["total"] == 5
    assert entry.after["schools"][MIDDLE]["hispanic_latino"] == 1


def test_it_reads_a_zip(tmp_path):
    run(millbrook_set().zip(tmp_path / "roster.zip"))
    assert enrollment_counts() == EXPECTED


def test_it_reads_oneroster_12_with_roles_csv(tmp_path):
    out, _ = run(millbrook_set(version="1.2").write(tmp_path / "set"))
    assert enrollment_counts() == EXPECTED
    assert "OneRoster 1.2" in out


def test_it_places_students_by_class_enrollments(tmp_path):
    run(millbrook_set(placement="enrollments").write(tmp_path / "set"))
    assert enrollment_counts() == EXPECTED


def test_it_accepts_the_known_misspelled_race_columns(tmp_path):
    roster_set = millbrook_set()
    demographics = roster_set.tables["demographics.csv"]
    demographics.rename("demographicRaceTwoOrMoreRaces", "demographicRaceTwoorMoreRaces")
    demographics.rename("americanIndianOrAlaskaNative", "americanIndianorAlaskaNative")
    demographics.rename("nativeHawaiianOrOtherPacificIslander", "nativeHawaiianOrOtherPacificIslande")
    run(roster_set.write(tmp_path / "set"))
    assert enrollment_counts() == EXPECTED


def test_subgroups_the_files_do_not_carry_stay_blank(tmp_path):
    roster_set = millbrook_set()
    roster_set.tables["demographics.csv"].header.remove("sex")
    out, _ = run(roster_set.write(tmp_path / "set"))
    enrollment = Enrollment.objects.get(school__nces_id=HIGH)
    assert (enrollment.male, enrollment.female, enrollment.nonbinary) == (None, None, None)
    assert enrollment.black == 1
    assert "male, female, nonbinary" in out


def test_a_failing_import_changes_nothing_at_all(world, tmp_path):
    before = directory_snapshot()
    roster_set = millbrook_set()
    demographics = roster_set.tables["demographics.csv"]
    demographics.row("stu-014")["white"] = "yes"  # one bad cell, in the last file read
    err = run_failing(roster_set.write(tmp_path / "set"))
    assert f"demographics.csv:{demographics.line_of('stu-014')} [white]: Expected true or false." in err
    assert directory_snapshot() == before


def test_it_prints_a_progress_bar(tmp_path):
    _, err = run(millbrook_set().write(tmp_path / "set"), progress=True)
    assert "Reading" in err
    assert "Saving" in err


def test_the_school_year_is_checked_first(tmp_path):
    with pytest.raises(CommandError, match=SCHOOL_YEAR_INVALID):
        run(millbrook_set().write(tmp_path / "set"), year="2025-2027")


def _every_stored_value() -> str:
    """All rows of all tables, as one string."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_no_student_is_stored_anywhere_after_an_import(tmp_path):
    run(millbrook_set().write(tmp_path / "set"))
    failing: RosterSet = millbrook_set()
    failing.tables["users.csv"].row("stu-001")["grades"] = "Zephyrine"  # a name in the wrong column
    run_failing(failing.write(tmp_path / "failing"))
    stored = _every_stored_value()
    assert "Millbrook Middle" in stored  # the search does see the data
    for needle in (*STUDENT_NAMES, *STUDENT_IDS, "Example"):
        assert needle not in stored, needle
