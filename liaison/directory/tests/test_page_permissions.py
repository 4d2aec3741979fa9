"""Every directory page and form (GET and POST) × every member of the cast, with the status each must get.

Allowed and denied cases share one set-up (the `world` and `extra` fixtures, the same URL and the
same form data). Each denial is checked against a control role that gets 200 (or, for a POST, a
successful save) from that very request, so a denial cannot pass for the wrong reason; a denied
POST must also leave every row as it was.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from liaison.conftest import ROLES, World
from liaison.directory import services, urls
from liaison.directory.tests.pages import add_officer, assign, row_counts

INSIDE = ("platform_admin", "agency_admin", "supervisor", "officer", "district_admin", "school_admin", "evaluator")
OUTSIDERS = ("outsider_agency_admin", "outsider_district_admin")
LOGIN = reverse("accounts:login")
Builder = Callable[[World, dict[str, Any]], Any]


def expect(default: int, **overrides: int) -> dict[str, int]:
    """Expected GET status per role: `default` inside, 404 for outsiders, the login page for anonymous."""
    expected = {role: default for role in INSIDE} | {role: 404 for role in OUTSIDERS} | {"anonymous": 302}
    return expected | overrides


EVERYONE = expect(200, outsider_agency_admin=200, outsider_district_admin=200)
PLATFORM_ONLY = {role: 403 for role in (*INSIDE, *OUTSIDERS)} | {"platform_admin": 200, "anonymous": 302}
AGENCY_ADMIN = expect(403, platform_admin=200, agency_admin=200)
AGENCY_MANAGERS = expect(403, platform_admin=200, agency_admin=200, supervisor=200)
DISTRICT_ADMIN = expect(403, platform_admin=200, district_admin=200)


@dataclass(frozen=True)
class Page:
    name: str  # the URL name
    url: Builder
    expected: dict[str, int]
    post: Builder | None = None  # valid form data: allowed roles save it and are redirected
    headers: dict[str, str] | None = None

    @property
    def control(self) -> str:
        """A role the page is open to, preferring one that is not a superuser."""
        allowed = [role for role in ROLES if self.expected[role] == 200]
        return next((role for role in allowed if role != "platform_admin"), allowed[0])


def _url(name: str, *args: Any) -> str:
    return reverse(f"directory:{name}", args=args)


PAGES = [
    # --- agencies ---
    Page("agency_list", lambda w, x: _url("agency_list"), EVERYONE),
    Page(
        "agency_create",
        lambda w, x: _url("agency_create"),
        PLATFORM_ONLY,
        lambda w, x: (
            {"name": "Eastfield PD", "kind": "municipal_police", "state": "MA", "ori": "MA0999900"}
            | {"time_zone": "America/New_York"}
        ),
    ),
    Page("agency_detail", lambda w, x: _url("agency_detail", w.agency.uuid), expect(200)),
    Page(
        "agency_edit",
        lambda w, x: _url("agency_edit", w.agency.uuid),
        AGENCY_ADMIN,
        lambda w, x: (
            {"name": "Millbrook PD", "kind": "municipal_police", "state": "MA", "ori": "MA0123400"}
            | {"time_zone": "America/New_York"}
        ),
    ),
    Page(
        "agency_coverage",
        lambda w, x: _url("agency_coverage", w.agency.uuid),
        AGENCY_MANAGERS,
        headers={"HX-Request": "true"},
    ),
    Page(
        "officer_create",
        lambda w, x: _url("officer_create", w.agency.uuid),
        AGENCY_ADMIN,
        lambda w, x: (
            {"first_name": "Nia", "last_name": "Ortiz", "username": "nortiz", "badge_number": "202"}
            | {"email": "nia.ortiz@example.org"}
            | {"status": "active"}
        ),
    ),
    Page(
        "training_requirements_edit",
        lambda w, x: _url("training_requirements_edit", w.agency.uuid),
        AGENCY_ADMIN,
        lambda w, x: {"basic_sro": "40", "de_escalation": "8"},
    ),
    Page(
        "partnership_edit",
        lambda w, x: _url("partnership_edit", w.agency.partnerships.get().uuid),
        expect(403, platform_admin=200, school_admin=404),  # school admins do not see partnerships
        lambda w, x: {"start_date": "2020-07-01", "end_date": "2031-06-30"},
    ),
    Page("district_list", lambda w, x: _url("district_list"), EVERYONE),
    Page(
        "local_codes",
        lambda w, x: _url("local_codes", w.district.uuid),
        DISTRICT_ADMIN,
        lambda w, x: {str(w.elementary.uuid): "MES-1"},
    ),
    Page("local_codes_download", lambda w, x: _url("local_codes_download", w.district.uuid), DISTRICT_ADMIN),
    Page(
        "district_create",
        lambda w, x: _url("district_create"),
        PLATFORM_ONLY,
        lambda w, x: {"name": "Eastfield Public Schools", "state": "MA", "nces_id": "2599999"},
    ),
    Page(
        "district_edit",
        lambda w, x: _url("district_edit", w.district.uuid),
        DISTRICT_ADMIN,
        lambda w, x: {"name": "Millbrook Schools", "state": "MA", "nces_id": "2500001"},
    ),
    # --- partnerships ---
    Page(
        "partnership_create",
        lambda w, x: _url("partnership_create"),
        PLATFORM_ONLY,
        lambda w, x: {"agency": w.agency.uuid, "district": x["spare_district"].uuid, "start_date": "2025-07-01"},
    ),
    # --- districts ---
    Page("district_detail", lambda w, x: _url("district_detail", w.district.uuid), expect(200)),
    Page(
        "school_create",
        lambda w, x: _url("school_create", w.district.uuid),
        DISTRICT_ADMIN,
        lambda w, x: (
            {"name": "Millbrook Middle", "nces_id": "250000100002", "level": "middle"}
            | {"lowest_grade": "6", "highest_grade": "8"}
        ),
    ),
    # --- schools ---
    Page("school_detail", lambda w, x: _url("school_detail", w.elementary.uuid), expect(200)),
    Page(
        "school_detail",
        lambda w, x: _url("school_detail", w.high.uuid),
        expect(200, officer=404, school_admin=404),
    ),
    Page(
        "school_edit",
        lambda w, x: _url("school_edit", w.elementary.uuid),
        DISTRICT_ADMIN,
        lambda w, x: (
            {"name": "Millbrook Elementary School", "nces_id": "250000100001", "level": "elementary"}
            | {"lowest_grade": "0", "highest_grade": "5"}
        ),
    ),
    Page(
        "enrollment_create",
        lambda w, x: _url("enrollment_create", w.elementary.uuid),
        DISTRICT_ADMIN,
        lambda w, x: {"school_year": "2025-2026", "total": "410", "white": "300"},
    ),
    Page(
        "enrollment_edit",
        lambda w, x: _url("enrollment_edit", w.elementary.uuid, "2024-2025"),
        DISTRICT_ADMIN,
        lambda w, x: {"total": "415"},
    ),
    # --- officers ---
    Page("officer_detail", lambda w, x: _url("officer_detail", w.officer.uuid), expect(200, evaluator=404)),
    Page(
        "officer_edit",
        lambda w, x: _url("officer_edit", w.officer.uuid),
        expect(403, platform_admin=200, agency_admin=200, evaluator=404),
        lambda w, x: (
            {"first_name": "Officer", "last_name": "Tester", "badge_number": "101", "rank": "Sergeant"}
            | {"status": "active"}
        ),
    ),
    Page(
        "training_record_create",
        lambda w, x: _url("training_record_create", w.officer.uuid),
        expect(403, platform_admin=200, agency_admin=200, supervisor=200, evaluator=404),
        lambda w, x: {"course": "de_escalation", "hours": "8", "completed_on": "2025-03-01"},
    ),
    Page(
        "assignment_create",
        lambda w, x: _url("assignment_create", x["former_officer"].uuid),
        expect(403, platform_admin=200, agency_admin=200, supervisor=200, officer=404, evaluator=404),
        lambda w, x: {"school": w.high.uuid, "start_date": "2025-08-25", "share_of_time": "100"},
    ),
    # --- assignments ---
    Page(
        "assignment_end",
        lambda w, x: _url("assignment_end", w.assignment.uuid),
        expect(403, platform_admin=200, agency_admin=200, supervisor=200, evaluator=404),
        lambda w, x: {"end_date": "2026-06-15"},
    ),
]
FORMS = [page for page in PAGES if page.post is not None]


@pytest.fixture
def extra(world: World) -> dict[str, Any]:
    """Records some pages need beyond the shared world."""
    root = world.users["platform_admin"]
    services.enrollment_set(actor=root, school=world.elementary, school_year="2024-2025", total=412)
    # Assigned to the elementary school in the past: its district and school admins can see them.
    former = add_officer(world, "former", last_name="Former", badge="150")
    assign(world, former, world.elementary, datetime.date(2021, 9, 1), end_date=datetime.date(2022, 6, 30))
    return {
        "spare_district": services.district_create(actor=root, name="Eastfield", state="MA", nces_id="2500002"),
        "former_officer": former,
    }


def _is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.name}-{p.expected['officer']}")
def test_get_gives_each_role_the_expected_status(page: Page, role: str, page_as, world: World, extra) -> None:
    url = page.url(world, extra)
    response = page_as(role).get(url, headers=page.headers or {})
    expected = page.expected[role]
    if role == "anonymous":
        assert _is_login_redirect(response)
        return
    assert response.status_code == expected
    if expected != 200:
        assert page_as(page.control).get(url, headers=page.headers or {}).status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", FORMS, ids=lambda p: p.name)
def test_post_saves_only_for_the_roles_allowed(page: Page, role: str, page_as, world: World, extra) -> None:
    assert page.post is not None
    url, data = page.url(world, extra), page.post(world, extra)
    before = row_counts()
    response = page_as(role).post(url, data)
    if role == "anonymous":
        assert _is_login_redirect(response)
        assert row_counts() == before
        return
    if page.expected[role] == 200:
        assert response.status_code == 302, response.context["form"].errors if response.context else response
        assert row_counts() != before
        return
    assert response.status_code == page.expected[role]
    assert row_counts() == before
    # The same request from a role that may make it saves: the denial was about the role, not the data.
    assert page_as(page.control).post(url, data).status_code == 302
    assert row_counts() != before


def test_the_matrix_covers_every_directory_page() -> None:
    # local_codes_upload takes only a multipart POST: test_local_codes.py checks it for every role.
    names = {pattern.name for pattern in urls.urlpatterns} - {"import_oneroster", "local_codes_upload"}
    names = {name for name in names if name and not name.startswith("import")}
    assert names == {page.name for page in PAGES}
