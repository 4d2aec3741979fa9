"""Every sign-in, sign-out, failed sign-in (with its reason), lockout and unlock leaves exactly one entry."""

from __future__ import annotations

from django.conf import settings

from liaison.accounts.lockout import sign_in_unlock
from liaison.accounts.models import AuditEntry
from liaison.accounts.signin_audit import (
    REASON_INACTIVE,
    REASON_LOCKED,
    REASON_UNKNOWN_USER,
    REASON_WRONG_PASSWORD,
)
from liaison.conftest import PASSWORD

LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"
ADMIN_LOGIN = "/admin/login/"
WRONG = "not-the-password"


def sign_in(client, username: str, password: str = PASSWORD, url: str = LOGIN):
    return client.post(url, {"username": username, "password": password})


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_signing_in_leaves_one_entry_naming_who_and_from_where(client, world):
    sign_in(client, "agency_admin")
    [entry] = entries("login")
    user = world.users["agency_admin"]
    assert (entry.actor, entry.object_uuid, entry.agency_id) == (user, user.uuid, world.agency.pk)
    assert entry.summary == "Signed in from 127.0.0.1"


def test_signing_in_for_admin_leaves_one_entry(client, world):
    # /admin/ has no sign-in of its own: it sends people to Liaison's, behind the second factor.
    assert client.get(ADMIN_LOGIN)["Location"].startswith(LOGIN)
    sign_in(client, "platform_admin")
    [entry] = entries("login")
    assert entry.actor == world.users["platform_admin"]


def test_signing_out_leaves_one_entry(client, world):
    sign_in(client, "district_admin")
    client.post(LOGOUT)
    [entry] = entries("logout")
    assert entry.actor == world.users["district_admin"]
    assert entry.district_id == world.district.pk


def test_a_wrong_password_leaves_one_entry_with_the_reason(client, world):
    sign_in(client, "officer", WRONG)
    [entry] = entries("login_failed")
    assert entry.actor is None
    assert entry.object_uuid == world.users["officer"].uuid
    assert entry.summary == f"Failed sign-in as 'officer' from 127.0.0.1: {REASON_WRONG_PASSWORD}"
    assert WRONG not in entry.summary
    assert entries("login") == []


def test_an_unknown_username_is_a_failure_with_its_reason(client, world):
    sign_in(client, "nobody", WRONG)
    [entry] = entries("login_failed")
    assert entry.summary.endswith(REASON_UNKNOWN_USER)
    assert entry.object_uuid is None


def test_a_switched_off_login_is_a_failure_with_its_reason(client, world):
    user = world.users["evaluator"]
    user.is_active = False
    user.save()
    sign_in(client, "evaluator")
    [entry] = entries("login_failed")
    assert entry.summary.endswith(REASON_INACTIVE)


def test_a_lockout_leaves_one_entry_and_later_tries_say_locked(client, world):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "supervisor", WRONG)
    [locked] = entries("login_locked")
    assert locked.object_uuid == world.users["supervisor"].uuid
    assert "locked for new browsers" in locked.summary
    assert len(entries("login_failed")) == settings.LOGIN_FAILURE_LIMIT
    sign_in(client, "supervisor")  # the right password, while locked
    last = entries("login_failed")[-1]
    assert last.summary.endswith(REASON_LOCKED)
    assert entries("login") == []


def test_an_unlock_leaves_one_entry(client, world):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "supervisor", WRONG)
    sign_in_unlock(actor=world.users["agency_admin"], user=world.users["supervisor"], agency_id=world.agency.pk)
    [unlocked] = entries("unlock")
    assert unlocked.object_uuid == world.users["supervisor"].uuid
    sign_in(client, "supervisor")
    assert len(entries("login")) == 1


def test_failures_below_the_limit_cleared_by_a_sign_in_are_no_unlock(client, world):
    sign_in(client, "officer", WRONG)
    sign_in(client, "officer")
    assert entries("unlock") == []
    assert len(entries("login")) == 1
