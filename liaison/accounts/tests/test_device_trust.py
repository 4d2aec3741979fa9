"""A browser is trusted for an account (device cookie, lockout.py) only once the whole sign-in is done.

The attack: someone who has phished the password, but not the second factor, signs in as far as the
code page. If that earned their browser the device cookie, their browser would from then on be
exempt from the account's lock and the address limit, and judged only by its own failures.
"""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from liaison.accounts.lockout import DEVICE_COOKIE, device_trusted
from liaison.accounts.models import SignInLock
from liaison.accounts.tests.test_mfa import LOGIN, VERIFY, code, enrol
from liaison.conftest import PASSWORD

WRONG = "not-the-password"


def _password_step(client: Client, username: str):
    return client.post(LOGIN, {"username": username, "password": PASSWORD})


def test_the_password_alone_does_not_make_the_browser_trusted(world):
    enrol(world.users["supervisor"])
    attacker = Client()
    response = _password_step(attacker, "supervisor")
    assert response.status_code == 302 and attacker.get("/")["Location"].startswith(VERIFY)
    assert DEVICE_COOKIE not in response.cookies


def test_a_browser_that_stopped_at_the_code_page_is_locked_out_like_any_stranger(world):
    enrol(world.users["supervisor"])
    attacker = Client()
    _password_step(attacker, "supervisor")
    attacker.post("/accounts/logout/")  # (Client.logout would drop every cookie)
    # The account is then locked for unknown browsers (by the attacker or anyone else) ...
    stranger = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        stranger.post(LOGIN, {"username": "supervisor", "password": WRONG})
    assert SignInLock.objects.get(user=world.users["supervisor"]).locked_until is not None
    # ... and the attacker's browser, which never passed the second factor, is one of them.
    assert attacker.post(LOGIN, {"username": "supervisor", "password": PASSWORD}).status_code == 429


def test_the_browser_is_trusted_once_the_code_is_given(world):
    key = enrol(world.users["supervisor"])
    owner = Client()
    _password_step(owner, "supervisor")
    done = owner.post(VERIFY, {"code": code(key)})
    assert done.status_code == 302
    assert DEVICE_COOKIE in done.cookies
    request = type("R", (), {"COOKIES": {DEVICE_COOKIE: done.cookies[DEVICE_COOKIE].value}})()
    assert device_trusted(request, world.users["supervisor"])


def test_without_a_second_factor_the_password_is_the_whole_sign_in(world):
    response = _password_step(Client(), "evaluator")
    assert response.status_code == 302 and DEVICE_COOKIE in response.cookies
