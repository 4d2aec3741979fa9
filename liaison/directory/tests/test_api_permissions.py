"""Every directory API endpoint × every member of the cast, with the status each must get.

Allowed and denied cases share one set-up (the `world` fixture and the same request), so a
denial cannot pass for the wrong reason: the allowed roles prove the request itself is good.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from liaison.conftest import ROLES, World
from liaison.directory import services
from liaison.directory.models import TrainingCourse

INSIDE = ("platform_admin", "agency_admin", "supervisor", "officer", "district_admin", "school_admin", "evaluator")
OUTSIDERS = ("outsider_agency_admin", "outsider_district_admin")


def statuses(default: int, **overrides: int) -> dict[str, int]:
    """Expected status per role: `default` for the inside cast, 404 for outsiders, 401 anonymous."""
    expected = {role: default for role in INSIDE}
    expected.update({role: 404 for role in OUTSIDERS})
    expected["anonymous"] = 401
    expected.update(overrides)
    return expected


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: Callable[[World, dict[str, Any]], str]
    expected: dict[str, int]
    body: Callable[[World, dict[str, Any]], dict[str, Any]] | None = None


def _school_body(w: World, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "district": str(w.district.uuid),
        "name": "Millbrook Middle",
        "nces_id": "250000100002",
        "level": "middle",
        "lowest_grade": 6,
        "highest_grade": 8,
    }


def _officer_body(w: World, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "agency": str(w.agency.uuid),
        "username": "new_officer",
        "first_name": "Nia",
        "last_name": "Ortiz",
        "badge_number": "202",
    }


ONLY_PLATFORM = {role: 403 for role in (*INSIDE, *OUTSIDERS)} | {"platform_admin": 201, "anonymous": 401}
AGENCY_MANAGERS_WRITE = statuses(403, platform_admin=200, agency_admin=200, supervisor=200, evaluator=404)
DISTRICT_ADMIN_WRITE = statuses(403, platform_admin=200, district_admin=200)

CASES = [
    # --- reads ---
    Case("me", "GET", lambda w, x: "/accounts/me", statuses(200, **dict.fromkeys(OUTSIDERS, 200))),
    Case("agency detail", "GET", lambda w, x: f"/agencies/{w.agency.uuid}", statuses(200)),
    Case(
        "agency coverage",
        "GET",
        lambda w, x: f"/agencies/{w.agency.uuid}/coverage",
        statuses(403, platform_admin=200, agency_admin=200, supervisor=200),
    ),
    Case(
        "training requirements",
        "GET",
        lambda w, x: f"/agencies/{w.agency.uuid}/training-requirements",
        statuses(200),
    ),
    Case("district detail", "GET", lambda w, x: f"/districts/{w.district.uuid}", statuses(200)),
    Case("school detail (officer's school)", "GET", lambda w, x: f"/schools/{w.elementary.uuid}", statuses(200)),
    Case(
        "school detail (no officer there)",
        "GET",
        lambda w, x: f"/schools/{w.high.uuid}",
        statuses(200, officer=404, school_admin=404),
    ),
    Case("school enrollment", "GET", lambda w, x: f"/schools/{w.elementary.uuid}/enrollment", statuses(200)),
    Case(
        "partnership detail",
        "GET",
        lambda w, x: f"/partnerships/{x['partnership'].uuid}",
        statuses(200, school_admin=404),
    ),
    Case("officer detail", "GET", lambda w, x: f"/officers/{w.officer.uuid}", statuses(200, evaluator=404)),
    Case("assignment detail", "GET", lambda w, x: f"/assignments/{w.assignment.uuid}", statuses(200, evaluator=404)),
    Case(
        "training record detail",
        "GET",
        lambda w, x: f"/training-records/{x['training'].uuid}",
        statuses(200, evaluator=404),
    ),
    *[
        Case(f"{name} list", "GET", lambda w, x, name=name: f"/{name}", statuses(200, **dict.fromkeys(OUTSIDERS, 200)))
        for name in ("agencies", "districts", "schools", "partnerships", "officers", "training-records", "assignments")
    ],
    # --- writes ---
    Case(
        "training requirements set",
        "PUT",
        lambda w, x: f"/agencies/{w.agency.uuid}/training-requirements",
        statuses(403, platform_admin=200, agency_admin=200),
        lambda w, x: {"requirements": [{"course": "de_escalation", "minimum_hours": 8}]},
    ),
    Case(
        "agency create",
        "POST",
        lambda w, x: "/agencies",
        ONLY_PLATFORM,
        lambda w, x: {
            "name": "Eastfield Police",
            "kind": "municipal_police",
            "state": "MA",
            "ori": "MA0999900",
        },
    ),
    Case(
        "agency update",
        "PATCH",
        lambda w, x: f"/agencies/{w.agency.uuid}",
        statuses(403, platform_admin=200, agency_admin=200),
        lambda w, x: {"name": "Millbrook PD"},
    ),
    Case(
        "district create",
        "POST",
        lambda w, x: "/districts",
        ONLY_PLATFORM,
        lambda w, x: {
            "name": "Eastfield Schools",
            "state": "MA",
            "nces_id": "2500009",
        },
    ),
    Case(
        "district update",
        "PATCH",
        lambda w, x: f"/districts/{w.district.uuid}",
        DISTRICT_ADMIN_WRITE,
        lambda w, x: {"name": "Millbrook PS"},
    ),
    Case(
        "school create",
        "POST",
        lambda w, x: "/schools",
        statuses(403, platform_admin=201, district_admin=201, **dict.fromkeys(OUTSIDERS, 400)),
        _school_body,
    ),
    Case(
        "school update",
        "PATCH",
        lambda w, x: f"/schools/{w.elementary.uuid}",
        DISTRICT_ADMIN_WRITE,
        lambda w, x: {"address": "1 School St"},
    ),
    Case(
        "enrollment put",
        "PUT",
        lambda w, x: f"/schools/{w.elementary.uuid}/enrollment/2025-2026",
        DISTRICT_ADMIN_WRITE,
        lambda w, x: {"total": 410, "white": 300, "hispanic_latino": 110},
    ),
    Case(
        "partnership create",
        "POST",
        lambda w, x: "/partnerships",
        ONLY_PLATFORM,
        lambda w, x: {
            "agency": str(w.agency.uuid),
            "district": str(x["spare_district"].uuid),
            "start_date": "2025-07-01",
        },
    ),
    Case(
        "partnership update",
        "PATCH",
        lambda w, x: f"/partnerships/{x['partnership'].uuid}",
        statuses(403, platform_admin=200, school_admin=404),
        lambda w, x: {"end_date": "2030-06-30"},
    ),
    Case(
        "officer create",
        "POST",
        lambda w, x: "/officers",
        statuses(403, platform_admin=201, agency_admin=201, outsider_agency_admin=400, outsider_district_admin=403),
        _officer_body,
    ),
    Case(
        "officer update",
        "PATCH",
        lambda w, x: f"/officers/{w.officer.uuid}",
        statuses(403, platform_admin=200, agency_admin=200, evaluator=404),
        lambda w, x: {"rank": "Sergeant"},
    ),
    Case(
        "training record create",
        "POST",
        lambda w, x: "/training-records",
        statuses(
            403,
            platform_admin=201,
            agency_admin=201,
            supervisor=201,
            outsider_agency_admin=400,
            outsider_district_admin=403,
        ),
        lambda w, x: {
            "officer": str(w.officer.uuid),
            "course": "de_escalation",
            "hours": "8",
            "completed_on": "2025-03-01",
        },
    ),
    Case(
        "training record update",
        "PATCH",
        lambda w, x: f"/training-records/{x['training'].uuid}",
        AGENCY_MANAGERS_WRITE,
        lambda w, x: {"provider": "State academy"},
    ),
    Case(
        "assignment create",
        "POST",
        lambda w, x: "/assignments",
        statuses(
            403,
            platform_admin=201,
            agency_admin=201,
            supervisor=201,
            outsider_agency_admin=400,
            outsider_district_admin=403,
        ),
        lambda w, x: {
            "officer": str(x["second_officer"].uuid),
            "school": str(w.high.uuid),
            "start_date": "2025-08-25",
        },
    ),
    Case(
        "assignment end",
        "PATCH",
        lambda w, x: f"/assignments/{w.assignment.uuid}",
        AGENCY_MANAGERS_WRITE,
        lambda w, x: {"end_date": "2026-06-15"},
    ),
]


@pytest.fixture
def extra(world: World) -> dict[str, Any]:
    """Records some cases need beyond the shared world."""
    root = world.users["platform_admin"]
    training = services.training_record_create(
        actor=root,
        officer=world.officer,
        course=TrainingCourse.BASIC_SRO,
        hours=40,
        completed_on=datetime.date(2024, 6, 1),
    )
    second_officer = services.officer_create(
        actor=root, agency=world.agency, username="second", first_name="Sam", last_name="Second", badge_number="102"
    )
    spare_district = services.district_create(actor=root, name="Eastfield Schools", state="MA", nces_id="2500002")
    return {
        "training": training,
        "partnership": world.agency.partnerships.get(district=world.district),
        "second_officer": second_officer,
        "spare_district": spare_district,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_role_gets_the_expected_status(case: Case, role: str, api_as, world: World, extra) -> None:
    api = api_as(role)
    path = case.path(world, extra)
    body = case.body(world, extra) if case.body else None
    response = api.request(case.method, path, body)
    assert response.status_code == case.expected[role], response.content
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}


DIRECTORY_RESOURCES = {
    "agencies", "districts", "schools", "partnerships", "officers", "training-records", "assignments",
}  # fmt: skip


def test_the_matrix_covers_every_directory_endpoint(openapi_spec) -> None:
    from liaison.api import openapi_document

    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in openapi_document()["paths"].items()
        for method in operations
        if path.removeprefix("/api/v1/").split("/")[0] in DIRECTORY_RESOURCES or path == "/api/v1/accounts/me"
    }
    covered = {(case.method, _template(case)) for case in CASES}
    assert documented - covered == set()


def _template(case: Case) -> str:
    """The case's path with ids replaced by the OpenAPI placeholders."""
    import re

    class Any_:
        def __getattr__(self, name: str) -> Any:
            return self

        def __getitem__(self, name: str) -> Any:
            return self

        def __str__(self) -> str:
            return "{uuid}"

    path = case.path(Any_(), Any_())  # type: ignore[arg-type]
    return re.sub(r"/2025-2026$", "/{school_year}", path)
