"""The programs flows a person clicks through, in Chromium: schedule then deliver a session, the
calendar on a phone, and a teacher's feedback without signing in."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from liaison.conftest import World
from liaison.directory.selectors import agency_today
from liaison.programs import services
from liaison.programs.models import Session, TeacherFeedback

from .programs import curriculum, session

pytestmark = pytest.mark.browser
PHONE_WIDTH = 375


def test_an_officer_schedules_a_session_and_marks_it_delivered(world: World, page, sign_in, live_server) -> None:
    curriculum(world)
    sign_in(page, "officer")
    page.goto(f"{live_server.url}/programs/sessions/new/")
    page.get_by_label("School").select_option(label="Millbrook Elementary")
    page.get_by_label("Curriculum").select_option(label="Internet safety")
    page.get_by_label("Lesson number").fill("1")
    started = _agency_local(world, hours_ago=2)
    page.get_by_label("Starts").fill(started.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Class or grade").fill("Grade 4, Room 12")
    page.get_by_label("Expected students").fill("24")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Scheduled Internet safety")
    page.get_by_label("Students attending").fill("22")
    page.get_by_label("Minutes").fill("40")
    page.get_by_label("Reflection").fill("Good questions about passwords.")
    page.get_by_role("button", name="Mark delivered").click()
    expect(page.get_by_role("status")).to_contain_text("Marked delivered")
    expect(page.get_by_text("Counted as a classroom-instruction contact")).to_be_visible()
    delivered = Session.objects.get()
    assert delivered.status == "delivered" and delivered.interaction.kind == "instruction"
    assert delivered.interaction.student_count == 22


def _agency_local(world: World, *, hours_ago: float) -> datetime.datetime:
    zone = zoneinfo.ZoneInfo(world.agency.time_zone)
    return (timezone.now() - datetime.timedelta(hours=hours_ago)).astimezone(zone)


def test_the_calendar_reads_on_a_phone(world: World, phone_page, sign_in, live_server) -> None:
    today = agency_today(world.agency)
    noon = datetime.datetime.combine(today, datetime.time(12), tzinfo=_agency_local(world, hours_ago=0).tzinfo)
    scheduled = services.session_schedule(
        actor=world.officer.user,
        officer=world.officer,
        school=world.elementary,
        curriculum=curriculum(world),
        starts_at=noon,
        planned_minutes=45,
        class_name="Grade 5, Room 3",
        expected_students=25,
    )
    page = phone_page
    sign_in(page, "officer")
    page.goto(f"{live_server.url}/programs/calendar/")
    event = page.get_by_role("link", name="Internet safety · Grade 5, Room 3")
    expect(event).to_be_visible()
    assert event.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH + 1, "no sideways scrolling"
    page.get_by_role("link", name="Week view").tap()
    expect(page.get_by_role("heading", name="Week of")).to_be_visible()
    page.get_by_role("link", name="Internet safety · Grade 5, Room 3").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Internet safety")
    assert str(scheduled.uuid) in page.url


def test_a_teacher_leaves_feedback_without_signing_in(world: World, page, live_server) -> None:
    delivered = services.session_deliver(
        actor=world.officer.user, session=session(world), attendance=20, delivered_minutes=40
    )
    page.goto(f"{live_server.url}/programs/feedback/{delivered.feedback_token}/")
    expect(page.get_by_role("heading", name="How did the session go?")).to_be_visible()
    page.get_by_label("5 – Excellent").check()
    page.get_by_label("Comment").fill("Clear and kind with the kids.")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    feedback = TeacherFeedback.objects.get()
    assert (feedback.rating, feedback.comment) == (5, "Clear and kind with the kids.")
