"""Every surveys endpoint × every member of the cast, each response checked against the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from liaison.conftest import ROLES, World
from liaison.surveys import form_tokens
from liaison.surveys.models import Burst

from .surveys import instrument, link, respond, student_wave

READERS = ("platform_admin", "agency_admin", "supervisor", "district_admin", "school_admin", "evaluator")
OUTSIDERS = ("outsider_agency_admin", "outsider_district_admin")


def statuses(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(READERS, default)
    expected.update(officer=403, anonymous=401, **dict.fromkeys(OUTSIDERS, 404))
    expected.update(overrides)
    return expected


def _wave_in(world: World) -> dict[str, Any]:
    today = timezone.localdate().isoformat()
    return {
        "title": "Staff",
        "instrument": str(instrument().uuid),
        "audience": "staff",
        "schools": [str(world.elementary.uuid)],
        "languages": ["en"],
        "opens_on": today,
        "closes_on": today,
    }


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: Callable[[World, Any], str]
    expected: dict[str, int]
    data: Callable[[World, Any], dict[str, Any]] | None = None


CASES = [
    Case(
        "instruments",
        "GET",
        lambda w, v: "/surveys/instruments",
        statuses(200, officer=200, **dict.fromkeys(OUTSIDERS, 200)),
    ),
    Case("waves", "GET", lambda w, v: "/surveys/waves", statuses(200, **dict.fromkeys(OUTSIDERS, 200))),
    Case(
        "open a wave",
        "POST",
        lambda w, v: "/surveys/waves",
        statuses(
            403,
            platform_admin=201,
            district_admin=201,
            school_admin=201,
            outsider_agency_admin=403,
            outsider_district_admin=400,
        ),
        lambda w, v: _wave_in(w),
    ),
    Case("wave", "GET", lambda w, v: f"/surveys/waves/{v.uuid}", statuses(200)),
    Case("results", "GET", lambda w, v: f"/surveys/waves/{v.uuid}/results", statuses(200)),
    Case(
        "close",
        "POST",
        lambda w, v: f"/surveys/waves/{v.uuid}/close",
        statuses(403, platform_admin=200, district_admin=200),
        lambda w, v: {},
    ),
    Case(
        "open answers",
        "GET",
        lambda w, v: f"/surveys/schools/{link(v, w.elementary).uuid}/open-answers",
        statuses(403, platform_admin=200, district_admin=200, school_admin=200),
    ),
    Case(
        "respond",
        "POST",
        lambda w, v: "/surveys/responses",
        dict.fromkeys(ROLES, 201),
        lambda w, v: {
            "token": link(v, w.high).token,
            "language": "es",
            "answers": {"pulse_safety": 6},
            "form_token": form_tokens.form_token_issue(link(v, w.high)),
        },
    ),
    Case(
        "form token",
        "GET",
        lambda w, v: f"/surveys/links/{link(v, w.high).token}/form-token",
        dict.fromkeys(ROLES, 200),
    ),
    Case("progress", "GET", lambda w, v: f"/surveys/waves/{v.uuid}/progress", statuses(200)),
    Case(
        "bursts",
        "GET",
        lambda w, v: f"/surveys/waves/{v.uuid}/bursts",
        statuses(403, platform_admin=200, district_admin=200),
    ),
    Case(
        "decide on a burst",
        "POST",
        lambda w, v: f"/surveys/bursts/{_fresh_burst(w, v).uuid}/decision",
        statuses(403, platform_admin=200, district_admin=200),
        lambda w, v: {"accept": False},
    ),
]


def _fresh_burst(world: World, wave: Any) -> Burst:
    """A new pending burst for each caller, so one role's decision does not decide the next one's case."""
    here = link(wave, world.high)
    Burst.objects.filter(wave_school=here, decision="pending").delete()
    return Burst.objects.create(wave_school=here, day=timezone.localdate(), size=12)


@pytest.fixture
def wave(world: World) -> Any:
    wave = student_wave(world)
    respond(link(wave, world.elementary), 10)
    cache.clear()
    return wave


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_role_gets_the_expected_status(case: Case, api_as, world: World, wave: Any) -> None:
    found = {}
    for role in ROLES:
        client = api_as(role)
        path = case.path(world, wave)
        response = client.get(path) if case.data is None else client.post(path, case.data(world, wave))
        found[role] = response.status_code
    assert found == case.expected


def test_the_api_refuses_a_response_to_a_closed_wave_in_the_one_error_shape(api_as, world: World, wave: Any) -> None:
    api_as("district_admin").post(f"/surveys/waves/{wave.uuid}/close", {})
    here = link(wave, world.high)
    response = api_as("anonymous").post(
        "/surveys/responses",
        {"token": here.token, "language": "en", "answers": {}, "form_token": form_tokens.form_token_issue(here)},
    )
    assert response.status_code == 400
    assert "closed" in response.json()["error"]["message"] or response.json()["error"]["fields"]


def test_the_api_refuses_a_student_wave_without_parental_notice(api_as, world: World) -> None:
    response = api_as("district_admin").post("/surveys/waves", {**_wave_in(world), "audience": "students"})
    assert response.status_code == 400
    assert "notice_date" in response.json()["error"]["fields"]


def test_the_matrix_covers_every_surveys_endpoint(world: World, wave: Any) -> None:
    import re

    from liaison.api import openapi_document

    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in openapi_document()["paths"].items()
        for method in operations
        if path.startswith("/api/v1/surveys/")
    }
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    token = re.compile(r"/links/[^/]+/")
    covered = {
        (case.method, token.sub("/links/{token}/", uuid.sub("{uuid}", case.path(world, wave)))) for case in CASES
    }
    assert documented == covered
