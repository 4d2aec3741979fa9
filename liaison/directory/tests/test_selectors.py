"""The directory's business rules: coverage, training gaps, who is assigned where today."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from liaison.directory import selectors, services
from liaison.directory.models import TrainingCourse, TrainingRequirement
from liaison.directory.tests.pages import add_officer, assign

DAY = datetime.date(2025, 3, 12)


def _train(world, officer, hours, course=TrainingCourse.BASIC_SRO, on=datetime.date(2024, 6, 1)):
    return services.training_record_create(
        actor=world.users["platform_admin"], officer=officer, course=course, hours=Decimal(hours), completed_on=on
    )


def test_a_served_school_with_no_officer_today_is_uncovered(world):
    coverage = selectors.agency_coverage(agency=world.agency, on=DAY)
    assert [s.name for s in coverage.schools_without_officer] == ["Millbrook High"]


def test_an_ended_assignment_no_longer_covers_its_school(world):
    services.assignment_end(actor=world.users["platform_admin"], assignment=world.assignment, end_date=DAY)
    the_day_after = DAY + datetime.timedelta(days=1)
    assert world.elementary not in selectors.agency_coverage(agency=world.agency, on=DAY).schools_without_officer
    uncovered = selectors.agency_coverage(agency=world.agency, on=the_day_after).schools_without_officer
    assert world.elementary in uncovered


def test_an_assignment_that_starts_later_does_not_cover_the_school_yet(world):
    officer = add_officer(world, "later", last_name="Later", badge="300")
    assign(world, officer, world.high, DAY + datetime.timedelta(days=1))
    assert world.high in selectors.agency_coverage(agency=world.agency, on=DAY).schools_without_officer


def test_another_agencys_officer_covers_a_school_in_a_shared_district(world):
    root = world.users["platform_admin"]
    services.partnership_create(
        actor=root, agency=world.other_agency, district=world.district, start_date=datetime.date(2024, 1, 1)
    )
    deputy = services.officer_create(
        actor=root, agency=world.other_agency, username="d2", first_name="Dee", last_name="Two", badge_number="8"
    )
    services.assignment_create(actor=root, officer=deputy, school=world.high, start_date=DAY)
    assert selectors.agency_coverage(agency=world.agency, on=DAY).schools_without_officer == []


def test_schools_of_a_partnership_not_yet_in_force_are_not_served(world):
    root = world.users["platform_admin"]
    district = services.district_create(actor=root, name="Eastfield", state="MA", nces_id="2500002")
    services.school_create(
        actor=root,
        district=district,
        name="Eastfield High",
        nces_id="250000200001",
        level="high",
        lowest_grade=9,
        highest_grade=12,
    )
    services.partnership_create(actor=root, agency=world.agency, district=district, start_date=DAY.replace(year=2026))
    names = [s.name for s in selectors.agency_coverage(agency=world.agency, on=DAY).schools_without_officer]
    assert names == ["Millbrook High"]


def test_an_assigned_officer_without_the_basic_course_lacks_training(world):
    [item] = selectors.agency_coverage(agency=world.agency, on=DAY).officers_lacking_training
    assert item.officer == world.officer
    [gap] = item.gaps
    assert (gap.course, gap.required_hours, gap.completed_hours, gap.missing_hours) == (
        TrainingCourse.BASIC_SRO,
        Decimal("40"),
        Decimal("0"),
        Decimal("40"),
    )


def test_a_requirement_is_met_when_the_hours_of_that_course_add_up(world):
    _train(world, world.officer, "24")
    _train(world, world.officer, "16", on=datetime.date(2024, 7, 1))
    assert selectors.agency_coverage(agency=world.agency, on=DAY).officers_lacking_training == []


def test_hours_of_another_course_do_not_count_toward_a_requirement(world):
    _train(world, world.officer, "40", course=TrainingCourse.DE_ESCALATION)
    [gap] = selectors.officer_training_gaps(officer=world.officer, on=DAY)
    assert gap.completed_hours == Decimal("0")


def test_training_completed_after_the_day_does_not_count_on_that_day(world):
    _train(world, world.officer, "40", on=DAY + datetime.timedelta(days=1))
    assert len(selectors.officer_training_gaps(officer=world.officer, on=DAY)) == 1
    assert selectors.officer_training_gaps(officer=world.officer, on=DAY + datetime.timedelta(days=1)) == []


def test_every_requirement_of_the_agency_is_checked(world):
    TrainingRequirement.objects.create(
        agency=world.agency, course=TrainingCourse.CRISIS_INTERVENTION, minimum_hours=Decimal("8")
    )
    _train(world, world.officer, "40")
    _train(world, world.officer, "4", course=TrainingCourse.CRISIS_INTERVENTION)
    [gap] = selectors.officer_training_gaps(officer=world.officer, on=DAY)
    assert (gap.course_name, gap.missing_hours) == ("Crisis intervention", Decimal("4"))


def test_officers_not_assigned_on_the_day_are_not_counted_as_lacking_training(world):
    add_officer(world, "unassigned", last_name="Unassigned", badge="301")
    lacking = selectors.agency_coverage(agency=world.agency, on=DAY).officers_lacking_training
    assert [item.officer for item in lacking] == [world.officer]


def test_coverage_is_complete_when_every_school_is_covered_by_trained_officers(world):
    _train(world, world.officer, "40")
    officer = add_officer(world, "high", last_name="High", badge="302")
    _train(world, officer, "40")
    assign(world, officer, world.high, DAY)
    assert selectors.agency_coverage(agency=world.agency, on=DAY).complete


def test_a_schools_current_officers_and_an_officers_current_schools(world):
    officer = add_officer(world, "parttime", last_name="Parttime", badge="303")
    assign(world, officer, world.high, DAY, share_of_time=50)
    assign(world, officer, world.elementary, DAY, share_of_time=50)
    current = selectors.school_officers_current(school=world.elementary, on=DAY)
    assert [a.officer.user.last_name for a in current] == ["Parttime", "Tester"]
    schools = selectors.officer_schools_current(officer=officer, on=DAY)
    assert [a.school.name for a in schools] == ["Millbrook Elementary", "Millbrook High"]
    assert selectors.officer_schools_current(officer=officer, on=DAY - datetime.timedelta(days=1)) == []


@pytest.mark.parametrize(
    ("start", "end", "state"),
    [
        (DAY, None, "current"),
        (DAY + datetime.timedelta(days=1), None, "upcoming"),
        (DAY - datetime.timedelta(days=9), DAY - datetime.timedelta(days=1), "ended"),
        (DAY - datetime.timedelta(days=9), DAY, "current"),
    ],
)
def test_an_assignment_is_current_ended_or_upcoming(world, start, end, state):
    world.assignment.start_date, world.assignment.end_date = start, end
    assert selectors.assignment_state(world.assignment, DAY) == state


def test_today_is_the_date_where_the_agency_is(world, time_machine):
    time_machine.move_to(datetime.datetime(2025, 3, 12, 3, 0, tzinfo=datetime.UTC), tick=False)
    assert selectors.agency_today(world.agency) == datetime.date(2025, 3, 11)  # 11 pm in Massachusetts
