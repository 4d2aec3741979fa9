"""The two doors open without signing in: the iCalendar feed (a secret address per officer or
school) and the teacher's feedback link (a secret address per session)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from liaison.conftest import World
from liaison.programs import services, views
from liaison.programs.models import TeacherFeedback

from .programs import relationship, session


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def delivered(world: World):
    return services.session_deliver(
        actor=world.officer.user, session=session(world), attendance=21, delivered_minutes=40, reflection="Shy group."
    )


def feed_events(response) -> list:
    calendar = Calendar.from_ical(b"".join([response.content]))
    return [component for component in calendar.walk("VEVENT")]


def test_the_officer_feed_lists_their_sessions_without_student_data(world: World) -> None:
    done = delivered(world)
    upcoming = session(world, hours_ago=-48, class_name="Grade 5, Room 3")
    relationship(world)
    feed = services.calendar_feed_get(officer=world.officer)
    response = Client().get(reverse("programs:feed", args=[feed.token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = {str(e["uid"]): e for e in feed_events(response)}
    assert set(events) == {f"session-{done.uuid}@liaison", f"session-{upcoming.uuid}@liaison"}
    assert str(events[f"session-{done.uuid}@liaison"]["location"]) == "Millbrook Elementary"
    body = response.content.decode()
    assert "Shy group" not in body and "21" not in body.split("DESCRIPTION")[1][:60]
    assert "S-1001" not in body and "Rivera" not in body


def test_the_school_feed_lists_the_schools_sessions(world: World) -> None:
    done = delivered(world)
    feed = services.calendar_feed_get(school=world.elementary)
    events = feed_events(Client().get(reverse("programs:feed", args=[feed.token])))
    assert [str(e["uid"]) for e in events] == [f"session-{done.uuid}@liaison"]


def test_a_cancelled_session_stays_in_the_feed_as_cancelled(world: World) -> None:
    cancelled = services.session_cancel(actor=world.officer.user, session=session(world), reason="Snow day")
    feed = services.calendar_feed_get(officer=world.officer)
    (event,) = feed_events(Client().get(reverse("programs:feed", args=[feed.token])))
    assert str(event["uid"]) == f"session-{cancelled.uuid}@liaison" and str(event["status"]) == "CANCELLED"


def test_a_wrong_or_replaced_feed_address_is_not_found(world: World, page_as) -> None:
    feed = services.calendar_feed_get(officer=world.officer)
    old = feed.token
    assert Client().get(reverse("programs:feed", args=["guess"])).status_code == 404
    response = page_as("officer").post(reverse("programs:feed_reset", args=[feed.uuid]))
    assert response.status_code == 302
    assert Client().get(reverse("programs:feed", args=[old])).status_code == 404
    feed.refresh_from_db()
    assert Client().get(reverse("programs:feed", args=[feed.token])).status_code == 200


def test_only_the_officer_and_their_managers_replace_an_officer_feed(world: World, page_as) -> None:
    feed = services.calendar_feed_get(officer=world.officer)
    url = reverse("programs:feed_reset", args=[feed.uuid])
    assert page_as("school_admin").post(url).status_code == 403
    assert page_as("outsider_agency_admin").post(url).status_code == 404
    assert page_as("supervisor").post(url).status_code == 302


def test_the_calendar_page_shows_the_feed_address(world: World, page_as) -> None:
    session(world)
    response = page_as("officer").get(reverse("programs:calendar"))
    feed = services.calendar_feed_get(officer=world.officer)
    assert feed.token in response.content.decode()


# --- teacher feedback -------------------------------------------------------------------------


def test_a_teacher_leaves_feedback_without_signing_in(world: World, page_as) -> None:
    done = delivered(world)
    url = reverse("programs:feedback", args=[done.feedback_token])
    teacher = Client()
    assert teacher.get(url).status_code == 200
    response = teacher.post(url, {"rating": "4", "comment": "The kids loved it."})
    assert response.status_code == 200 and views.FEEDBACK_THANKS in response.content.decode()
    feedback = TeacherFeedback.objects.get()
    assert (feedback.session, feedback.rating, feedback.comment) == (done, 4, "The kids loved it.")
    shown = page_as("supervisor").get(reverse("programs:session", args=[done.uuid])).content.decode()
    assert "The kids loved it." in shown


def test_the_same_link_edits_the_feedback(world: World) -> None:
    done = delivered(world)
    url = reverse("programs:feedback", args=[done.feedback_token])
    Client().post(url, {"rating": "2", "comment": "Too long."})
    Client().post(url, {"rating": "5", "comment": "Second session was great."})
    feedback = TeacherFeedback.objects.get()
    assert (feedback.rating, feedback.comment) == (5, "Second session was great.")


def test_feedback_is_hidden_from_school_admins(world: World, page_as) -> None:
    done = delivered(world)
    services.feedback_submit(session=done, rating=2, comment="Too long.")
    shown = page_as("school_admin").get(reverse("programs:session", args=[done.uuid])).content.decode()
    assert "Too long." not in shown


def test_feedback_opens_only_after_delivery(world: World) -> None:
    scheduled = session(world)
    url = reverse("programs:feedback", args=[scheduled.feedback_token])
    response = Client().post(url, {"rating": "4"})
    assert response.status_code == 400 and not TeacherFeedback.objects.exists()


def test_a_wrong_feedback_link_is_not_found(world: World) -> None:
    assert Client().get(reverse("programs:feedback", args=["nope"])).status_code == 404


def test_the_feedback_form_is_csrf_protected(world: World) -> None:
    done = delivered(world)
    url = reverse("programs:feedback", args=[done.feedback_token])
    response = Client(enforce_csrf_checks=True).post(url, {"rating": "4"})
    assert response.status_code == 403 and not TeacherFeedback.objects.exists()


def test_the_feedback_link_is_rate_limited(world: World) -> None:
    done = delivered(world)
    url = reverse("programs:feedback", args=[done.feedback_token])
    statuses = [Client().post(url, {"rating": "4"}).status_code for _ in range(views.FEEDBACK_LIMIT + 1)]
    assert statuses[:-1] == [200] * views.FEEDBACK_LIMIT and statuses[-1] == 429


def test_feedback_naming_someone_by_phone_is_refused(world: World) -> None:
    done = delivered(world)
    url = reverse("programs:feedback", args=[done.feedback_token])
    response = Client().post(url, {"rating": "4", "comment": "Call me at 555-123-4567"})
    assert response.status_code == 400 and not TeacherFeedback.objects.exists()
