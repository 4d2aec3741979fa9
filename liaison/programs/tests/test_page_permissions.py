"""Every programs page (and its CSV) × every member of the cast.

Same set-up for allowed and denied cases. Outside the caller's scope is 404; visible but not
changeable is 403; evaluators see no individual program record (403); anonymous visitors are sent
to sign in. Two pages are open without signing in and are tested in test_feeds_and_feedback.py.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from liaison.conftest import ROLES, World

from .programs import curriculum, relationship, session

INSIDE = ("platform_admin", "agency_admin", "supervisor", "officer", "district_admin", "school_admin", "evaluator")
OUTSIDERS = ("outsider_agency_admin", "outsider_district_admin")
WRITERS = ("platform_admin", "agency_admin", "supervisor", "officer")
LOGIN = reverse("accounts:login")


def statuses(default: int, **overrides: int) -> dict[str, int]:
    expected = {role: default for role in INSIDE}
    expected.update({role: 404 for role in OUTSIDERS})
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


LISTING = statuses(200, evaluator=403, **dict.fromkeys(OUTSIDERS, 200))
EVERYONE = statuses(200, **dict.fromkeys(OUTSIDERS, 200))
READ = statuses(200, evaluator=404)
WRITE = statuses(403, evaluator=404, **dict.fromkeys(WRITERS, 302))
SCHEDULING = statuses(403, outsider_agency_admin=200, outsider_district_admin=403, **dict.fromkeys(WRITERS, 200))
MENTORING_LISTING = statuses(
    200, evaluator=403, district_admin=403, outsider_agency_admin=200, outsider_district_admin=403
)
MENTORING_READ = statuses(200, evaluator=404, district_admin=404)
MENTORING_WRITE = statuses(403, evaluator=404, district_admin=404, **dict.fromkeys(WRITERS, 302))
NOTICES = statuses(
    403, platform_admin=200, agency_admin=200, supervisor=200, outsider_agency_admin=200, outsider_district_admin=403
)
CALENDAR_SET = statuses(403, platform_admin=200, district_admin=200)


@dataclass(frozen=True)
class Case:
    name: str
    url: Callable[[World, dict[str, Any]], str]
    expected: dict[str, int]
    data: dict[str, Any] | None = None  # POST when given

    def run(self, client: Any, world: World, records: dict[str, Any]) -> Any:
        url = self.url(world, records)
        return client.get(url) if self.data is None else client.post(url, self.data)


@pytest.fixture
def records(world: World) -> dict[str, Any]:
    return {"session": session(world), "curriculum": curriculum(world), "relationship": relationship(world)}


def _meeting_data() -> dict[str, Any]:
    moment = timezone.localtime(timezone.now() - datetime.timedelta(hours=3), zoneinfo.ZoneInfo("America/New_York"))
    return {"met_at": moment.strftime("%Y-%m-%dT%H:%M"), "duration_minutes": 20, "setting": "office", "topic": "career"}


CASES = [
    Case("overview", lambda w, r: reverse("programs:home"), LISTING),
    Case("sessions", lambda w, r: reverse("programs:sessions"), LISTING),
    Case("sessions csv", lambda w, r: reverse("programs:sessions") + "?format=csv", LISTING),
    Case("calendar", lambda w, r: reverse("programs:calendar"), LISTING),
    Case("presence", lambda w, r: reverse("programs:presence"), LISTING),
    Case("presence csv", lambda w, r: reverse("programs:presence") + "?format=csv", LISTING),
    Case("liaison meetings", lambda w, r: reverse("programs:liaison"), LISTING),
    Case("liaison csv", lambda w, r: reverse("programs:liaison") + "?format=csv", LISTING),
    Case("session", lambda w, r: reverse("programs:session", args=[r["session"].uuid]), READ),
    Case("schedule form", lambda w, r: reverse("programs:session_create"), SCHEDULING),
    Case(
        "change form",
        lambda w, r: reverse("programs:session_edit", args=[r["session"].uuid]),
        {**WRITE, **dict.fromkeys(WRITERS, 200)},
    ),
    Case(
        "deliver",
        lambda w, r: reverse("programs:session_deliver", args=[r["session"].uuid]),
        WRITE,
        {"attendance": 20, "delivered_minutes": 40},
    ),
    Case(
        "cancel",
        lambda w, r: reverse("programs:session_cancel", args=[r["session"].uuid]),
        WRITE,
        {"cancel-reason": "Snow day"},
    ),
    Case("mentoring", lambda w, r: reverse("programs:mentoring"), MENTORING_LISTING),
    Case("mentoring csv", lambda w, r: reverse("programs:mentoring") + "?format=csv", MENTORING_LISTING),
    Case("relationship", lambda w, r: reverse("programs:relationship", args=[r["relationship"].uuid]), MENTORING_READ),
    Case(
        "record a meeting",
        lambda w, r: reverse("programs:meeting_create", args=[r["relationship"].uuid]),
        MENTORING_WRITE,
        _meeting_data(),
    ),
    Case("start mentoring form", lambda w, r: reverse("programs:relationship_create"), SCHEDULING),
    Case("notices", lambda w, r: reverse("programs:notices"), NOTICES),
    Case("curricula", lambda w, r: reverse("programs:curricula"), EVERYONE),
    Case("curricula csv", lambda w, r: reverse("programs:curricula") + "?format=csv", EVERYONE),
    Case("school calendars", lambda w, r: reverse("programs:school_calendars"), EVERYONE),
    Case(
        "set a school calendar",
        lambda w, r: reverse("programs:school_calendar_set", args=[w.district.uuid]),
        CALENDAR_SET,
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_role_gets_the_expected_status(case: Case, role: str, page_as, world: World, records) -> None:
    response = case.run(page_as(role), world, records)
    assert response.status_code == case.expected[role]
    if role == "anonymous":
        assert response["Location"].startswith(LOGIN)


def test_the_sessions_csv_lists_the_sessions_in_scope(page_as, world: World, records) -> None:
    text = page_as("school_admin").get(reverse("programs:sessions"), {"format": "csv"}).content.decode()
    header, *rows = text.strip().splitlines()
    assert header.startswith("session_uuid,day,starts_at,school")
    assert len(rows) == 1 and str(records["session"].uuid) in rows[0]


def test_the_mentoring_csv_never_carries_the_key(page_as, world: World, records) -> None:
    text = page_as("officer").get(reverse("programs:mentoring"), {"format": "csv"}).content.decode()
    assert str(records["relationship"].uuid) in text and records["relationship"].student_key not in text
