"""Signing in and out: the form, lockout after repeated failures (django-axes), session lifetime."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from liaison.accounts.views import LOCKED_OUT
from liaison.conftest import PASSWORD

LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"
WRONG = "not-the-password"


def sign_in(client, username: str, password: str = PASSWORD):
    """Through the form, as a person does: axes only sees attempts that carry the request."""
    return client.post(LOGIN, {"username": username, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, username: str, times: int) -> list[int]:
    return [sign_in(client, username, WRONG).status_code for _ in range(times)]


def locked_message() -> str:
    return LOCKED_OUT.format(minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


# --- the form ------------------------------------------------------------------------------


def test_the_login_page_shows_the_sign_in_form(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_the_right_password_signs_in_and_goes_home(client, world):
    response = sign_in(client, "agency_admin")
    assert response.status_code == 302
    assert response.url == "/"
    assert client.session["_auth_user_id"] == str(world.users["agency_admin"].pk)


def test_a_wrong_password_shows_the_form_again_without_signing_in(client, world):
    response = sign_in(client, "agency_admin", WRONG)
    assert response.status_code == 200
    assert b"correct username and password" in response.content
    assert not signed_in(client)


def test_a_signed_in_user_visiting_the_login_page_goes_home(client, world):
    sign_in(client, "agency_admin")
    response = client.get(LOGIN)
    assert response.status_code == 302
    assert response.url == "/"


# --- lockout -------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account(client, world):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert fail(client, "agency_admin", 4) == [200] * 4
    response = sign_in(client, "agency_admin", WRONG)
    assert response.status_code == 429
    assert locked_message() in response.content.decode()


def test_a_locked_account_cannot_sign_in_even_with_the_right_password(client, world):
    fail(client, "agency_admin", 5)
    response = sign_in(client, "agency_admin")
    assert response.status_code == 429
    assert locked_message() in response.content.decode()
    assert not signed_in(client)


def test_the_lock_holds_the_account_not_the_address_it_came_from(client, world):
    fail(client, "agency_admin", 5)
    assert sign_in(client, "supervisor").status_code == 302


def test_a_locked_account_is_still_locked_just_before_the_cool_off_ends(client, world, clock):
    fail(client, "agency_admin", 5)
    clock.shift(settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1))
    assert sign_in(client, "agency_admin").status_code == 429


def test_a_locked_account_signs_in_again_once_the_cool_off_has_passed(client, world, clock):
    fail(client, "agency_admin", 5)
    clock.shift(settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1))
    assert sign_in(client, "agency_admin").status_code == 302
    assert signed_in(client)


def test_trying_again_while_locked_restarts_the_wait(client, world, clock):
    """Axes counts the cool-off from the latest failed attempt, as the lockout message says."""
    fail(client, "agency_admin", 5)
    clock.shift(settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1))
    assert sign_in(client, "agency_admin").status_code == 429
    clock.shift(datetime.timedelta(minutes=2))
    assert sign_in(client, "agency_admin").status_code == 429


def test_a_successful_sign_in_forgets_the_earlier_failures(client, world):
    assert fail(client, "agency_admin", 4) == [200] * 4
    assert sign_in(client, "agency_admin").status_code == 302
    client.post(LOGOUT)
    assert fail(client, "agency_admin", 4) == [200] * 4
    assert sign_in(client, "agency_admin").status_code == 302


# --- sessions ------------------------------------------------------------------------------


def test_the_session_cookie_ends_when_the_browser_closes(client, world):
    response = sign_in(client, "agency_admin")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert cookie["httponly"]


def test_a_session_lasts_session_hours_and_no_longer(client, world, clock):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600  # SESSION_HOURS defaults to 8
    sign_in(client, "agency_admin")
    clock.shift(datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
    assert not client.get("/").url.startswith(LOGIN)
    clock.shift(datetime.timedelta(minutes=2))
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/"


# --- signing out ---------------------------------------------------------------------------


def test_signing_out_with_post_ends_the_session(client, world):
    sign_in(client, "agency_admin")
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response.url == LOGIN
    assert not signed_in(client)
    assert client.get("/").url == f"{LOGIN}?next=/"


def test_signing_out_refuses_a_get_so_a_link_cannot_sign_anyone_out(client, world):
    sign_in(client, "agency_admin")
    assert client.get(LOGOUT).status_code == 405
    assert signed_in(client)
