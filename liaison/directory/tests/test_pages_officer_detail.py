"""The officer page: assignments over time, training records and training gaps."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from liaison.directory import services
from liaison.directory.models import TrainingCourse
from liaison.directory.tests.pages import assign


def _url(officer):
    return reverse("directory:officer_detail", args=[officer.uuid])


def _train(world, hours, course=TrainingCourse.BASIC_SRO):
    return services.training_record_create(
        actor=world.users["platform_admin"],
        officer=world.officer,
        course=course,
        hours=Decimal(hours),
        completed_on=datetime.date(2024, 6, 1),
        provider="State academy",
    )


def test_assignments_over_time_with_their_state(page_as, world):
    root = world.users["platform_admin"]
    services.assignment_end(actor=root, assignment=world.assignment, end_date=datetime.date(2024, 12, 20))
    later = assign(world, world.officer, world.high, datetime.date(2025, 1, 6))
    response = page_as("supervisor").get(_url(world.officer))
    assert response.context["assignments"][-1] == (world.assignment, "ended")
    assert response.context["assignments"][0][0] == later
    html = response.content.decode()
    assert '2024-08-20 <span class="muted">to</span> 2024-12-20' in html


def test_training_records_and_what_is_still_missing(page_as, world):
    _train(world, "16")
    _train(world, "8", course=TrainingCourse.DE_ESCALATION)
    response = page_as("agency_admin").get(_url(world.officer))
    courses = sorted(r.get_course_display() for r in response.context["training_records"])
    assert courses == ["Basic SRO course", "De-escalation"]
    [gap] = response.context["gaps"]
    assert gap.missing_hours == Decimal("24")
    html = response.content.decode()
    assert "Missing required training" in html
    assert "Basic SRO course: 16 of 40 hours (24 to go)" in html
    assert "State academy" in html


def test_an_officer_who_meets_every_requirement_is_told_so(page_as, world):
    _train(world, "40")
    response = page_as("officer").get(_url(world.officer))
    assert response.context["gaps"] == []
    assert "Meets every required course" in response.content.decode()


def test_an_officer_sees_their_own_page_without_management_links(page_as, world):
    html = page_as("officer").get(_url(world.officer)).content.decode()
    for name in ("assignment_create", "training_record_create", "officer_edit"):
        assert reverse(f"directory:{name}", args=[world.officer.uuid]) not in html
    assert reverse("directory:assignment_end", args=[world.assignment.uuid]) not in html


def test_a_supervisor_may_assign_and_train_but_not_edit_the_officer(page_as, world):
    html = page_as("supervisor").get(_url(world.officer)).content.decode()
    assert reverse("directory:assignment_create", args=[world.officer.uuid]) in html
    assert reverse("directory:training_record_create", args=[world.officer.uuid]) in html
    assert reverse("directory:officer_edit", args=[world.officer.uuid]) not in html


def test_a_school_admin_sees_only_the_assignments_at_their_school(page_as, world):
    root = world.users["platform_admin"]
    services.assignment_end(actor=root, assignment=world.assignment, end_date=datetime.date(2024, 12, 20))
    assign(world, world.officer, world.high, datetime.date(2025, 1, 6))
    response = page_as("school_admin").get(_url(world.officer))
    assert [a.school for a, _ in response.context["assignments"]] == [world.elementary]


def test_the_officer_page_keeps_to_its_query_budget(page_as, world, django_assert_max_num_queries):
    world.agency.partnerships.update(start_date=datetime.date(2009, 7, 1))  # assignments lie within it
    for year in range(2010, 2022):
        _train(world, "2", course=TrainingCourse.OTHER)
        assign(world, world.officer, world.high, datetime.date(year, 1, 1), end_date=datetime.date(year, 6, 30))
    client = page_as("agency_admin")
    with django_assert_max_num_queries(12):
        response = client.get(_url(world.officer))
    assert len(response.context["assignments"]) == 13
