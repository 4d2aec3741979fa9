"""Every programs API endpoint × every member of the cast, with the status each must get.

One set-up (`world` plus `records`) and the same request for allowed and denied roles, so a denial
cannot pass for the wrong reason. A record outside the caller's scope is 404; one the caller may
see but not change is 403; evaluators never reach individual program records (403 on lists);
naming an officer the caller cannot see is a 400 on `officer`.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from liaison.conftest import ROLES, World
from liaison.programs import services

from .programs import curriculum, relationship, session

INSIDE = ("platform_admin", "agency_admin", "supervisor", "officer", "district_admin", "school_admin", "evaluator")
OUTSIDERS = ("outsider_agency_admin", "outsider_district_admin")
WRITERS = ("platform_admin", "agency_admin", "supervisor", "officer")
MANAGERS = ("platform_admin", "agency_admin", "supervisor")


def statuses(default: int, **overrides: int) -> dict[str, int]:
    expected = {role: default for role in INSIDE}
    expected.update({role: 404 for role in OUTSIDERS})
    expected["anonymous"] = 401
    expected.update(overrides)
    return expected


LISTING = statuses(200, evaluator=403, **dict.fromkeys(OUTSIDERS, 200))
READ = statuses(200, evaluator=404)
WRITE = statuses(403, evaluator=404, **dict.fromkeys(WRITERS, 200))
FOR_THE_OFFICER = statuses(
    400, district_admin=403, school_admin=403, **dict.fromkeys(OUTSIDERS, 400), **dict.fromkeys(WRITERS, 201)
)
MENTORING_LISTING = statuses(
    200, evaluator=403, district_admin=403, outsider_agency_admin=200, outsider_district_admin=403
)
MENTORING_READ = statuses(200, evaluator=404, district_admin=404)
MENTORING_WRITE = statuses(403, evaluator=404, district_admin=404, **dict.fromkeys(WRITERS, 201))
LIAISON_WRITE = statuses(200, evaluator=404)
EVERYONE = statuses(200, **dict.fromkeys(OUTSIDERS, 200))
CURRICULUM_READ = statuses(200)
CURRICULUM_WRITE = statuses(403, **dict.fromkeys(MANAGERS, 200))
CURRICULUM_CREATE = statuses(
    403, outsider_agency_admin=201, outsider_district_admin=403, **dict.fromkeys(MANAGERS, 201)
)
CALENDAR_WRITE = statuses(403, district_admin=200)

Records = dict[str, Any]


@pytest.fixture
def records(world: World) -> Records:
    past = timezone.now() - datetime.timedelta(days=1)
    meeting = services.liaison_meeting_schedule(
        actor=world.officer.user,
        agency=world.agency,
        school=world.elementary,
        officer=world.officer,
        kind="mou_check_in",
        starts_at=past,
    )
    return {
        "session": session(world),
        "curriculum": curriculum(world),
        "relationship": relationship(world),
        "meeting": meeting,
    }


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: Callable[[World, Records], str]
    expected: dict[str, int]
    body: Callable[[World, Records], dict[str, Any]] | None = None


def _session_body(w: World, r: Records) -> dict[str, Any]:
    return {
        "officer": str(w.officer.uuid),
        "school": str(w.elementary.uuid),
        "curriculum": str(r["curriculum"].uuid),
        "starts_at": (timezone.now() + datetime.timedelta(days=3)).isoformat(),
        "planned_minutes": 45,
        "class_name": "Grade 3, Room 9",
        "expected_students": 20,
    }


def _relationship_body(w: World, r: Records) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "officer": str(w.officer.uuid),
        "school": str(w.elementary.uuid),
        "student_id": "S-2002",
        "started_on": (today - datetime.timedelta(days=2)).isoformat(),
        "consent_on": (today - datetime.timedelta(days=3)).isoformat(),
        "co_contact_name": "Mr. Boyd",
        "co_contact_role": "teacher",
        "school_consent_by": "Principal",
        "guardian_consent_method": "written",
    }


def _meeting_body(w: World, r: Records) -> dict[str, Any]:
    moment = timezone.now() - datetime.timedelta(hours=2)
    return {"met_at": moment.isoformat(), "duration_minutes": 20, "setting": "office", "topic": "career"}


def _calendar_body(w: World, r: Records) -> dict[str, Any]:
    return {
        "district": str(w.district.uuid),
        "school_year": "2025-2026",
        "first_day": "2025-08-27",
        "last_day": "2026-06-12",
        "breaks": [{"name": "Winter break", "first_day": "2025-12-22", "last_day": "2026-01-02"}],
    }


CASES = [
    # --- sessions ---
    Case("session list", "GET", lambda w, r: "/programs/sessions", LISTING),
    Case("session detail", "GET", lambda w, r: f"/programs/sessions/{r['session'].uuid}", READ),
    Case("schedule for the officer", "POST", lambda w, r: "/programs/sessions", FOR_THE_OFFICER, _session_body),
    Case(
        "reschedule",
        "PATCH",
        lambda w, r: f"/programs/sessions/{r['session'].uuid}",
        WRITE,
        lambda w, r: {"planned_minutes": 50, "class_name": "Grade 4, Room 14"},
    ),
    Case(
        "deliver",
        "POST",
        lambda w, r: f"/programs/sessions/{r['session'].uuid}/deliver",
        WRITE,
        lambda w, r: {"attendance": 20, "delivered_minutes": 40},
    ),
    Case(
        "cancel",
        "POST",
        lambda w, r: f"/programs/sessions/{r['session'].uuid}/cancel",
        WRITE,
        lambda w, r: {"reason": "Snow day"},
    ),
    # --- curricula ---
    Case("curriculum list", "GET", lambda w, r: "/programs/curricula", EVERYONE),
    Case("curriculum detail", "GET", lambda w, r: f"/programs/curricula/{r['curriculum'].uuid}", CURRICULUM_READ),
    Case(
        "curriculum change",
        "PATCH",
        lambda w, r: f"/programs/curricula/{r['curriculum'].uuid}",
        CURRICULUM_WRITE,
        lambda w, r: {"lesson_count": 5},
    ),
    Case(
        "curriculum create",
        "POST",
        lambda w, r: "/programs/curricula",
        CURRICULUM_CREATE,
        lambda w, r: {"title": "Bike rodeo", "lowest_grade": 1, "highest_grade": 4, "lesson_count": 1},
    ),
    # --- mentoring ---
    Case("mentoring list", "GET", lambda w, r: "/programs/mentoring", MENTORING_LISTING),
    Case("mentoring detail", "GET", lambda w, r: f"/programs/mentoring/{r['relationship'].uuid}", MENTORING_READ),
    Case(
        "mentoring meetings",
        "GET",
        lambda w, r: f"/programs/mentoring/{r['relationship'].uuid}/meetings",
        MENTORING_READ,
    ),
    Case("start for the officer", "POST", lambda w, r: "/programs/mentoring", FOR_THE_OFFICER, _relationship_body),
    Case(
        "record a meeting",
        "POST",
        lambda w, r: f"/programs/mentoring/{r['relationship'].uuid}/meetings",
        MENTORING_WRITE,
        _meeting_body,
    ),
    Case(
        "pause",
        "POST",
        lambda w, r: f"/programs/mentoring/{r['relationship'].uuid}/status",
        {**MENTORING_WRITE, **{role: 200 for role in WRITERS}},
        lambda w, r: {"status": "paused", "reason": "Absent"},
    ),
    # --- liaison meetings ---
    Case("liaison list", "GET", lambda w, r: "/programs/liaison-meetings", LISTING),
    Case(
        "liaison held",
        "POST",
        lambda w, r: f"/programs/liaison-meetings/{r['meeting'].uuid}/held",
        LIAISON_WRITE,
        lambda w, r: {"attendee_roles": ["officer", "principal"]},
    ),
    # --- presence and calendars ---
    Case("presence per school", "GET", lambda w, r: "/programs/presence/schools", LISTING),
    Case("presence per officer", "GET", lambda w, r: "/programs/presence/officers", LISTING),
    Case("school calendars", "GET", lambda w, r: "/programs/school-calendars", EVERYONE),
    Case(
        "set a school calendar",
        "PUT",
        lambda w, r: "/programs/school-calendars",
        {**CALENDAR_WRITE, "platform_admin": 200},
        _calendar_body,
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_role_gets_the_expected_status(case: Case, role: str, api_as, world: World, records: Records) -> None:
    client = api_as(role)
    path = case.path(world, records)
    if case.method == "GET":
        response = client.get(path)
    else:
        response = client.request(case.method, path, case.body(world, records) if case.body else {})
    assert response.status_code == case.expected[role], response.content


SESSIONS_SEEN = {
    "platform_admin": {"own", "outside"},
    "agency_admin": {"own"},
    "supervisor": {"own"},
    "officer": {"own"},
    "district_admin": {"own"},
    "school_admin": {"own"},
    "outsider_agency_admin": {"outside"},
    "outsider_district_admin": {"outside"},
}


@pytest.mark.parametrize("role", sorted(SESSIONS_SEEN))
def test_each_role_lists_exactly_the_sessions_in_its_scope(role: str, api_as, world: World, records: Records) -> None:
    root = world.users["platform_admin"]
    outside_course = services.curriculum_create(
        actor=root, agency=world.other_agency, title="Hunter safety", lowest_grade=7, highest_grade=12, lesson_count=2
    )
    outside = services.session_schedule(
        actor=root,
        officer=world.other_officer,
        school=world.other_school,
        curriculum=outside_course,
        starts_at=timezone.now(),
        planned_minutes=45,
        class_name="Grade 8",
        expected_students=15,
    )
    names = {str(records["session"].uuid): "own", str(outside.uuid): "outside"}
    response = api_as(role).get("/programs/sessions")
    assert {names[item["uuid"]] for item in response.json()["results"]} == SESSIONS_SEEN[role]


def test_a_session_delivered_through_the_api_counts_once(api_as, world: World, records: Records) -> None:
    client = api_as("officer")
    path = f"/programs/sessions/{records['session'].uuid}/deliver"
    first = client.post(path, {"attendance": 20, "delivered_minutes": 40})
    again = client.post(path, {"attendance": 20, "delivered_minutes": 40})
    assert first.status_code == 200 and first.json()["contact"]
    assert again.status_code == 400
    assert again.json()["error"]["fields"]["__all__"] == [services.ONLY_SCHEDULED_CAN_BE_DELIVERED]


def test_the_api_presence_figures_match_the_selectors(api_as, world: World, records: Records) -> None:
    response = api_as("supervisor").get("/programs/presence/schools", school_year="2025-2026")
    rows = {row["school_name"]: row for row in response.json()["items"]}
    assert set(rows) == {"Millbrook Elementary", "Millbrook High"}
    assert rows["Millbrook Elementary"]["has_calendar"] is False
    assert rows["Millbrook Elementary"]["share_of_weeks"] is None
    assert rows["Millbrook Elementary"]["officers_last_3_years"] == 1


def test_rescheduling_through_the_api_moves_the_day_and_is_refused_once_delivered(
    api_as, world: World, records: Records
) -> None:
    client = api_as("officer")
    path = f"/programs/sessions/{records['session'].uuid}"
    later = (timezone.now() + datetime.timedelta(days=9)).replace(microsecond=0)
    moved = client.patch(path, {"starts_at": later.isoformat()})
    assert moved.status_code == 200
    assert (
        moved.json()["starts_on"]
        == timezone.localtime(later, zoneinfo.ZoneInfo(world.agency.time_zone)).date().isoformat()
    )
    earlier = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    client.patch(path, {"starts_at": earlier})
    client.post(f"{path}/deliver", {"attendance": 20, "delivered_minutes": 40})
    refused = client.patch(path, {"planned_minutes": 30})
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["__all__"] == [services.ONLY_SCHEDULED_CAN_BE_CHANGED]
