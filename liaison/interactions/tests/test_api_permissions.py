"""Every interactions API endpoint × every member of the cast, with the status each must get.

Allowed and denied cases share one set-up (`world` plus `scoped_records`) and the same request, so a
denial cannot pass for the wrong reason: the allowed roles prove the request itself is good.

What the statuses mean here:
- a record outside the caller's scope is 404 (its existence is not disclosed);
- a record the caller may see but not change is 403 (school and district admins read, never edit);
- lists and counts are 403 for evaluators, who never see individual records
  (`access.may_view_interactions`), and 200 for everyone else, showing only their scope;
- naming an officer the caller cannot see is a 400 on the `officer` field, as for any bad reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from liaison.conftest import ROLES, World
from liaison.interactions.access import NO_RECORDS_FOR_ROLE
from liaison.interactions.models import Interaction

from .scoped_records import NO_RECORDS, VISIBLE, names_of, scoped_records

INSIDE = ("platform_admin", "agency_admin", "supervisor", "officer", "district_admin", "school_admin", "evaluator")
OUTSIDERS = ("outsider_agency_admin", "outsider_district_admin")
# Those who may record for, amend and void the officer's records: the officer and the agency's managers.
AGENCY_WRITERS = ("platform_admin", "agency_admin", "supervisor", "officer")

Records = dict[str, Interaction]


def statuses(default: int, **overrides: int) -> dict[str, int]:
    """Expected status per role: `default` for the inside cast, 404 for outsiders, 401 anonymous."""
    expected = {role: default for role in INSIDE}
    expected.update({role: 404 for role in OUTSIDERS})
    expected["anonymous"] = 401
    expected.update(overrides)
    return expected


LISTING = statuses(200, evaluator=403, **dict.fromkeys(OUTSIDERS, 200))
READ_OWN = statuses(200, evaluator=404)
WRITE_OWN = statuses(403, evaluator=404, **dict.fromkeys(AGENCY_WRITERS, 200))
# Naming the officer: writers 2xx, admins who can see the officer 403, anyone who cannot see them 400.
FOR_THE_OFFICER = statuses(
    400, district_admin=403, school_admin=403, **dict.fromkeys(OUTSIDERS, 400), **dict.fromkeys(AGENCY_WRITERS, 200)
)


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: Callable[[World, Records], str]
    expected: dict[str, int]
    body: Callable[[World, Records], dict[str, Any]] | None = None
    params: dict[str, Any] | None = None


CASES = [
    # --- lists and counts ---
    Case("list", "GET", lambda w, r: "/interactions", LISTING),
    Case("list with filters", "GET", lambda w, r: "/interactions", LISTING, params={"kind": "positive"}),
    Case("counts", "GET", lambda w, r: "/interactions/counts", LISTING),
    Case("counts with filters", "GET", lambda w, r: "/interactions/counts", LISTING, params={"since": "2020-01-01"}),
    # --- the officer's week ---
    Case(
        "week summary for the officer",
        "GET",
        lambda w, r: "/interactions/summary/week",
        FOR_THE_OFFICER,
        params={"officer": "{officer}"},
    ),
    # --- recording ---
    Case(
        "create for the officer",
        "POST",
        lambda w, r: "/interactions",
        FOR_THE_OFFICER | dict.fromkeys(AGENCY_WRITERS, 201),
        lambda w, r: {"officer": str(w.officer.uuid), "school": str(w.elementary.uuid), "kind": "positive"},
    ),
    # --- one record ---
    Case("detail (the officer's own)", "GET", lambda w, r: f"/interactions/{r['own'].uuid}", READ_OWN),
    Case(
        "detail (a colleague's at another school)",
        "GET",
        lambda w, r: f"/interactions/{r['colleague'].uuid}",
        statuses(200, evaluator=404, officer=404, school_admin=404),
    ),
    Case(
        "detail (another agency's at the district)",
        "GET",
        lambda w, r: f"/interactions/{r['sheriff'].uuid}",
        statuses(404, platform_admin=200, district_admin=200),
    ),
    Case(
        "detail (outside the program)",
        "GET",
        lambda w, r: f"/interactions/{r['outside'].uuid}",
        statuses(404, platform_admin=200, **dict.fromkeys(OUTSIDERS, 200)),
    ),
    Case(
        "change",
        "PATCH",
        lambda w, r: f"/interactions/{r['own'].uuid}",
        WRITE_OWN,
        lambda w, r: {"duration_minutes": 12, "reason": "Corrected the duration"},
    ),
    Case(
        "void",
        "POST",
        lambda w, r: f"/interactions/{r['own'].uuid}/void",
        WRITE_OWN,
        lambda w, r: {"reason": "Entered twice"},
    ),
]


@pytest.fixture
def records(world: World) -> Records:
    return scoped_records(world)


def _params(case: Case, world: World) -> dict[str, Any]:
    return {k: (str(world.officer.uuid) if v == "{officer}" else v) for k, v in (case.params or {}).items()}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_role_gets_the_expected_status(case: Case, role: str, api_as, world: World, records: Records) -> None:
    api = api_as(role)
    body = case.body(world, records) if case.body else None
    response = api.request(case.method, case.path(world, records), body, **_params(case, world))
    assert response.status_code == case.expected[role], response.content
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_exactly_the_records_in_its_scope(role: str, api_as, world: World, records: Records) -> None:
    response = api_as(role).get("/interactions")
    if role in VISIBLE:
        assert names_of(records, [row["uuid"] for row in response.json()["results"]]) == VISIBLE[role]
    elif role in NO_RECORDS:
        assert response.json()["error"]["message"] == NO_RECORDS_FOR_ROLE
    else:
        assert response.status_code == 401


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_each_role_counts_exactly_the_records_in_its_scope(role: str, api_as, world: World, records: Records) -> None:
    body = api_as(role).get("/interactions/counts").json()
    expected = VISIBLE[role]
    assert body["total"] == len(expected)
    assert body["by_kind"]["positive"] == len(expected & {"own", "outside"})


def test_the_matrix_covers_every_interactions_endpoint() -> None:
    from liaison.api import openapi_document

    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in openapi_document()["paths"].items()
        for method in operations
        if path.startswith("/api/v1/interactions")
    }
    covered = {(case.method, _template(case)) for case in CASES}
    assert documented - covered == set()


def _template(case: Case) -> str:
    """The case's path with ids replaced by the OpenAPI placeholder."""

    class Placeholder:
        uuid = "{uuid}"

        def __getattr__(self, name: str) -> Any:
            return self

        def __getitem__(self, name: str) -> Any:
            return self

    return case.path(Placeholder(), Placeholder())  # type: ignore[arg-type]
