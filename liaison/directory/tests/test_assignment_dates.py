"""Assignments lie inside their partnership's dates and a sane range; ending a partnership ends them."""

from __future__ import annotations

import datetime

import pytest

from liaison.directory.models import DATE_OUT_OF_RANGE, Assignment, Partnership
from liaison.directory.services import (
    ASSIGNMENT_AFTER_PARTNERSHIP,
    ASSIGNMENT_BEFORE_PARTNERSHIP,
    PARTNERSHIP_STRANDS_ASSIGNMENTS,
)


def _assign(api, world, start, end=None):
    body = {"officer": str(world.officer.uuid), "school": str(world.high.uuid), "start_date": start}
    if end:
        body["end_date"] = end
    return api.post("/assignments", body)


def _partnership(world) -> Partnership:
    return Partnership.objects.get(agency=world.agency, district=world.district)


def test_an_assignment_before_its_partnership_starts_is_refused(api_as, world):
    response = _assign(api_as("supervisor"), world, "2020-06-30")  # the partnership starts 2020-07-01
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "start_date": [ASSIGNMENT_BEFORE_PARTNERSHIP.format(start=datetime.date(2020, 7, 1))]
    }


def test_an_assignment_after_its_partnership_ends_is_refused(api_as, world):
    Partnership.objects.filter(pk=_partnership(world).pk).update(end_date=datetime.date(2025, 6, 30))
    Assignment.objects.filter(pk=world.assignment.pk).update(end_date=datetime.date(2024, 12, 31))
    api = api_as("supervisor")
    late = _assign(api, world, "2025-07-01")
    assert late.status_code == 400
    assert "start_date" in late.json()["error"]["fields"]
    open_ended = _assign(api, world, "2025-01-01")
    assert open_ended.status_code == 400
    assert open_ended.json()["error"]["fields"] == {
        "end_date": [ASSIGNMENT_AFTER_PARTNERSHIP.format(end=datetime.date(2025, 6, 30))]
    }
    assert _assign(api, world, "2025-01-01", "2025-06-30").status_code == 201


@pytest.mark.parametrize("start", ["0001-01-01", "1899-12-31", "9999-12-31"])
def test_an_assignment_outside_a_sane_date_range_is_refused(api_as, world, start):
    response = _assign(api_as("supervisor"), world, start)
    assert response.status_code == 400
    assert DATE_OUT_OF_RANGE in response.json()["error"]["fields"]["start_date"]


def test_a_partnership_outside_a_sane_date_range_is_refused(api_as, world):
    response = api_as("platform_admin").patch(f"/partnerships/{_partnership(world).uuid}", {"start_date": "0001-01-01"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["start_date"] == [DATE_OUT_OF_RANGE]


def test_ending_a_partnership_ends_its_open_assignments_on_that_day(api_as, world):
    response = api_as("platform_admin").patch(f"/partnerships/{_partnership(world).uuid}", {"end_date": "2026-06-30"})
    assert response.status_code == 200
    world.assignment.refresh_from_db()
    assert world.assignment.end_date == datetime.date(2026, 6, 30)


def test_ending_a_partnership_before_an_assignment_starts_is_refused_naming_it(api_as, world):
    response = api_as("platform_admin").patch(f"/partnerships/{_partnership(world).uuid}", {"end_date": "2024-08-01"})
    assert response.status_code == 409
    message = response.json()["error"]["fields"]["end_date"][0]
    assert message.startswith(PARTNERSHIP_STRANDS_ASSIGNMENTS.split("{")[0])
    assert "Millbrook Elementary" in message
    assert Assignment.objects.get(pk=world.assignment.pk).end_date is None
    assert _partnership(world).end_date is None


def test_assignments_are_paged_by_cursor_however_many_years_they_span(api_as, world):
    from liaison.directory import services

    root = world.users["platform_admin"]
    Assignment.objects.filter(pk=world.assignment.pk).update(share_of_time=50)
    for year in range(2021, 2026):
        start, end = datetime.date(year, 8, 1), datetime.date(year + 1, 6, 30)
        services.assignment_create(
            actor=root, officer=world.officer, school=world.high, start_date=start, end_date=end, share_of_time=50
        )
    api = api_as("supervisor")
    first = api.get("/assignments", page_size="4").json()
    assert len(first["results"]) == 4 and first["next"]
    second = api.get(first["next"].split("?", 1)[0].removeprefix("http://testserver"), **_query(first["next"])).json()
    seen = [a["uuid"] for a in first["results"] + second["results"]]
    assert len(seen) == len(set(seen)) == Assignment.objects.filter(agency=world.agency).count()


def _query(url: str) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(url).query))
