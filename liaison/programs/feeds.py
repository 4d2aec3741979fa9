"""iCalendar feeds of sessions and liaison meetings, for a teacher's or an officer's calendar app.

A feed is read without signing in, so it carries only what any teacher at the school may know: the
class, the curriculum, the officer, the time and the room. Never attendance, reflections, feedback,
mentoring or student data.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from icalendar import Calendar, Event

from .models import CalendarFeed, LiaisonMeeting, Session
from .vocabulary import LiaisonMeetingKind, LiaisonMeetingStatus, SessionStatus

PRODUCT_ID = "-//Liaison//School Resource Officer programs//EN"
FEED_HISTORY_DAYS = 120  # a school year's recent past is enough for a calendar app


def _event(uid: str, summary: str, start: datetime.datetime, minutes: int, location: str, description: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", start + datetime.timedelta(minutes=minutes))
    event.add("location", location)
    event.add("description", description)
    return event


def session_event(session: Session) -> Event:
    lesson = f" (lesson {session.lesson_number} of {session.curriculum.lesson_count})" if session.lesson_number else ""
    description = f"{session.class_name}. Taught by {session.officer.display_name}."
    event = _event(
        f"session-{session.uuid}@liaison",
        f"{session.curriculum.title}{lesson}",
        session.starts_at,
        session.delivered_minutes or session.planned_minutes,
        session.school.name,
        description,
    )
    event.add("status", "CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED")
    return event


def meeting_event(meeting: LiaisonMeeting) -> Event:
    event = _event(
        f"liaison-{meeting.uuid}@liaison",
        meeting.get_kind_display(),
        meeting.starts_at,
        60,
        meeting.school.name,
        "Meeting between the school and its school resource officer program.",
    )
    event.add("status", "CANCELLED" if meeting.status == LiaisonMeetingStatus.CANCELLED else "CONFIRMED")
    return event


def calendar_bytes(name: str, sessions: Iterable[Session], meetings: Iterable[LiaisonMeeting]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for session in sessions:
        calendar.add_component(session_event(session))
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting))
    return calendar.to_ical()


def feed_contents(
    found: CalendarFeed, *, since: datetime.date
) -> tuple[str, QuerySet[Session], QuerySet[LiaisonMeeting]]:
    """The feed's name, sessions and meetings from `since`: an officer's own, or a school's (its family
    events only, of the meetings)."""
    sessions = Session.objects.filter(starts_on__gte=since).select_related("school", "curriculum", "officer__user")
    meetings = LiaisonMeeting.objects.filter(starts_on__gte=since).select_related("school")
    if found.officer is not None:
        name = f"{found.officer.display_name}: school programs"
        return name, sessions.filter(officer=found.officer), meetings.filter(officer=found.officer)
    assert found.school is not None
    name = f"{found.school.name}: officer programs"
    family_events = meetings.filter(school=found.school, kind=LiaisonMeetingKind.FAMILY_EVENT)
    return name, sessions.filter(school=found.school), family_events
