"""Every people page and endpoint × every member of the cast.

Allowed and denied requests are the same request (same URL, same data); a denied write must leave
every row as it was and send no mail, and the first allowed role in each case proves the request
itself is good.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from liaison.accounts.models import Membership
from liaison.accounts.roles import Role
from liaison.conftest import ROLES, World
from liaison.directory.tests.pages import row_counts

AGENCY_MANAGERS = {"platform_admin", "agency_admin"}
DISTRICT_MANAGERS = {"platform_admin", "district_admin"}
# Who can see the agency (and so is told 403, not 404): everyone at the agency or at a district it serves.
SEES_AGENCY = {"supervisor", "officer", "evaluator", "district_admin", "school_admin"}
SEES_DISTRICT = {"agency_admin", "supervisor", "officer", "school_admin", "evaluator"}


def expected(allowed: set[str], sees: set[str], *, anonymous: int = 302) -> dict[str, int]:
    """200 for the managers, 403 for those who see the place, 404 for the rest, login for anonymous."""
    statuses = {role: 200 if role in allowed else 403 if role in sees else 404 for role in ROLES}
    return statuses | {"anonymous": anonymous}


def role_of(username: str, role: str) -> Membership:
    return Membership.objects.get(user__username=username, role=role)


@dataclass(frozen=True)
class Case:
    name: str
    url: Callable[[World], str]
    allowed: set[str]
    sees: set[str]
    data: Callable[[World], dict[str, Any]] | None = None  # a POST with this data; GET otherwise


def _people(kind: str) -> Callable[[World], str]:
    return lambda w: reverse("accounts:people", args=[kind, (w.agency if kind == "agency" else w.district).uuid])


def _sub(name: str, kind: str) -> Callable[[World], str]:
    return lambda w: reverse(f"accounts:{name}", args=[kind, (w.agency if kind == "agency" else w.district).uuid])


def _new_person(role: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: (
        {"first_name": "Rosa", "last_name": "Quinn", "username": "rquinn"}
        | {
            "email": "rosa@example.org",
            "role": role,
        }
    )


PAGES = [
    Case("people agency", _people("agency"), AGENCY_MANAGERS, SEES_AGENCY),
    Case("people district", _people("district"), DISTRICT_MANAGERS, SEES_DISTRICT),
    Case("add form agency", _sub("person_add", "agency"), AGENCY_MANAGERS, SEES_AGENCY),
    Case("add form district", _sub("person_add", "district"), DISTRICT_MANAGERS, SEES_DISTRICT),
    Case("grant form agency", _sub("role_grant", "agency"), AGENCY_MANAGERS, SEES_AGENCY),
    Case("grant form district", _sub("role_grant", "district"), DISTRICT_MANAGERS, SEES_DISTRICT),
    Case(
        "edit form agency",
        lambda w: reverse("accounts:person_edit", args=["agency", w.agency.uuid, w.users["supervisor"].uuid]),
        AGENCY_MANAGERS,
        SEES_AGENCY,
    ),
    Case(
        "edit agency",
        lambda w: reverse("accounts:person_edit", args=["agency", w.agency.uuid, w.users["supervisor"].uuid]),
        AGENCY_MANAGERS,
        SEES_AGENCY,
        lambda w: {"first_name": "Sam", "last_name": "Super", "email": "sam@example.org"},
    ),
    Case(
        "remove form",
        lambda w: reverse("accounts:membership_remove", args=[role_of("supervisor", Role.SUPERVISOR).uuid]),
        AGENCY_MANAGERS,
        set(),
    ),
    Case("add agency", _sub("person_add", "agency"), AGENCY_MANAGERS, SEES_AGENCY, _new_person("supervisor")),
    Case("add district", _sub("person_add", "district"), DISTRICT_MANAGERS, SEES_DISTRICT, _new_person("evaluator")),
    Case(
        "grant agency",
        _sub("role_grant", "agency"),
        AGENCY_MANAGERS,
        SEES_AGENCY,
        lambda w: {"user": str(w.users["supervisor"].uuid), "role": "evaluator"},
    ),
    Case(
        "grant district",
        _sub("role_grant", "district"),
        DISTRICT_MANAGERS,
        SEES_DISTRICT,
        lambda w: {"user": str(w.users["school_admin"].uuid), "role": "evaluator"},
    ),
    Case(
        "remove",
        lambda w: reverse("accounts:membership_remove", args=[role_of("evaluator", Role.EVALUATOR).uuid]),
        AGENCY_MANAGERS,
        set(),
        lambda w: {},
    ),
    Case(
        "remove school admin",
        lambda w: reverse("accounts:membership_remove", args=[role_of("school_admin", Role.SCHOOL_ADMIN).uuid]),
        DISTRICT_MANAGERS,
        set(),
        lambda w: {},
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", PAGES, ids=lambda c: c.name)
def test_people_pages(page_as, world, mailoutbox, role, case):
    client = page_as(role)
    url = case.url(world)
    before = row_counts()
    response = client.post(url, case.data(world)) if case.data else client.get(url)
    want = expected(case.allowed, case.sees)[role]
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    elif want == 200 and case.data:
        assert response.status_code == 302, response.context["form"].errors if response.context else response
        assert row_counts() != before
        return
    else:
        assert response.status_code == want
    if case.data:
        assert row_counts() == before
        assert mailoutbox == []


@pytest.mark.parametrize("role", ROLES)
def test_resending_an_invitation(page_as, world, mailoutbox, django_capture_on_commit_callbacks, role):
    world.users["evaluator"].email = "eva@example.org"
    world.users["evaluator"].set_unusable_password()
    world.users["evaluator"].save()
    url = reverse("accounts:invitation_resend", args=[role_of("evaluator", Role.EVALUATOR).uuid])
    with django_capture_on_commit_callbacks(execute=True):
        response = page_as(role).post(url)
    if role in AGENCY_MANAGERS:
        assert response.status_code == 302 and len(mailoutbox) == 1
    else:
        assert response.status_code == (302 if role == "anonymous" else 404)
        assert mailoutbox == []


@pytest.mark.parametrize("role", ROLES)
def test_own_account_pages_are_open_to_everyone_signed_in(page_as, world, role):
    for name in ("account", "password_change"):
        response = page_as(role).get(reverse(f"accounts:{name}"))
        assert response.status_code == (302 if role == "anonymous" else 200)


# --- the API ---------------------------------------------------------------------------------------


def _api_new_person(kind: str, role: str) -> Callable[[World], dict[str, Any]]:
    def data(w: World) -> dict[str, Any]:
        place = {"agency": str(w.agency.uuid)} if kind == "agency" else {"district": str(w.district.uuid)}
        return place | _new_person(role)(w)

    return data


API = [
    Case("list agency", lambda w: f"/accounts/people?agency={w.agency.uuid}", AGENCY_MANAGERS, SEES_AGENCY),
    Case("list district", lambda w: f"/accounts/people?district={w.district.uuid}", DISTRICT_MANAGERS, SEES_DISTRICT),
    Case(
        "add agency",
        lambda w: "/accounts/people",
        AGENCY_MANAGERS,
        SEES_AGENCY,
        _api_new_person("agency", "supervisor"),
    ),
    Case(
        "add district",
        lambda w: "/accounts/people",
        DISTRICT_MANAGERS,
        SEES_DISTRICT,
        _api_new_person("district", "evaluator"),
    ),
    Case(
        "grant",
        lambda w: "/accounts/roles",
        AGENCY_MANAGERS,
        SEES_AGENCY,
        lambda w: {"agency": str(w.agency.uuid), "user": str(w.users["supervisor"].uuid), "role": "evaluator"},
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", API, ids=lambda c: c.name)
def test_people_api(api_as, world, mailoutbox, role, case):
    api = api_as(role)
    before = row_counts()
    response = api.post(case.url(world), case.data(world)) if case.data else api.get(case.url(world))
    want = expected(case.allowed, case.sees, anonymous=401)[role]
    if want == 200 and case.data:
        assert response.status_code == 201, response.json()
        return
    assert response.status_code == want, response.json()
    if case.data:
        assert row_counts() == before
        assert mailoutbox == []


@pytest.mark.parametrize("role", ROLES)
def test_removing_a_role_through_the_api(api_as, world, role):
    held = role_of("evaluator", Role.EVALUATOR)
    response = api_as(role).request("DELETE", f"/accounts/roles/{held.uuid}")
    if role in AGENCY_MANAGERS:
        assert response.status_code == 204
        assert not Membership.objects.filter(pk=held.pk).exists()
    else:
        assert response.status_code == (401 if role == "anonymous" else 404)
        assert Membership.objects.filter(pk=held.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_resending_an_invitation_through_the_api(api_as, world, mailoutbox, django_capture_on_commit_callbacks, role):
    world.users["school_admin"].email = "pat@example.org"
    world.users["school_admin"].set_unusable_password()
    world.users["school_admin"].save()
    held = role_of("school_admin", Role.SCHOOL_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(role).post(f"/accounts/roles/{held.uuid}/invitation", {})
    if role in DISTRICT_MANAGERS:
        assert response.status_code == 202 and response.json() == {"sent_to": "pat@example.org"}
        assert len(mailoutbox) == 1
    else:
        assert response.status_code == (401 if role == "anonymous" else 404)
        assert mailoutbox == []
