"""The agency list: every agency for platform admins, with a form to add one; visible agencies for others."""

from __future__ import annotations

from django.urls import reverse

from liaison.directory import services
from liaison.directory.models import Agency

URL = reverse("directory:agency_list")


def test_platform_admin_sees_every_agency_and_the_new_agency_form(page_as, world):
    response = page_as("platform_admin").get(URL)
    assert response.status_code == 200
    names = [agency.name for agency in response.context["agencies"]]
    assert names == ["Harlow County Sheriff's Office", "Millbrook Police Department"]
    html = response.content.decode()
    assert f'action="{reverse("directory:agency_create")}"' in html
    assert "Add a partnership" in html


def test_agency_admin_sees_only_their_agency_and_no_form(page_as, world):
    response = page_as("agency_admin").get(URL)
    assert [agency.name for agency in response.context["agencies"]] == ["Millbrook Police Department"]
    assert response.context["agency_form"] is None
    assert reverse("directory:agency_create") not in response.content.decode()


def test_district_admin_sees_the_agencies_serving_their_district(page_as, world):
    response = page_as("district_admin").get(URL)
    assert [agency.name for agency in response.context["agencies"]] == ["Millbrook Police Department"]


def test_each_agency_links_to_its_page(page_as, world):
    html = page_as("platform_admin").get(URL).content.decode()
    assert reverse("directory:agency_detail", args=[world.agency.uuid]) in html
    assert '<th scope="col">Agency</th>' in html


def test_the_list_page_keeps_to_its_query_budget(page_as, world, django_assert_max_num_queries):
    root = world.users["platform_admin"]
    for number in range(25):
        services.agency_create(
            actor=root, name=f"Town {number:02} Police", kind=Agency.Kind.MUNICIPAL, state="MA", ori=f"MA09{number:05}"
        )
    client = page_as("platform_admin")
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert len(response.context["agencies"]) == 27
