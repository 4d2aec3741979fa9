"""Signing in and out: the form, lockout and spraying limits (accounts/lockout.py), session lifetime."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from liaison.accounts.lockout import DEVICE_COOKIE, account_locked_out
from liaison.conftest import PASSWORD

LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"
WRONG = "not-the-password"


def sign_in(client, username: str, password: str = PASSWORD):
    """Through the form, as a person does."""
    return client.post(LOGIN, {"username": username, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, username: str, times: int) -> list[int]:
    return [sign_in(client, username, WRONG).status_code for _ in range(times)]


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


# --- lockout: unknown browsers only, growing delays (accounts/lockout.py) ---------------------------


def test_five_wrong_passwords_from_an_unknown_browser_lock_the_account(client, world):
    assert settings.LOGIN_FAILURE_LIMIT == 5
    assert fail(client, "agency_admin", 4) == [200] * 4
    response = sign_in(client, "agency_admin", WRONG)
    assert response.status_code == 200
    locked = sign_in(client, "agency_admin")
    assert locked.status_code == 429
    assert "Too many failed sign-ins to this account" in locked.content.decode()
    assert not signed_in(client)


def test_an_attacker_cannot_lock_the_owner_out_of_their_own_browser(client, world):
    """The weakness: five wrong passwords for kfpd.fisk from anywhere locked the real owner out."""
    owner = Client()
    assert sign_in(owner, "agency_admin").status_code == 302
    owner.post(LOGOUT)
    attacker = Client()
    fail(attacker, "agency_admin", 12)
    assert sign_in(attacker, "agency_admin").status_code == 429
    assert sign_in(owner, "agency_admin").status_code == 302


def test_a_trusted_browser_that_keeps_failing_is_trusted_no_more(client, world):
    assert sign_in(client, "agency_admin").status_code == 302
    client.post(LOGOUT)
    fail(client, "agency_admin", settings.LOGIN_FAILURE_LIMIT)  # its own failures
    fail(client, "agency_admin", settings.LOGIN_FAILURE_LIMIT)  # now as an unknown browser
    assert sign_in(client, "agency_admin").status_code == 429


def test_the_lock_holds_the_account_not_the_address_it_came_from(client, world):
    fail(client, "agency_admin", 5)
    assert sign_in(client, "supervisor").status_code == 302


def test_each_new_lock_lasts_twice_as_long(client, world, clock):
    first = datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    fail(client, "agency_admin", 5)
    clock.shift(first - datetime.timedelta(minutes=1))
    assert sign_in(client, "agency_admin").status_code == 429
    clock.shift(datetime.timedelta(minutes=2))
    fail(client, "agency_admin", 5)  # the first lock is over; five more failures lock it again
    clock.shift(first + datetime.timedelta(minutes=1))
    assert sign_in(client, "agency_admin").status_code == 429  # 30 minutes this time
    clock.shift(first)
    assert sign_in(client, "agency_admin").status_code == 302


def test_a_locked_account_signs_in_again_once_the_lock_has_passed(client, world, clock):
    fail(client, "agency_admin", 5)
    clock.shift(datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1))
    assert sign_in(client, "agency_admin").status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_forgets_the_earlier_failures(client, world):
    assert fail(client, "agency_admin", 4) == [200] * 4
    assert sign_in(client, "agency_admin").status_code == 302
    client.post(LOGOUT)
    client.cookies.pop(DEVICE_COOKIE)
    assert fail(client, "agency_admin", 4) == [200] * 4
    assert sign_in(client, "agency_admin").status_code == 302


def test_a_made_up_name_locks_like_a_real_one(client, world):
    """A lock must not tell a stranger which usernames exist."""
    fail(client, "kfpd.nobody", 5)
    response = sign_in(client, "kfpd.nobody")
    assert response.status_code == 429
    assert "Too many failed sign-ins to this account" in response.content.decode()


def test_a_forged_device_cookie_is_ignored(client, world):
    client.cookies[DEVICE_COOKIE] = '[[1, "made-up"]]'
    fail(client, "agency_admin", 5)
    assert sign_in(client, "agency_admin").status_code == 429


def test_the_admin_has_no_login_of_its_own_to_get_round_the_lock(client, world):
    fail(client, "platform_admin", 5)
    client.post("/admin/login/", {"username": "platform_admin", "password": PASSWORD})
    assert not signed_in(client)


def test_a_new_lock_is_announced_with_a_signal(client, world):
    heard = []
    account_locked_out.connect(lambda **kw: heard.append(kw["user"].username), weak=False, dispatch_uid="t")
    try:
        fail(client, "agency_admin", 5)
    finally:
        account_locked_out.disconnect(dispatch_uid="t")
    assert heard == ["agency_admin"]


# --- password spraying: failures per address, across accounts ----------------------------------------


def test_one_address_spraying_passwords_across_accounts_is_stopped(client, world, settings):
    """The weakness: one address tried 48 passwords across 12 accounts unhindered."""
    names = [f"kfpd.person{n}" for n in range(12)]
    answers = [sign_in(Client(), name, f"Summer202{n}!").status_code for n in range(4) for name in names]
    assert answers.count(429) >= 48 - settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert sign_in(client, "supervisor").status_code == 429


def test_a_school_behind_one_address_is_not_stopped_by_its_own_typos(world, settings):
    """Everyone's usual browser is trusted for their account, so strangers' failures cannot block them."""
    usual = {}
    for role in ("supervisor", "officer", "agency_admin"):
        usual[role] = Client()
        assert sign_in(usual[role], role).status_code == 302
        usual[role].post(LOGOUT)
    for _ in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        sign_in(Client(), "someone", WRONG)
    for role, browser in usual.items():
        sign_in(browser, role, WRONG)  # a typo at the start of the shift
        assert sign_in(browser, role).status_code == 302


def test_behind_a_proxy_the_address_limit_counts_each_client(world, settings):
    settings.TRUSTED_PROXIES = 1
    for _ in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        Client(HTTP_X_FORWARDED_FOR="198.51.100.7").post(LOGIN, {"username": "x", "password": WRONG})
    elsewhere = Client(HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert elsewhere.post(LOGIN, {"username": "supervisor", "password": PASSWORD}).status_code == 302


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
    assert not client.get("/").get("Location", "").startswith(LOGIN)  # still signed in (home, or unlock)
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
