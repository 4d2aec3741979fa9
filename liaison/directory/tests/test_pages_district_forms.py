"""Adding and editing districts, and the dates of a partnership (ending one)."""

from __future__ import annotations

import datetime

from django.urls import reverse

from liaison.directory.models import PARTNERSHIP_ENDS_BEFORE_START, District
from liaison.directory.selectors import agency_schools_served
from liaison.directory.tests.pages import field_errors, row_counts

NEW_DISTRICT = {"name": "Eastfield Public Schools", "state": "MA", "nces_id": "2599999"}


def test_the_platform_admin_adds_a_district_from_the_district_list(page_as, world):
    client = page_as("platform_admin")
    listing = client.get(reverse("directory:district_list")).content.decode()
    assert reverse("directory:district_create") in listing and "Millbrook Public Schools" in listing
    response = client.post(reverse("directory:district_create"), NEW_DISTRICT, follow=True)
    district = District.objects.get(nces_id="2599999")
    assert response.redirect_chain[-1][0] == reverse("directory:district_detail", args=[district.uuid])
    assert "Added Eastfield Public Schools." in response.content.decode()


def test_a_district_whose_id_is_not_of_its_state_is_named_and_not_saved(page_as, world):
    before = row_counts()
    response = page_as("platform_admin").post(reverse("directory:district_create"), {**NEW_DISTRICT, "state": "VT"})
    assert field_errors(response, "nces_id")
    assert row_counts() == before


def test_a_district_list_shows_only_the_districts_one_sees(page_as, world):
    page = page_as("agency_admin").get(reverse("directory:district_list")).content.decode()
    assert "Millbrook Public Schools" in page and "Harlow Union" not in page
    assert reverse("directory:district_create") not in page


def test_the_district_admin_edits_their_district(page_as, world):
    client = page_as("district_admin")
    detail = client.get(reverse("directory:district_detail", args=[world.district.uuid])).content.decode()
    assert reverse("directory:district_edit", args=[world.district.uuid]) in detail
    response = client.post(
        reverse("directory:district_edit", args=[world.district.uuid]), {**NEW_DISTRICT, "nces_id": "2500001"}
    )
    assert response.status_code == 302
    world.district.refresh_from_db()
    assert world.district.name == "Eastfield Public Schools"


def test_ending_a_partnership_takes_its_schools_out_of_what_the_agency_serves(page_as, world):
    partnership = world.agency.partnerships.get()
    url = reverse("directory:partnership_edit", args=[partnership.uuid])
    client = page_as("platform_admin")
    agency_page = client.get(reverse("directory:agency_detail", args=[world.agency.uuid])).content.decode()
    assert url in agency_page
    response = client.post(url, {"start_date": "2020-07-01", "end_date": "2025-06-30"}, follow=True)
    assert "Saved the dates of Millbrook Police Department serving Millbrook Public Schools." in (
        response.content.decode()
    )
    partnership.refresh_from_db()
    assert partnership.end_date == datetime.date(2025, 6, 30)
    assert agency_schools_served(agency=world.agency, on=datetime.date(2025, 6, 30)).count() == 2
    assert agency_schools_served(agency=world.agency, on=datetime.date(2025, 7, 1)).count() == 0


def test_a_partnership_cannot_end_before_it_starts(page_as, world):
    partnership = world.agency.partnerships.get()
    before = row_counts()
    response = page_as("platform_admin").post(
        reverse("directory:partnership_edit", args=[partnership.uuid]),
        {"start_date": "2020-07-01", "end_date": "2019-06-30"},
    )
    assert response.status_code == 200
    assert field_errors(response, "end_date") == [PARTNERSHIP_ENDS_BEFORE_START]
    assert not response.context["form"].non_field_errors()
    assert row_counts() == before
    partnership.refresh_from_db()
    assert partnership.end_date is None
