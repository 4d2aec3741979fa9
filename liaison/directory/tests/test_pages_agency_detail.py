"""The agency overview: officers, schools served, coverage and current assignments."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from liaison.directory import services
from liaison.directory.models import TrainingCourse
from liaison.directory.tests.pages import add_officer, assign


def _url(world, **query):
    url = reverse("directory:agency_detail", args=[world.agency.uuid])
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def _section(html: str, element_id: str) -> str:
    """The HTML from an element's opening tag to the next section: enough to check what it holds."""
    start = html.index(f'id="{element_id}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else len(html)]


def test_agency_admin_sees_officers_schools_and_assignments(page_as, world):
    response = page_as("agency_admin").get(_url(world))
    assert response.status_code == 200
    [officer] = response.context["officers"]
    assert officer == world.officer
    assert [a.school.name for a in officer.current_assignments] == ["Millbrook Elementary"]
    assert [s.name for s in response.context["schools"]] == ["Millbrook Elementary", "Millbrook High"]
    assert list(response.context["current_assignments"]) == [world.assignment]
    html = response.content.decode()
    officers = _section(html, "officers-heading")
    assert 'Officer Tester</a><br><span class="muted">Officer</span>' in officers
    assert ">101<" in officers and "Active" in officers


def test_coverage_names_the_school_without_an_officer_and_the_untrained_officer(page_as, world):
    html = page_as("agency_admin").get(_url(world)).content.decode()
    coverage = _section(html, "coverage")
    assert "Millbrook High" in coverage
    assert "Millbrook Elementary" not in coverage
    assert "Officer Officer Tester" in coverage
    assert "Basic SRO course: 0 of 40 hours (40 to go)" in coverage


def test_a_school_without_an_officer_is_marked_in_words_not_only_colour(page_as, world):
    html = page_as("agency_admin").get(_url(world)).content.decode()
    assert "No officer" in _section(html, "schools-heading")
    assert "Needs attention" in _section(html, "coverage")


def test_coverage_for_another_day(page_as, world):
    response = page_as("agency_admin").get(_url(world, on="2020-09-01"))
    coverage = response.context["coverage"]
    assert coverage.on == datetime.date(2020, 9, 1)
    assert [s.name for s in coverage.schools_without_officer] == ["Millbrook Elementary", "Millbrook High"]
    assert coverage.officers_lacking_training == []


def test_a_date_that_is_not_a_date_is_named_and_today_is_shown(page_as, world):
    response = page_as("agency_admin").get(_url(world, on="last-tuesday"))
    assert response.status_code == 200
    assert response.context["date_form"].errors["on"] == ["Enter a valid date."]
    assert 'id="id_on_error"' in response.content.decode()
    assert response.context["coverage"].on == response.context["today"]


def test_htmx_gets_only_the_coverage_section(page_as, world):
    url = reverse("directory:agency_coverage", args=[world.agency.uuid])
    response = page_as("supervisor").get(url, {"on": "2020-09-01"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<main" not in html
    assert 'id="coverage"' in html and "Millbrook Elementary" in html


def test_a_plain_request_for_the_coverage_section_goes_to_the_full_page(page_as, world):
    url = reverse("directory:agency_coverage", args=[world.agency.uuid])
    response = page_as("supervisor").get(url, {"on": "2020-09-01"})
    assert response.status_code == 302
    assert response["Location"] == f"{_url(world)}?on=2020-09-01#coverage"


def test_the_page_and_the_api_report_the_same_coverage(page_as, api_as, world):
    services.training_record_create(
        actor=world.users["platform_admin"],
        officer=world.officer,
        course=TrainingCourse.BASIC_SRO,
        hours=Decimal("16"),
        completed_on=datetime.date(2024, 6, 1),
    )
    page = page_as("agency_admin").get(_url(world, on="2025-03-12")).context["coverage"]
    api = api_as("agency_admin").get(f"/agencies/{world.agency.uuid}/coverage", on="2025-03-12").json()
    assert api["on"] == "2025-03-12"
    assert [s["uuid"] for s in api["schools_without_officer"]] == [str(s.uuid) for s in page.schools_without_officer]
    [item] = api["officers_lacking_training"]
    assert item["officer"] == str(world.officer.uuid)
    assert item["gaps"] == [
        {
            "course": "basic_sro",
            "course_name": "Basic SRO course",
            "required_hours": "40.0",
            "completed_hours": "16.0",
            "missing_hours": "24.0",
        }
    ]
    assert [g.missing_hours for g in page.officers_lacking_training[0].gaps] == [Decimal("24")]


def test_the_coverage_api_is_for_the_agencys_managers(api_as, world):
    path = f"/agencies/{world.agency.uuid}/coverage"
    assert api_as("supervisor").get(path).status_code == 200
    assert api_as("officer").get(path).status_code == 403
    assert api_as("district_admin").get(path).status_code == 403
    assert api_as("outsider_agency_admin").get(path).status_code == 404


def test_officer_sees_themselves_but_not_coverage_or_other_officers(page_as, world):
    add_officer(world, "colleague", last_name="Colleague", badge="120")
    response = page_as("officer").get(_url(world))
    assert response.context["coverage"] is None
    assert list(response.context["officers"]) == [world.officer]
    html = response.content.decode()
    assert 'id="coverage"' not in html
    assert "Colleague" not in html


def test_evaluator_is_told_officers_are_not_shown_rather_than_that_there_are_none(page_as, world):
    html = page_as("evaluator").get(_url(world)).content.decode()
    assert "Officers are not shown to your role." in html
    assert "No officers yet." not in html


def test_links_to_change_things_follow_the_role(page_as, world):
    admin = page_as("agency_admin").get(_url(world)).content.decode()
    supervisor = page_as("supervisor").get(_url(world)).content.decode()
    edit = reverse("directory:agency_edit", args=[world.agency.uuid])
    end = reverse("directory:assignment_end", args=[world.assignment.uuid])
    assert edit in admin and end in admin
    assert edit not in supervisor and end in supervisor
    assert reverse("directory:officer_create", args=[world.agency.uuid]) not in supervisor


def test_the_overview_keeps_to_its_query_budget(page_as, world, django_assert_max_num_queries):
    for number in range(12):
        officer = add_officer(world, f"o{number}", last_name=f"Officer{number:02}", badge=f"2{number:02}")
        school = world.high if number % 2 else world.elementary
        assign(world, officer, school, datetime.date(2024, 9, 1), share_of_time=50)
    client = page_as("agency_admin")
    with django_assert_max_num_queries(20):
        response = client.get(_url(world))
    assert len(response.context["officers"]) == 13
    assert len(response.context["current_assignments"]) == 13


def test_an_assignment_at_a_school_no_longer_served_is_still_listed_with_its_school(page_as, world):
    """The assignments take their schools from the served schools' list; one at a school outside it
    (the partnership ended, the assignment did not) is read on its own and shown the same way."""
    from liaison.directory.models import Partnership

    Partnership.objects.filter(agency=world.agency).update(end_date=datetime.date(2021, 6, 30))
    response = page_as("agency_admin").get(_url(world))
    assert response.status_code == 200
    assert response.context["schools"] == []
    [assignment] = response.context["current_assignments"]
    assert assignment.school.name == "Millbrook Elementary"
    school_url = reverse("directory:school_detail", args=[world.elementary.uuid])
    officer_url = reverse("directory:officer_detail", args=[world.officer.uuid])
    assignments = _section(response.content.decode(), "assignments-heading")
    assert f'<a href="{school_url}">Millbrook Elementary</a>' in assignments
    assert f'<a href="{officer_url}">' in assignments


def test_the_officers_status_and_the_assignments_dates_read_as_on_their_own_pages(page_as, world):
    from liaison.directory.models import Assignment, Officer

    Officer.objects.filter(pk=world.officer.pk).update(status="on_leave")
    Assignment.objects.filter(pk=world.assignment.pk).update(end_date=datetime.date(2031, 6, 30))
    html = page_as("agency_admin").get(_url(world)).content.decode()
    assert '<span class="badge badge-warn">On leave</span>' in _section(html, "officers-heading")
    assignments = _section(html, "assignments-heading")
    assert '2024-08-20 <span class="muted">to</span> 2031-06-30' in assignments
