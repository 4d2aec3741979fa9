"""The school page: current and past officers, and enrollment by year with every subgroup."""

from __future__ import annotations

import datetime

from django.urls import reverse

from liaison.directory import services
from liaison.directory.models import Assignment
from liaison.directory.tests.pages import add_officer, assign


def _url(world, school=None):
    return reverse("directory:school_detail", args=[(school or world.elementary).uuid])


def test_current_and_past_officers_with_dates_and_share_of_time(page_as, world):
    root = world.users["platform_admin"]
    former = add_officer(world, "former", last_name="Former", badge="150")
    ended = assign(world, former, world.elementary, datetime.date(2021, 9, 1), end_date=datetime.date(2022, 6, 30))
    response = page_as("district_admin").get(_url(world))
    assert [a.officer for a in response.context["current"]] == [world.officer]
    assert response.context["history"] == [(world.assignment, "current"), (ended, "ended")]
    html = response.content.decode()
    assert '2021-09-01 <span class="muted">to</span> 2022-06-30' in html
    assert "Ended" in html and "Current" in html
    assert "since 2024-08-20, 100% of their time" in html
    services.assignment_end(actor=root, assignment=world.assignment, end_date=datetime.date(2024, 12, 20))
    response = page_as("district_admin").get(_url(world))
    assert response.context["current"] == []
    assert "No officer assigned today" in response.content.decode()


def test_enrollment_by_year_shows_a_missing_count_as_not_collected_never_zero(page_as, world):
    root = world.users["platform_admin"]
    services.enrollment_set(actor=root, school=world.elementary, school_year="2023-2024", total=398, white=0)
    services.enrollment_set(
        actor=root, school=world.elementary, school_year="2024-2025", total=412, white=300, english_learner=31
    )
    response = page_as("school_admin").get(_url(world))
    rows = dict(response.context["enrollment_rows"])
    assert rows["Total"] == [412, 398]
    assert rows["White"] == [300, 0]  # a collected zero is a zero
    assert rows["English learners"] == [31, None]
    assert rows["Asian"] == [None, None]
    html = response.content.decode()
    english = html[html.index("English learners</th>") :]
    english = english[: english.index("</tr>")]
    assert ">31<" in english and "not collected" in english
    assert '<th scope="col">2024-2025</th><th scope="col">2023-2024</th>' in html


def test_a_school_with_no_enrollment_says_so(page_as, world):
    assert "No enrollment counts yet." in page_as("district_admin").get(_url(world)).content.decode()


def test_district_admin_is_offered_to_edit_the_school_and_its_enrollment(page_as, world):
    services.enrollment_set(
        actor=world.users["platform_admin"], school=world.elementary, school_year="2024-2025", total=412
    )
    links = [
        reverse("directory:school_edit", args=[world.elementary.uuid]),
        reverse("directory:enrollment_create", args=[world.elementary.uuid]),
        reverse("directory:enrollment_edit", args=[world.elementary.uuid, "2024-2025"]),
    ]
    district_admin = page_as("district_admin").get(_url(world)).content.decode()
    school_admin = page_as("school_admin").get(_url(world)).content.decode()
    assert all(link in district_admin for link in links)
    assert not any(link in school_admin for link in links)


def test_an_agency_manager_sees_only_their_agencys_assignments_at_the_school(page_as, world):
    root = world.users["platform_admin"]
    services.partnership_create(
        actor=root, agency=world.other_agency, district=world.district, start_date=datetime.date(2020, 1, 1)
    )
    services.assignment_end(
        actor=root,
        assignment=Assignment.objects.get(officer=world.other_officer),
        end_date=datetime.date(2023, 6, 30),
    )
    assign(world, world.other_officer, world.high, datetime.date(2024, 1, 8))
    supervisor = page_as("supervisor").get(_url(world, world.high)).content.decode()
    district_admin = page_as("district_admin").get(_url(world, world.high)).content.decode()
    assert "Dana Deputy" in district_admin
    assert "Dana Deputy" not in supervisor


def test_evaluator_sees_enrollment_but_not_officers(page_as, world):
    html = page_as("evaluator").get(_url(world)).content.decode()
    assert "Officers are not shown to your role." in html
    assert "Officer Officer Tester" not in html
    assert 'id="history-heading"' not in html


def test_the_school_page_keeps_to_its_query_budget(page_as, world, django_assert_max_num_queries):
    root = world.users["platform_admin"]
    for number in range(10):
        officer = add_officer(world, f"o{number}", last_name=f"Officer{number:02}", badge=f"4{number:02}")
        assign(world, officer, world.high, datetime.date(2020 + number % 5, 9, 1), share_of_time=10)
        services.enrollment_set(actor=root, school=world.high, school_year=f"{2010 + number}-{2011 + number}", total=5)
    client = page_as("district_admin")
    with django_assert_max_num_queries(12):
        response = client.get(_url(world, world.high))
    assert len(response.context["history"]) == 10
    assert len(response.context["enrollments"]) == 10
