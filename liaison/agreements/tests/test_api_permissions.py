"""Every agreements API endpoint × every member of the cast, with the status each must get.

Allowed and denied cases share one set-up (the `world` fixture, the `extra` records and the same
request), so a denial cannot pass for the wrong reason: the allowed roles prove the request is good.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from liaison.agreements import services
from liaison.agreements.tests.mous import draft_mou, flagged_action, mou_in_force
from liaison.conftest import ROLES, World

INSIDE = ("platform_admin", "agency_admin", "supervisor", "officer", "district_admin", "school_admin", "evaluator")
OUTSIDERS = ("outsider_agency_admin", "outsider_district_admin")
EVERYONE_SIGNED_IN = {role: 200 for role in (*INSIDE, *OUTSIDERS)} | {"anonymous": 401}


def statuses(default: int, **overrides: int) -> dict[str, int]:
    """Expected status per role: `default` for the inside cast, 404 for outsiders, 401 anonymous."""
    expected = {role: default for role in INSIDE}
    expected.update({role: 404 for role in OUTSIDERS})
    expected["anonymous"] = 401
    expected.update(overrides)
    return expected


def drafters(status: int) -> dict[str, int]:
    """The people who sign an MOU draft it: the agency's admin and the district's admin."""
    return statuses(403, platform_admin=status, agency_admin=status, district_admin=status)


REVIEW_READERS = statuses(200, evaluator=404)
REVIEW_CLOSERS = statuses(403, platform_admin=200, agency_admin=200, supervisor=200, evaluator=404)


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: Callable[[World, dict[str, Any]], str]
    expected: dict[str, int]
    body: Callable[[World, dict[str, Any]], dict[str, Any]] | None = None


def _evaluate_body(w: World, x: dict[str, Any]) -> dict[str, Any]:
    return {
        "action_type": "arrest",
        "reason_category": "weapon",
        "school": str(w.elementary.uuid),
        "date": "2025-10-01",
        "admin_consulted": False,
        "requested_by": "self",
        "agency": str(w.agency.uuid),
    }


CASES = [
    # --- MOUs ---
    Case("agreement list", "GET", lambda w, x: "/agreements", EVERYONE_SIGNED_IN),
    Case(
        "agreement create",
        "POST",
        lambda w, x: "/agreements",
        drafters(201) | dict.fromkeys(OUTSIDERS, 400),
        lambda w, x: {"partnership": str(x["partnership"].uuid), "title": "Addendum", "effective_date": "2026-08-01"},
    ),
    Case("agreement detail", "GET", lambda w, x: f"/agreements/{x['mou'].uuid}", statuses(200)),
    Case(
        "agreement update",
        "PATCH",
        lambda w, x: f"/agreements/{x['mou'].uuid}",
        drafters(200),
        lambda w, x: {"published": True},
    ),
    Case(
        "new draft version",
        "POST",
        lambda w, x: f"/agreements/{x['pending'].agreement.uuid}/versions",
        drafters(201),
        lambda w, x: {"effective_date": "2026-09-01"},
    ),
    # --- versions ---
    Case("version detail", "GET", lambda w, x: f"/agreements/versions/{x['draft'].uuid}", statuses(200)),
    Case(
        "version update",
        "PATCH",
        lambda w, x: f"/agreements/versions/{x['draft'].uuid}",
        drafters(200),
        lambda w, x: {"expiry_date": "2027-07-31"},
    ),
    Case(
        "section put",
        "PUT",
        lambda w, x: f"/agreements/versions/{x['draft'].uuid}/sections/purpose",
        drafters(200),
        lambda w, x: {"text": "Keep students safe and out of the justice system."},
    ),
    Case(
        "rule put",
        "PUT",
        lambda w, x: f"/agreements/versions/{x['draft'].uuid}/rules/tobacco_vaping",
        drafters(200),
        lambda w, x: {"level": "school_only", "prohibited_actions": ["search"]},
    ),
    Case(
        "rule delete",
        "DELETE",
        lambda w, x: f"/agreements/versions/{x['draft'].uuid}/rules/tobacco_vaping",
        drafters(204),
    ),
    Case(
        "version submit",
        "POST",
        lambda w, x: f"/agreements/versions/{x['draft'].uuid}/submit",
        drafters(200),
        lambda w, x: {"acknowledge_missing": True},
    ),
    Case(
        "sign as agency head",
        "POST",
        lambda w, x: f"/agreements/versions/{x['pending'].uuid}/sign",
        statuses(403, agency_admin=200),
        lambda w, x: {"party": "agency_head"},
    ),
    Case(
        "sign as superintendent",
        "POST",
        lambda w, x: f"/agreements/versions/{x['pending'].uuid}/sign",
        statuses(403, district_admin=200),
        lambda w, x: {"party": "superintendent"},
    ),
    Case(
        "version diff",
        "GET",
        lambda w, x: f"/agreements/versions/{x['draft'].uuid}/diff?against={x['signed'].uuid}",
        statuses(200),
    ),
    # --- evaluation ---
    Case(
        "evaluate",
        "POST",
        lambda w, x: "/agreements/evaluate",
        statuses(200, **dict.fromkeys(OUTSIDERS, 400)),
        _evaluate_body,
    ),
    # --- reviews ---
    Case("review list", "GET", lambda w, x: "/agreements/reviews", EVERYONE_SIGNED_IN),
    Case("review detail", "GET", lambda w, x: f"/agreements/reviews/{x['review'].uuid}", REVIEW_READERS),
    Case(
        "review comment",
        "POST",
        lambda w, x: f"/agreements/reviews/{x['review'].uuid}/comments",
        statuses(201, evaluator=404),
        lambda w, x: {"text": "The principal confirms the request."},
    ),
    Case(
        "review close",
        "POST",
        lambda w, x: f"/agreements/reviews/{x['review'].uuid}/close",
        REVIEW_CLOSERS,
        lambda w, x: {"finding": "policy_violation", "comment": "Vaping is school discipline."},
    ),
    # --- reminders ---
    Case("reminders", "GET", lambda w, x: "/agreements/reminders", EVERYONE_SIGNED_IN),
    # --- the MOU dashboard ---
    Case(
        "dashboard (agency)",
        "GET",
        lambda w, x: f"/agreements/dashboard/agency/{w.agency.uuid}",
        statuses(403, platform_admin=200, agency_admin=200, supervisor=200),
    ),
    Case(
        "dashboard (district)",
        "GET",
        lambda w, x: f"/agreements/dashboard/district/{w.district.uuid}",
        statuses(403, platform_admin=200, district_admin=200),
    ),
]


@pytest.fixture
def extra(world: World) -> dict[str, Any]:
    """An MOU in force with a draft v2, a second MOU awaiting signatures, and an open review."""
    mou = mou_in_force(world)
    signed = mou.versions.get()
    draft = services.version_new_draft(
        actor=world.users["agency_admin"], agreement=mou, effective_date=datetime.date(2026, 8, 1)
    )
    pending = draft_mou(world, title="Millbrook athletics addendum").versions.get()
    services.version_submit(actor=world.users["agency_admin"], version=pending, acknowledge_missing=True)
    return {
        "partnership": world.agency.partnerships.get(district=world.district),
        "mou": mou,
        "signed": signed,
        "draft": draft,
        "pending": pending,
        "review": flagged_action(world),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_role_gets_the_expected_status(case: Case, role: str, api_as, world: World, extra) -> None:
    api = api_as(role)
    body = case.body(world, extra) if case.body else None
    response = api.request(case.method, case.path(world, extra), body)
    assert response.status_code == case.expected[role], response.content
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}


def test_the_matrix_covers_every_agreements_endpoint() -> None:
    from liaison.api import openapi_document

    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in openapi_document()["paths"].items()
        for method in operations
        if path.startswith("/api/v1/agreements")
    }
    covered = {(case.method, _template(case)) for case in CASES}
    assert documented - covered == set()


def test_every_case_names_a_status_for_every_role() -> None:
    assert all(set(case.expected) == set(ROLES) for case in CASES)


def _template(case: Case) -> str:
    """The case's path with ids and names replaced by the OpenAPI placeholders."""

    class Placeholder:
        def __getattr__(self, name: str) -> Any:
            return self

        def __getitem__(self, name: str) -> Any:
            return self

        def __str__(self) -> str:
            return "{uuid}"

    path = case.path(Placeholder(), Placeholder())  # type: ignore[arg-type]
    path = path.split("?")[0]
    path = re.sub(r"/sections/[a-z_]+$", "/sections/{element}", path)
    return re.sub(r"/rules/[a-z_]+$", "/rules/{category}", path)
