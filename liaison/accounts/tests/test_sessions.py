"""Sessions lock when idle and unlock without a new sign-in, end at an absolute limit, and can be ended everywhere."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liaison.accounts.models import AuditEntry
from liaison.accounts.sessions import BACKGROUND_HEADER
from liaison.accounts.tests.test_mfa import code, enrol
from liaison.conftest import PASSWORD, ROLES

LOGIN = reverse("accounts:login")
ACCOUNT = reverse("accounts:account")
UNLOCK = reverse("accounts:unlock")
RESUME = reverse("accounts:unlock_resume")
EVERYWHERE = reverse("accounts:sign_out_everywhere")
IDLE = datetime.timedelta(minutes=31)


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def signed_in(username: str = "evaluator") -> Client:
    client = Client()
    assert client.post(LOGIN, {"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_an_idle_session_locks_and_unlocks_with_the_password(world, clock):
    assert settings.SESSION_IDLE_MINUTES == 30
    client = signed_in()
    clock.shift(IDLE)
    locked = client.get(ACCOUNT)
    assert locked.status_code == 302 and locked["Location"].startswith(UNLOCK)
    assert client.get("/api/v1/accounts/me").status_code == 401
    wrong = client.post(UNLOCK, {"password": "nope", "next": ACCOUNT})
    assert wrong.status_code == 400
    done = client.post(UNLOCK, {"password": PASSWORD, "next": ACCOUNT})
    assert done.status_code == 302 and done["Location"] == ACCOUNT
    assert client.get(ACCOUNT).status_code == 200


def test_activity_keeps_a_session_open(world, clock):
    client = signed_in()
    for _ in range(6):
        clock.shift(datetime.timedelta(minutes=20))
        assert client.get(ACCOUNT).status_code == 200


def test_what_a_page_loads_by_itself_is_not_activity_and_writes_no_session(world, clock):
    """The navigation's counts load with every page, a progress bar polls: an open tab left alone
    still locks, and two such loads at once never both write the session (on SQLite one of them
    failed, "table is locked")."""
    client = signed_in()
    badge = reverse("queue_badge")
    background = {BACKGROUND_HEADER: "1", "HX-Request": "true"}
    for _ in range(3):
        clock.shift(datetime.timedelta(minutes=10))
        response = client.get(badge, headers=background)
        assert response.status_code == 200
        assert settings.SESSION_COOKIE_NAME not in response.cookies  # the session was not written
    clock.shift(datetime.timedelta(minutes=1))  # 31 minutes since the last thing the person did
    locked = client.get(ACCOUNT)
    assert locked.status_code == 302 and locked["Location"].startswith(UNLOCK)
    # the same load without the header is the person's (a page they opened): it counts
    client = signed_in()
    clock.shift(datetime.timedelta(minutes=20))
    assert settings.SESSION_COOKIE_NAME in client.get(badge, headers={"HX-Request": "true"}).cookies
    clock.shift(datetime.timedelta(minutes=20))
    assert client.get(ACCOUNT).status_code == 200


def test_with_a_second_factor_unlocking_needs_a_code_too(world, clock):
    key = enrol(world.users["evaluator"])
    client = signed_in()
    client.post(reverse("accounts:mfa_verify"), {"code": code(key)})
    clock.shift(IDLE)
    assert client.post(UNLOCK, {"password": PASSWORD}).status_code == 400
    clock.shift(30)
    assert client.post(UNLOCK, {"password": PASSWORD, "code": code(key)}).status_code == 302
    assert client.get(ACCOUNT).status_code == 200


def test_a_form_sent_while_locked_is_offered_again_after_unlocking(world, clock):
    client = signed_in()
    clock.shift(IDLE)
    sent = client.post(reverse("accounts:password_change"), {"old_password": "typed at length", "new_password1": "x"})
    assert sent.status_code == 302 and sent["Location"].startswith(UNLOCK)
    unlocked = client.post(UNLOCK, {"password": PASSWORD, "next": reverse("accounts:password_change")})
    assert unlocked["Location"] == RESUME
    page = client.get(RESUME).content.decode()
    assert 'value="typed at length"' in page and f'action="{reverse("accounts:password_change")}"' in page
    assert client.get(RESUME).status_code == 302  # offered once


def test_wrong_passwords_at_the_lock_sign_out(world, clock):
    client = signed_in()
    clock.shift(IDLE)
    for _ in range(5):
        client.post(UNLOCK, {"password": "guess"})
    assert client.post(UNLOCK, {"password": PASSWORD})["Location"].startswith(LOGIN)
    assert client.get(ACCOUNT)["Location"].startswith(LOGIN)


def test_an_active_session_still_ends_at_the_absolute_limit(world, clock):
    client = signed_in()
    for _ in range(settings.SESSION_COOKIE_AGE // 1200):
        clock.shift(datetime.timedelta(minutes=20))
        client.get(ACCOUNT)
    clock.shift(datetime.timedelta(minutes=20))
    response = client.get(ACCOUNT)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_signing_out_everywhere_ends_the_other_sessions_only(world):
    here, there = signed_in(), signed_in()
    response = here.post(EVERYWHERE)
    assert response.status_code == 302
    assert here.get(ACCOUNT).status_code == 200
    assert there.get(ACCOUNT)["Location"].startswith(LOGIN)
    assert AuditEntry.objects.filter(object_type="accounts.session").count() == 1
    assert signed_in().get(ACCOUNT).status_code == 200  # signing in again works


@pytest.mark.parametrize("role", ROLES)
def test_the_session_pages_are_each_persons_own(page_as, world, role):
    client = page_as(role)
    responses = [client.get(UNLOCK), client.get(RESUME), client.post(EVERYWHERE)]
    if role == "anonymous":
        assert all(r["Location"].startswith(LOGIN) for r in responses)
    else:
        assert [r.status_code for r in responses] == [302, 302, 302]
        assert client.get(ACCOUNT).status_code == 200
