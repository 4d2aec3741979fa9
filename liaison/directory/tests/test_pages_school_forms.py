"""Adding and editing schools and their enrollment counts (district admins)."""

from __future__ import annotations

from django.urls import reverse

from liaison.directory import services, validators
from liaison.directory.models import (
    GRADES_OUT_OF_ORDER,
    NCES_SCHOOL_DISTRICT_MISMATCH,
    SUBGROUP_ABOVE_TOTAL,
    Enrollment,
    School,
)
from liaison.directory.tests.pages import field_errors, row_counts

NEW_SCHOOL = {
    "name": "Millbrook Middle",
    "nces_id": "250000100002",
    "level": "middle",
    "lowest_grade": "6",
    "highest_grade": "8",
    "address": "",
}


def _create_url(world):
    return reverse("directory:school_create", args=[world.district.uuid])


def _enrollment_url(world, year=None):
    if year is None:
        return reverse("directory:enrollment_create", args=[world.elementary.uuid])
    return reverse("directory:enrollment_edit", args=[world.elementary.uuid, year])


def test_district_admin_adds_a_school(page_as, world):
    response = page_as("district_admin").post(_create_url(world), NEW_SCHOOL)
    school = School.objects.get(nces_id="250000100002")
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:school_detail", args=[school.uuid])
    assert (school.district, school.lowest_grade, school.highest_grade) == (world.district, 6, 8)


def test_an_nces_id_outside_the_district_is_named_and_nothing_is_written(page_as, world):
    before = row_counts()
    response = page_as("district_admin").post(_create_url(world), {**NEW_SCHOOL, "nces_id": "500000100002"})
    assert field_errors(response, "nces_id") == [NCES_SCHOOL_DISTRICT_MISMATCH.format(district="2500001")]
    assert row_counts() == before


def test_grades_out_of_order_are_named_on_the_highest_grade(page_as, world):
    before = row_counts()
    response = page_as("district_admin").post(_create_url(world), {**NEW_SCHOOL, "lowest_grade": "9"})
    assert field_errors(response, "highest_grade") == [GRADES_OUT_OF_ORDER]
    assert row_counts() == before


def test_a_taken_nces_id_is_named_on_the_nces_id(page_as, world):
    before = row_counts()
    response = page_as("district_admin").post(_create_url(world), {**NEW_SCHOOL, "nces_id": world.high.nces_id})
    assert len(field_errors(response, "nces_id")) == 1
    assert row_counts() == before


def test_district_admin_edits_a_school(page_as, world):
    url = reverse("directory:school_edit", args=[world.elementary.uuid])
    form = page_as("district_admin").get(url).context["form"]
    response = page_as("district_admin").post(url, {**form.initial, "address": "1 School St"})
    assert response.status_code == 302
    world.elementary.refresh_from_db()
    assert world.elementary.address == "1 School St"


def test_a_failed_edit_leaves_the_school_as_it_was(page_as, world):
    url = reverse("directory:school_edit", args=[world.elementary.uuid])
    before = row_counts()
    response = page_as("district_admin").post(url, {**NEW_SCHOOL, "name": "Renamed", "lowest_grade": "12"})
    assert field_errors(response, "highest_grade") == [GRADES_OUT_OF_ORDER]
    world.elementary.refresh_from_db()
    assert world.elementary.name == "Millbrook Elementary"
    assert row_counts() == before


def test_district_admin_adds_a_year_of_enrollment_leaving_uncollected_counts_blank(page_as, world):
    data = {"school_year": "2025-2026", "total": "410", "white": "300", "hispanic_latino": "0", "asian": ""}
    response = page_as("district_admin").post(_enrollment_url(world), data)
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(school=world.elementary, school_year="2025-2026")
    assert (enrollment.total, enrollment.white, enrollment.hispanic_latino, enrollment.asian) == (410, 300, 0, None)


def test_a_subgroup_larger_than_the_total_is_named_and_nothing_is_written(page_as, world):
    before = row_counts()
    data = {"school_year": "2025-2026", "total": "100", "white": "300"}
    response = page_as("district_admin").post(_enrollment_url(world), data)
    assert field_errors(response, "white") == [SUBGROUP_ABOVE_TOTAL]
    assert row_counts() == before


def test_a_malformed_school_year_is_named(page_as, world):
    response = page_as("district_admin").post(_enrollment_url(world), {"school_year": "2025-2027", "total": "1"})
    assert field_errors(response, "school_year") == [validators.SCHOOL_YEAR_INVALID]


def test_editing_a_year_starts_from_its_counts_and_keeps_the_year(page_as, world):
    services.enrollment_set(
        actor=world.users["platform_admin"], school=world.elementary, school_year="2024-2025", total=412, white=300
    )
    client = page_as("district_admin")
    form = client.get(_enrollment_url(world, "2024-2025")).context["form"]
    assert (form.initial["total"], form.initial["white"], form.initial["asian"]) == (412, 300, None)
    response = client.post(_enrollment_url(world, "2024-2025"), {"school_year": "1999-2000", "total": "415"})
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(school=world.elementary)
    assert (enrollment.school_year, enrollment.total, enrollment.white) == ("2024-2025", 415, None)


def test_a_school_year_in_the_address_that_is_not_one_is_not_found(page_as, world):
    assert page_as("district_admin").get(_enrollment_url(world, "next-year")).status_code == 404
