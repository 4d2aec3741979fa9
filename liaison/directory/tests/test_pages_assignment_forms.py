"""Assigning an officer to a school, and ending an assignment (agency admins and supervisors)."""

from __future__ import annotations

import datetime

from django.urls import reverse

from liaison.directory import services
from liaison.directory.models import ASSIGNMENT_ENDS_BEFORE_START, Assignment
from liaison.directory.tests.pages import add_officer, field_errors, row_counts


def _assign_url(officer):
    return reverse("directory:assignment_create", args=[officer.uuid])


def _end_url(assignment):
    return reverse("directory:assignment_end", args=[assignment.uuid])


def test_supervisor_assigns_an_officer_who_then_appears_on_the_school_page(page_as, world):
    officer = add_officer(world, "new", last_name="Newcomer", badge="210")
    client = page_as("supervisor")
    data = {"school": world.high.uuid, "start_date": "2025-08-25", "end_date": "", "share_of_time": "100"}
    response = client.post(_assign_url(officer), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:officer_detail", args=[officer.uuid]) + "#assignments"
    assignment = Assignment.objects.get(officer=officer)
    assert (assignment.school, assignment.start_date, assignment.agency) == (
        world.high,
        datetime.date(2025, 8, 25),
        world.agency,
    )
    school_page = client.get(reverse("directory:school_detail", args=[world.high.uuid]))
    assert "Test Newcomer" in school_page.content.decode()


def test_the_school_choices_are_the_partnered_schools(page_as, world):
    form = page_as("supervisor").get(_assign_url(world.officer)).context["form"]
    assert [school.name for school in form.fields["school"].queryset] == ["Millbrook Elementary", "Millbrook High"]
    assert "Millbrook High (Millbrook Public Schools)" in str(form["school"])


def test_a_school_outside_the_partnership_is_named_on_the_school(page_as, world):
    before = row_counts()
    data = {"school": world.other_school.uuid, "start_date": "2025-08-25", "share_of_time": "100"}
    response = page_as("supervisor").post(_assign_url(world.officer), data)
    assert field_errors(response, "school") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert row_counts() == before


def test_an_overlapping_assignment_to_the_same_school_is_named_on_the_start_date(page_as, world):
    before = row_counts()
    data = {"school": world.elementary.uuid, "start_date": "2025-08-25", "share_of_time": "10"}
    response = page_as("agency_admin").post(_assign_url(world.officer), data)
    assert field_errors(response, "start_date") == [services.OVERLAPPING_ASSIGNMENT]
    assert row_counts() == before


def test_more_than_all_of_an_officers_time_is_named_on_the_share(page_as, world):
    before = row_counts()
    data = {"school": world.high.uuid, "start_date": "2025-08-25", "share_of_time": "50"}
    response = page_as("agency_admin").post(_assign_url(world.officer), data)
    assert field_errors(response, "share_of_time") == [services.SHARE_OVER_100.format(total=150)]
    assert row_counts() == before


def test_ending_an_assignment_keeps_it_in_the_history(page_as, world):
    client = page_as("supervisor")
    form = client.get(_end_url(world.assignment)).context["form"]
    assert form.initial["end_date"] is not None
    response = client.post(_end_url(world.assignment), {"end_date": "2025-06-13"})
    assert response.status_code == 302
    world.assignment.refresh_from_db()
    assert world.assignment.end_date == datetime.date(2025, 6, 13)
    history = client.get(reverse("directory:school_detail", args=[world.elementary.uuid])).context["history"]
    assert history == [(world.assignment, "ended")]


def test_an_end_before_the_start_is_named_and_nothing_is_written(page_as, world):
    before = row_counts()
    response = page_as("supervisor").post(_end_url(world.assignment), {"end_date": "2024-01-01"})
    assert field_errors(response, "end_date") == [ASSIGNMENT_ENDS_BEFORE_START]
    assert row_counts() == before
    world.assignment.refresh_from_db()
    assert world.assignment.end_date is None


def test_an_ended_assignment_cannot_be_extended(page_as, world):
    services.assignment_end(
        actor=world.users["platform_admin"], assignment=world.assignment, end_date=datetime.date(2025, 6, 13)
    )
    response = page_as("supervisor").post(_end_url(world.assignment), {"end_date": "2025-06-20"})
    assert field_errors(response, "end_date") == [services.ALREADY_ENDED]
