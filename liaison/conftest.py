"""The cast every test shares: one user per role, a small program, and an outsider."""

from __future__ import annotations

import datetime
import importlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

import dj_database_url
import pytest
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.test import Client, override_settings
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from playwright.sync_api import expect

from liaison.accounts import mfa
from liaison.accounts.db_roles import owner_credentials
from liaison.accounts.models import Membership, User
from liaison.accounts.roles import Role
from liaison.accounts.signin_audit import audit_sign_in
from liaison.accounts.tokens import api_token_create
from liaison.directory import services
from liaison.directory.models import Agency, Assignment, District, Officer, School

ROLES = (
    "platform_admin",
    "agency_admin",
    "supervisor",
    "officer",
    "district_admin",
    "school_admin",
    "evaluator",
    "outsider_agency_admin",
    "outsider_district_admin",
    "anonymous",
)
PASSWORD = "correct-horse-battery-staple"
AUDIT_NO_DELETE_TRIGGERS: dict[str, str] = importlib.import_module(
    "liaison.accounts.migrations.0005_audit_chain_guards"
).SQLITE_NO_DELETE


@dataclass
class World:
    agency: Agency
    district: District
    elementary: School
    high: School
    officer: Officer
    assignment: Assignment
    other_agency: Agency
    other_district: District
    other_school: School
    other_officer: Officer
    users: dict[str, Any]


@pytest.fixture(autouse=True)
def _audit_log_flushable_between_live_tests(request: Any, django_db_blocker: Any) -> None:
    """Transactional tests end with a flush, which on SQLite is a DELETE the audit trigger refuses.

    pytest-django's own autouse fixtures tear down after ours, so the trigger cannot be put back
    after the flush; instead it is dropped for live tests and restored before every other test.
    """
    fixtures = set(request.fixturenames)
    # audit_db (accounts/tests/test_audit_chain.py) asks for `db` only when it runs, so it is named here.
    if connection.vendor != "sqlite" or not {"db", "transactional_db", "live_server", "audit_db"} & fixtures:
        return
    live = bool({"transactional_db", "live_server"} & fixtures)
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for name, create in AUDIT_NO_DELETE_TRIGGERS.items():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}" if live else create)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """With DATABASE_MIGRATE_URL (CI's two roles) the test database is created and migrated by the owner."""
    if owner_credentials() is not None:
        connection.settings_dict.update(owner_credentials() or {})


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """... and the tests run as the application's role, which may not TRUNCATE or change the audit log;
    `flush` between live tests goes through the owner (accounts/management/commands/flush.py)."""
    owner = owner_credentials()
    if owner is None:
        yield
        return
    application = {key: value for key, value in dj_database_url.parse(settings.DATABASE_URL).items() if key in owner}
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict.update(application)
        yield
        connection.close()
        connection.settings_dict.update(owner)  # the owner drops the test database


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user(username: str, **extra: Any) -> User:
    user = User(username=username, first_name=username.split("_")[0].title(), last_name="Tester", **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def _member(user: User, role: Role, **scope: Any) -> User:
    Membership.objects.create(user=user, role=role, **scope)
    return user


@pytest.fixture
def world(db: Any) -> World:
    """Millbrook PD serves Millbrook schools; Harlow County Sheriff serves Harlow schools (the outsiders)."""
    root = _user("platform_admin", is_superuser=True, is_staff=True)
    agency = services.agency_create(
        actor=root,
        name="Millbrook Police Department",
        kind=Agency.Kind.MUNICIPAL,
        state="MA",
        ori="MA0123400",
        time_zone="America/New_York",
    )
    district = services.district_create(actor=root, name="Millbrook Public Schools", state="MA", nces_id="2500001")
    elementary = services.school_create(
        actor=root,
        district=district,
        name="Millbrook Elementary",
        nces_id="250000100001",
        level=School.Level.ELEMENTARY,
        lowest_grade=0,
        highest_grade=5,
    )
    high = services.school_create(
        actor=root,
        district=district,
        name="Millbrook High",
        nces_id="250000100003",
        level=School.Level.HIGH,
        lowest_grade=9,
        highest_grade=12,
    )
    services.partnership_create(actor=root, agency=agency, district=district, start_date=datetime.date(2020, 7, 1))
    officer = services.officer_create(
        actor=root,
        agency=agency,
        username="officer",
        first_name="Officer",
        last_name="Tester",
        badge_number="101",
        rank="Officer",
        password=PASSWORD,
    )
    assignment = services.assignment_create(
        actor=root, officer=officer, school=elementary, start_date=datetime.date(2024, 8, 20)
    )
    other_agency = services.agency_create(
        actor=root,
        name="Harlow County Sheriff's Office",
        kind=Agency.Kind.SHERIFF,
        state="VT",
        ori="VT0050000",
        time_zone="America/New_York",
    )
    other_district = services.district_create(actor=root, name="Harlow Union", state="VT", nces_id="5000001")
    other_school = services.school_create(
        actor=root,
        district=other_district,
        name="Harlow Union High",
        nces_id="500000100001",
        level=School.Level.HIGH,
        lowest_grade=7,
        highest_grade=12,
    )
    services.partnership_create(
        actor=root, agency=other_agency, district=other_district, start_date=datetime.date(2019, 1, 1)
    )
    other_officer = services.officer_create(
        actor=root,
        agency=other_agency,
        username="deputy",
        first_name="Dana",
        last_name="Deputy",
        badge_number="7",
        rank="Deputy",
        password=PASSWORD,
    )
    services.assignment_create(
        actor=root, officer=other_officer, school=other_school, start_date=datetime.date(2023, 1, 9)
    )
    users = {
        "platform_admin": root,
        "agency_admin": _member(_user("agency_admin"), Role.AGENCY_ADMIN, agency=agency),
        "supervisor": _member(_user("supervisor"), Role.SUPERVISOR, agency=agency),
        "officer": officer.user,
        "district_admin": _member(_user("district_admin"), Role.DISTRICT_ADMIN, district=district),
        "school_admin": _member(_user("school_admin"), Role.SCHOOL_ADMIN, school=elementary),
        "evaluator": _member(_user("evaluator"), Role.EVALUATOR, agency=agency),
        "outsider_agency_admin": _member(_user("outsider_agency_admin"), Role.AGENCY_ADMIN, agency=other_agency),
        "outsider_district_admin": _member(
            _user("outsider_district_admin"), Role.DISTRICT_ADMIN, district=other_district
        ),
        "anonymous": None,
    }
    return World(
        agency=agency,
        district=district,
        elementary=elementary,
        high=high,
        officer=officer,
        assignment=assignment,
        other_agency=other_agency,
        other_district=other_district,
        other_school=other_school,
        other_officer=other_officer,
        users=users,
    )


# --- the API, checked against its own OpenAPI document ----------------------------------


@pytest.fixture(scope="session")
def openapi_spec() -> OpenAPI:
    from liaison.api import openapi_document

    # Round-trip through JSON, as clients receive it (status codes become strings).
    return OpenAPI.from_dict(json.loads(json.dumps(openapi_document(), cls=DjangoJSONEncoder)))


class ApiClient:
    """A test client that authenticates with a bearer token and validates every response."""

    def __init__(self, spec: OpenAPI, user: User | None) -> None:
        self.spec = spec
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _, token = api_token_create(user=user, name="tests")
            self.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, data: Any = None, **params: Any) -> Any:
        url = path if path.startswith("/api/") else f"/api/v1{path}"
        call = getattr(self.client, method.lower())
        if method.upper() in {"GET", "DELETE"}:
            response = call(url, data=params or None, headers=self.headers)
        else:
            response = call(url, data=data, content_type="application/json", headers=self.headers)
        self._validate(response)
        return response

    def _validate(self, response: Any) -> None:
        request = DjangoOpenAPIRequest(response.wsgi_request)
        self.spec.validate_response(request, DjangoOpenAPIResponse(response))

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, **params)

    def post(self, path: str, data: Any) -> Any:
        return self.request("POST", path, data)

    def patch(self, path: str, data: Any) -> Any:
        return self.request("PATCH", path, data)

    def put(self, path: str, data: Any) -> Any:
        return self.request("PUT", path, data)


@pytest.fixture
def api_as(world: World, openapi_spec: OpenAPI) -> Any:
    """api_as("supervisor") → an ApiClient acting as that member of the cast."""

    def make(role: str) -> ApiClient:
        return ApiClient(openapi_spec, world.users[role])

    return make


@pytest.fixture
def page_as(world: World) -> Any:
    """page_as("school_admin") → a logged-in Django test client for pages; second_factor=True for a
    session that has given its second factor (what /admin/ requires)."""

    def make(role: str, *, second_factor: bool = False) -> Client:
        client = Client()
        user = world.users[role]
        if user is not None:
            # The cast's sessions are made, not signed into: no sign-in entry, so tests that count
            # rows or audit entries around a request are not thrown by when the client was made.
            user_logged_in.disconnect(audit_sign_in, dispatch_uid="audit_sign_in")
            try:
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            finally:
                user_logged_in.connect(audit_sign_in, dispatch_uid="audit_sign_in")
            if second_factor:
                session = client.session
                session[mfa.MFA_SESSION] = {"state": mfa.VERIFIED}
                session.save()
        return client

    return make


# --- the browser: Playwright driving Debian's Chromium ------------------------------------

CHROMIUM = "/usr/bin/chromium"
# How long an `expect(...)` assertion waits for the page to get there (Playwright's default is 5 s). CI
# runs the SQLite and PostgreSQL passes side by side on two cores, each with its own Chromium and live
# server; an answer that takes a second on a quiet machine has taken over five there. A passing
# assertion returns as soon as it holds, so only a failure waits the whole time.
EXPECT_TIMEOUT_MS = 15_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


def phone_context(browser: Any, **options: Any) -> Any:
    """A browser context at a phone's size (375×667), as an officer in a hallway would see it."""
    return browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True, **options)


@pytest.fixture
def phone_page(browser: Any) -> Any:
    """A page at a phone's size, with the service worker the app installs."""
    context = phone_context(browser)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page_without_worker(browser: Any) -> Any:
    """A phone page whose requests `page.route` always sees. Once the app's service worker controls a
    page, Chromium may send the page's requests through it, past `page.route` (Playwright documents
    this), so a test that loses an answer on purpose would sometimes find it delivered."""
    context = phone_context(browser, service_workers="block")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(live_server: Any, transactional_db: Any) -> Any:
    """sign_in(page, "agency_admin") → signs in through the login form at the live server."""

    def act(page: Any, username: str, password: str = PASSWORD) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return act


# --- the demo, for the modules that check figures against it ---------------------------------------------

DEMO_TODAY = datetime.date(2026, 5, 20)  # a spring Wednesday: the demo's year runs from late May 2025
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo_loaded_once(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """`load_demo --today DEMO_TODAY`, once per module that asks, in a transaction rolled back at the
    module's end (each test runs in a savepoint); what the command printed."""
    out = StringIO()
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, DEBUG=True),
        transaction.atomic(),
    ):
        call_command("load_demo", "--today", DEMO_TODAY.isoformat(), stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_loaded_once: str, db: None) -> str:
    return demo_loaded_once
