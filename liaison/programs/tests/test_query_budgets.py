"""List pages and list endpoints cost the same number of queries for two records as for eight."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from liaison.conftest import World
from liaison.interactions.services import student_keys_enable
from liaison.programs import services

from .programs import curriculum, relationship, session

PAGES = ["programs:sessions", "programs:calendar", "programs:mentoring", "programs:presence", "programs:liaison"]
ENDPOINTS = ["/programs/sessions", "/programs/mentoring", "/programs/liaison-meetings", "/programs/presence/schools"]


def add_records(world: World, start: int, count: int) -> None:
    student_keys_enable(actor=world.users["platform_admin"], district=world.district)
    course = curriculum(world)
    for n in range(start, start + count):
        session(world, hours_ago=n + 1, course=course)
        relationship(world, student_id=f"S-{n}")
        services.liaison_meeting_schedule(
            actor=world.officer.user,
            agency=world.agency,
            school=world.elementary,
            officer=world.officer,
            kind="mou_check_in",
            starts_at=timezone.now() - datetime.timedelta(days=n),
        )


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", PAGES)
def test_list_pages_do_not_query_per_record(name: str, world: World, page_as) -> None:
    client = page_as("supervisor")
    add_records(world, 0, 2)
    client.get(reverse(name))  # the first request also reads the session and the feed address
    few = queries(lambda: client.get(reverse(name)))
    add_records(world, 2, 6)
    assert queries(lambda: client.get(reverse(name))) == few


@pytest.mark.parametrize("path", ENDPOINTS)
def test_list_endpoints_do_not_query_per_record(path: str, world: World, api_as) -> None:
    client = api_as("supervisor")
    add_records(world, 0, 2)
    client.get(path)  # the first request also records the token's use
    few = queries(lambda: client.get(path))
    add_records(world, 2, 6)
    assert queries(lambda: client.get(path)) == few
