"""Adding and editing agencies, and adding partnerships: success, and errors named on their field."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse

from liaison.directory import services, validators, views
from liaison.directory.models import ORI_STATE_MISMATCH, Agency, Partnership, TrainingCourse
from liaison.directory.tests.pages import field_errors, row_counts

NEW_AGENCY = {
    "name": "Eastfield Police Department",
    "kind": "municipal_police",
    "state": "MA",
    "ori": "MA0999900",
    "time_zone": "America/New_York",
}


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_platform_admin_adds_an_agency_with_the_basic_training_requirement(page_as, world):
    response = page_as("platform_admin").post(reverse("directory:agency_create"), NEW_AGENCY)
    agency = Agency.objects.get(ori="MA0999900")
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:agency_detail", args=[agency.uuid])
    assert _messages(response) == [views.AGENCY_CREATED.format(name="Eastfield Police Department")]
    assert list(agency.training_requirements.values_list("course", flat=True)) == [TrainingCourse.BASIC_SRO]


def test_an_ori_from_another_state_is_named_on_the_ori_and_nothing_is_written(page_as, world):
    before = row_counts()
    response = page_as("platform_admin").post(reverse("directory:agency_create"), {**NEW_AGENCY, "ori": "VT0999900"})
    assert response.status_code == 200
    assert field_errors(response, "ori") == [ORI_STATE_MISMATCH.format(state="MA")]
    assert row_counts() == before


def test_a_missing_name_is_named_on_the_name(page_as, world):
    before = row_counts()
    response = page_as("platform_admin").post(reverse("directory:agency_create"), {**NEW_AGENCY, "name": ""})
    assert field_errors(response, "name") == ["This field is required."]
    assert row_counts() == before


def test_agency_admin_edits_their_agency(page_as, world):
    url = reverse("directory:agency_edit", args=[world.agency.uuid])
    form = page_as("agency_admin").get(url).context["form"]
    assert form.initial["ori"] == "MA0123400"
    response = page_as("agency_admin").post(url, {**form.initial, "name": "Millbrook PD"})
    assert response.status_code == 302
    world.agency.refresh_from_db()
    assert world.agency.name == "Millbrook PD"


def test_a_bad_ori_on_edit_is_named_and_the_agency_is_unchanged(page_as, world):
    url = reverse("directory:agency_edit", args=[world.agency.uuid])
    before = row_counts()
    data = {**NEW_AGENCY, "name": "Renamed", "ori": "MA12"}
    response = page_as("agency_admin").post(url, data)
    assert field_errors(response, "ori") == [validators.ORI_INVALID]
    assert row_counts() == before
    world.agency.refresh_from_db()
    assert (world.agency.name, world.agency.ori) == ("Millbrook Police Department", "MA0123400")
    assert "<h1>Edit Millbrook Police Department</h1>" in response.content.decode()


def test_the_invalid_input_is_marked_for_assistive_technology(page_as, world):
    response = page_as("platform_admin").post(reverse("directory:agency_create"), {**NEW_AGENCY, "ori": "x"})
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_ori_helptext id_ori_error"' in html
    assert 'id="id_ori_helptext"' in html and 'id="id_ori_error"' in html  # both ids it points at exist


def test_platform_admin_adds_a_partnership(page_as, world):
    root = world.users["platform_admin"]
    district = services.district_create(actor=root, name="Eastfield Schools", state="MA", nces_id="2500002")
    data = {"agency": world.agency.uuid, "district": district.uuid, "start_date": "2025-07-01"}
    response = page_as("platform_admin").post(reverse("directory:partnership_create"), data)
    assert response.status_code == 302
    assert Partnership.objects.filter(agency=world.agency, district=district).exists()
    assert _messages(response) == ["Millbrook Police Department now serves Eastfield Schools."]


def test_the_partnership_form_starts_from_the_agency_it_was_opened_from(page_as, world):
    url = f"{reverse('directory:partnership_create')}?agency={world.agency.uuid}"
    html = page_as("platform_admin").get(url).content.decode()
    assert f'<option value="{world.agency.uuid}" selected>' in html


def test_a_second_partnership_for_the_same_pair_is_refused_and_nothing_is_written(page_as, world):
    before = row_counts()
    data = {"agency": world.agency.uuid, "district": world.district.uuid, "start_date": "2025-07-01"}
    response = page_as("platform_admin").post(reverse("directory:partnership_create"), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'role="alert"' in response.content.decode()
    assert row_counts() == before
