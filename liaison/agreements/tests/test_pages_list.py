"""The MOU list and a new MOU for a partnership."""

from __future__ import annotations

import datetime

import pytest

from liaison.agreements import forms, selectors, services, views
from liaison.agreements.models import Agreement
from liaison.agreements.tests.mous import draft_mou, mou_in_force
from liaison.agreements.tests.pages import page_text, url
from liaison.agreements.vocabulary import VersionStatus


@pytest.fixture
def two_mous(world):
    """Millbrook's MOU in force (one section written) and a newer draft."""
    signed = mou_in_force(world, title="Millbrook SRO MOU 2025")
    draft = draft_mou(world, title="Millbrook SRO MOU 2026", effective_date=datetime.date(2026, 8, 1))
    version = draft.versions.get()
    for element in ("purpose", "roles", "funding"):
        services.section_update(actor=world.users["agency_admin"], version=version, element=element, text="Text.")
    return signed, draft


def _rows(response):
    return {row["agreement"].title: row for row in response.context["rows"]}


def test_the_list_shows_each_mou_with_its_status_and_completeness(page_as, two_mous):
    response = page_as("officer").get(url("list"))
    rows = _rows(response)
    assert rows["Millbrook SRO MOU 2025"]["status"] == VersionStatus.IN_FORCE
    assert rows["Millbrook SRO MOU 2026"]["status"] == VersionStatus.DRAFT
    assert rows["Millbrook SRO MOU 2026"]["completeness"].present == 3
    html = page_text(response)
    assert "3 of 15 elements" in html
    assert "In force" in html and "Draft" in html


def test_the_list_can_be_narrowed_to_one_district(world, page_as, two_mous):
    partnership = world.other_agency.partnerships.get()
    root = world.users["platform_admin"]
    start = datetime.date(2025, 1, 1)
    services.agreement_create(actor=root, partnership=partnership, title="Harlow MOU", effective_date=start)
    client = page_as("platform_admin")
    assert set(_rows(client.get(url("list")))) == {"Millbrook SRO MOU 2025", "Millbrook SRO MOU 2026", "Harlow MOU"}
    narrowed = client.get(url("list"), {"district": str(world.other_district.uuid)})
    assert set(_rows(narrowed)) == {"Harlow MOU"}


def test_nobody_sees_another_agencys_mous(page_as, two_mous):
    assert _rows(page_as("outsider_agency_admin").get(url("list"))) == {}


def test_the_parties_are_offered_a_new_mou_and_others_are_not(page_as, two_mous):
    assert "New MOU" in page_text(page_as("district_admin").get(url("list")))
    assert "New MOU" not in page_text(page_as("supervisor").get(url("list")))


@pytest.mark.parametrize("role", ["agency_admin", "district_admin"])
def test_a_party_drafts_a_new_mou_for_its_partnership(world, page_as, role):
    partnership = world.agency.partnerships.get()
    data = {"partnership": str(partnership.uuid), "title": "Millbrook MOU", "effective_date": "2025-08-01"}
    response = page_as(role).post(url("create"), data, follow=True)
    agreement = Agreement.objects.get(title="Millbrook MOU")
    assert response.redirect_chain[-1][0] == url("detail", agreement.uuid)
    assert views.AGREEMENT_CREATED.format(title="Millbrook MOU") in page_text(response)
    assert agreement.versions.get().sections.count() == 15


def test_the_new_mou_form_offers_only_the_users_own_partnerships(world, page_as):
    client = page_as("agency_admin")
    offered = list(client.get(url("create")).context["form"].fields["partnership"].queryset)
    assert offered == [world.agency.partnerships.get()]
    other = world.other_agency.partnerships.get()
    data = {"partnership": str(other.uuid), "title": "Not ours", "effective_date": "2025-08-01"}
    response = client.post(url("create"), data)
    assert response.context["form"].errors["partnership"]
    assert not Agreement.objects.exists()


def test_an_expiry_before_the_effective_date_names_the_field(world, page_as):
    partnership = world.agency.partnerships.get()
    data = {
        "partnership": str(partnership.uuid),
        "title": "M",
        "effective_date": "2025-08-01",
        "expiry_date": "2025-01-01",
    }
    response = page_as("agency_admin").post(url("create"), data)
    assert response.context["form"].errors["expiry_date"] == [forms.EXPIRY_NOT_AFTER_EFFECT]


def test_the_list_names_a_school_with_an_officer_but_no_mou_in_force(world, page_as):
    html = page_text(page_as("agency_admin").get(url("list")))
    assert selectors.NO_MOU.format(agency="Millbrook Police Department", school="Millbrook Elementary") in html
    mou_in_force(world)
    html = page_text(page_as("agency_admin").get(url("list")))
    assert "no MOU in force there" not in html


def test_the_list_reads_the_same_few_queries_however_many_mous(world, page_as, two_mous, django_assert_max_num_queries):
    client = page_as("agency_admin")
    # session and scope (4), MOUs with versions and sections (3), filter choices (3), reminders (4-6)
    with django_assert_max_num_queries(16):
        client.get(url("list"))
    for year in (2027, 2028, 2029):
        draft_mou(world, title=f"Millbrook SRO MOU {year}", effective_date=datetime.date(year, 8, 1))
    with django_assert_max_num_queries(16):
        response = client.get(url("list"))
    assert len(response.context["rows"]) == 5
