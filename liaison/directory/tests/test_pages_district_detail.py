"""The district page: its schools with level, grades, latest enrollment and officers today; agencies serving."""

from __future__ import annotations

import datetime

from django.urls import reverse

from liaison.directory import services
from liaison.directory.models import School
from liaison.directory.tests.pages import add_officer, assign


def _url(world):
    return reverse("directory:district_detail", args=[world.district.uuid])


def _schools(response):
    return {school.name: school for school in response.context["schools"]}


def test_district_admin_sees_each_school_with_level_grades_enrollment_and_officers(page_as, world):
    root = world.users["platform_admin"]
    services.enrollment_set(actor=root, school=world.elementary, school_year="2023-2024", total=390)
    services.enrollment_set(actor=root, school=world.elementary, school_year="2024-2025", total=412)
    response = page_as("district_admin").get(_url(world))
    assert response.status_code == 200
    elementary = _schools(response)["Millbrook Elementary"]
    assert (elementary.latest_year, elementary.latest_total) == ("2024-2025", 412)
    assert [a.officer for a in elementary.current_assignments] == [world.officer]
    html = response.content.decode()
    assert "Elementary<br>" in html and "K–5" in html and "9–12" in html
    assert "412<br>" in html and "in 2024-2025" in html


def test_a_school_with_no_enrollment_on_file_shows_not_collected_never_zero(page_as, world):
    response = page_as("district_admin").get(_url(world))
    assert _schools(response)["Millbrook High"].latest_total is None
    html = response.content.decode()
    high_row = html[html.index("Millbrook High</a>") :]
    high_row = high_row[: high_row.index("</tr>")]
    assert "not collected" in high_row
    assert ">0<" not in high_row


def test_the_agencies_serving_the_district_are_listed(page_as, world):
    html = page_as("district_admin").get(_url(world)).content.decode()
    assert reverse("directory:agency_detail", args=[world.agency.uuid]) in html
    assert "Harlow County" not in html


def test_an_ended_partnership_no_longer_serves(page_as, world):
    partnership = world.agency.partnerships.get()
    services.partnership_update(
        actor=world.users["platform_admin"], partnership=partnership, end_date=datetime.date(2025, 6, 30)
    )
    assert list(page_as("district_admin").get(_url(world)).context["agencies"]) == []


def test_only_the_district_admin_is_offered_to_add_a_school(page_as, world):
    add = reverse("directory:school_create", args=[world.district.uuid])
    assert add in page_as("district_admin").get(_url(world)).content.decode()
    assert add not in page_as("agency_admin").get(_url(world)).content.decode()


def test_school_admin_sees_only_their_own_school(page_as, world):
    response = page_as("school_admin").get(_url(world))
    assert list(_schools(response)) == ["Millbrook Elementary"]


def test_evaluator_sees_schools_but_not_officers(page_as, world):
    response = page_as("evaluator").get(_url(world))
    assert list(_schools(response)) == ["Millbrook Elementary", "Millbrook High"]
    html = response.content.decode()
    assert "Officer Officer Tester" not in html
    assert "Not shown" in html


def test_the_district_page_keeps_to_its_query_budget(page_as, world, django_assert_max_num_queries):
    root = world.users["platform_admin"]
    for number in range(15):
        school = services.school_create(
            actor=root,
            district=world.district,
            name=f"Millbrook School {number:02}",
            nces_id=f"2500001{number + 10:05}",
            level=School.Level.MIDDLE,
            lowest_grade=6,
            highest_grade=8,
        )
        services.enrollment_set(actor=root, school=school, school_year="2024-2025", total=300 + number)
        officer = add_officer(world, f"o{number}", last_name=f"Officer{number:02}", badge=f"3{number:02}")
        assign(world, officer, school, datetime.date(2024, 9, 1))
    client = page_as("district_admin")
    with django_assert_max_num_queries(12):
        response = client.get(_url(world))
    assert len(response.context["schools"]) == 17
