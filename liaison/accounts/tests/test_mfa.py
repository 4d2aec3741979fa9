"""A second factor: the code at sign-in, setting one up, the grace period, /admin/, and an admin's reset."""

from __future__ import annotations

import datetime
import re
import time
from base64 import b32encode

import pyotp
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.accounts.mfa import MFA_RESET_SUBJECT, WRONG_CODE, _recovery_codes_replace
from liaison.accounts.models import ApiToken, AuditEntry
from liaison.accounts.tests.test_people_permissions import AGENCY_MANAGERS, SEES_AGENCY, expected
from liaison.accounts.tokens import api_token_create
from liaison.conftest import PASSWORD, ROLES

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:mfa_verify")
SETUP = reverse("accounts:mfa_totp")
ACCOUNT = reverse("accounts:account")


def enrol(user) -> str:
    """Give the user a confirmed authenticator; its base32 key, for pyotp."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return b32encode(device.bin_key).decode()


def code(key: str) -> str:
    return pyotp.TOTP(key).at(time.time())


def sign_in(client: Client, username: str) -> None:
    assert client.post(LOGIN, {"username": username, "password": PASSWORD}).status_code == 302


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_a_password_alone_reaches_only_the_code_page(client, world):
    key = enrol(world.users["supervisor"])
    sign_in(client, "supervisor")
    page = client.get(ACCOUNT)
    assert page.status_code == 302 and page["Location"].startswith(VERIFY)
    api = client.get("/api/v1/accounts/me")
    assert api.status_code == 401
    done = client.post(VERIFY, {"code": code(key), "next": ACCOUNT})
    assert done.status_code == 302 and done["Location"] == ACCOUNT
    assert client.get(ACCOUNT).status_code == 200


def test_a_held_htmx_request_never_swaps_the_code_page_into_the_page(client, world):
    # The navigation's badges load by htmx on every page, the code page included: a held session must
    # not answer them with the code page (it was swapped into the header, three "Continue" buttons).
    enrol(world.users["supervisor"])
    sign_in(client, "supervisor")
    badge = reverse("notifications:badge")
    on_the_code_page = client.get(badge, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{VERIFY}")
    assert on_the_code_page.status_code == 204 and on_the_code_page.content == b""
    assert "HX-Redirect" not in on_the_code_page
    elsewhere = client.get(badge, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/mou/?page=2")
    assert elsewhere.status_code == 204 and elsewhere.content == b""
    assert elsewhere["HX-Redirect"] == f"{VERIFY}?next=%2Fmou%2F%3Fpage%3D2"


def test_a_wrong_code_is_refused_and_named(client, world):
    enrol(world.users["supervisor"])
    sign_in(client, "supervisor")
    response = client.post(VERIFY, {"code": "000000"})
    assert response.status_code == 400 and WRONG_CODE in response.content.decode()
    assert client.get(ACCOUNT).status_code == 302


def test_a_recovery_code_works_once(world):
    user = world.users["supervisor"]
    enrol(user)
    codes = _recovery_codes_replace(user)
    first = Client()
    sign_in(first, "supervisor")
    assert first.post(VERIFY, {"code": codes[0]}).status_code == 302
    second = Client()
    sign_in(second, "supervisor")
    assert second.post(VERIFY, {"code": codes[0]}).status_code == 400


def test_the_code_page_limits_guesses(client, world):
    enrol(world.users["supervisor"])
    sign_in(client, "supervisor")
    for _ in range(10):
        client.post(VERIFY, {"code": "123456"})
    assert client.post(VERIFY, {"code": "123456"}).status_code == 429


def test_setting_up_an_authenticator_through_the_page(client, world, clock):
    user = world.users["officer"]
    _, token = api_token_create(user=user, name="old phone")
    sign_in(client, "officer")
    page = client.get(SETUP).content.decode()
    key = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert client.post(SETUP, {"code": "000000"}).status_code == 400
    clock.shift(30)  # django-otp makes each wrong code wait longer before the next is tried
    done = client.post(SETUP, {"code": code(key)})
    assert done.status_code == 200
    assert len(re.findall(r"<li><code>[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}</code></li>", done.content.decode())) == 10
    assert AuditEntry.objects.filter(object_type="accounts.mfa", summary__contains="set up").exists()
    assert ApiToken.objects.get(name="old phone").revoked_at is not None
    client.post(reverse("accounts:logout"))
    clock.shift(30)
    sign_in(client, "officer")
    assert client.get(ACCOUNT)["Location"].startswith(VERIFY)
    assert client.post(VERIFY, {"code": code(key)}).status_code == 302


def test_replacing_an_authenticator_needs_the_current_one(client, world):
    enrol(world.users["officer"])
    sign_in(client, "officer")
    assert client.get(SETUP)["Location"].startswith(VERIFY)


def test_a_required_role_may_wait_out_the_grace_period_then_must_set_up(client, world, clock, settings):
    assert "officer" in settings.MFA_REQUIRED_ROLES and settings.MFA_GRACE_DAYS == 7
    sign_in(client, "officer")
    assert client.get(ACCOUNT).status_code == 200
    assert "set one up by" in client.get(ACCOUNT).content.decode()
    client.post(reverse("accounts:logout"))
    clock.shift(datetime.timedelta(days=7, minutes=1))
    sign_in(client, "officer")
    response = client.get(ACCOUNT)
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    assert client.get("/api/v1/accounts/me").status_code == 401


def test_an_evaluator_is_never_required_to(client, world, clock):
    sign_in(client, "evaluator")
    client.post(reverse("accounts:logout"))
    clock.shift(datetime.timedelta(days=30))
    sign_in(client, "evaluator")
    assert client.get(ACCOUNT).status_code == 200


def test_the_required_roles_are_a_setting(client, world, clock, settings):
    settings.MFA_REQUIRED_ROLES = []
    sign_in(client, "officer")
    client.post(reverse("accounts:logout"))
    clock.shift(datetime.timedelta(days=30))
    sign_in(client, "officer")
    assert client.get(ACCOUNT).status_code == 200


def test_the_django_admin_needs_a_second_factor(client, world, clock):
    admin = world.users["platform_admin"]
    admin.is_staff = True
    admin.save()
    sign_in(client, "platform_admin")
    refused = client.get("/admin/")
    assert refused.status_code == 302
    assert client.get(refused["Location"])["Location"].startswith(SETUP)
    key = enrol(admin)
    client.post(reverse("accounts:logout"))
    sign_in(client, "platform_admin")
    client.post(VERIFY, {"code": code(key)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_page_sends_to_liaisons_sign_in(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_creating_a_token_after_a_second_factor(client, world, clock):
    key = enrol(world.users["supervisor"])
    sign_in(client, "supervisor")
    client.post(VERIFY, {"code": code(key)})
    created = client.post(reverse("accounts:api_token_new"), {"name": "x", "access": "read", "days": "30"})
    assert created.status_code == 201
    clock.shift(datetime.timedelta(minutes=20))
    again = client.post(reverse("accounts:api_token_new"), {"name": "y", "access": "read", "days": "30"})
    assert again.status_code == 302
    confirm = client.get(again["Location"]).content.decode()
    assert 'name="code"' in confirm and 'name="password"' not in confirm
    assert client.post(reverse("accounts:confirm"), {"code": code(key)}).status_code == 302
    assert (
        client.post(reverse("accounts:api_token_new"), {"name": "y", "access": "read", "days": "30"}).status_code == 201
    )


# --- an admin resets a lost factor ------------------------------------------------------------------


def reset_url(world) -> str:
    return reverse("accounts:person_mfa_reset", args=["agency", world.agency.uuid, world.users["supervisor"].uuid])


@pytest.mark.parametrize("role", ROLES)
def test_resetting_someones_second_factor(page_as, world, mailoutbox, django_capture_on_commit_callbacks, role):
    user = world.users["supervisor"]
    user.email = "sam@example.org"
    user.save()
    client = page_as(role)  # signed in before the supervisor's factor exists (they may be the supervisor)
    enrol(user)
    _, token = api_token_create(user=user, name="export")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reset_url(world))
    want = expected(AGENCY_MANAGERS, SEES_AGENCY)[role]
    still = TOTPDevice.objects.filter(user=user).exists()
    if want == 200:
        assert response.status_code == 302 and not still
        assert [m.subject for m in mailoutbox] == [MFA_RESET_SUBJECT] and mailoutbox[0].to == ["sam@example.org"]
        assert AuditEntry.objects.filter(object_type="accounts.mfa", summary__contains="Reset").exists()
        assert ApiToken.objects.get(name="export").revoked_at is not None
    else:
        assert response.status_code == want and still and mailoutbox == []


def test_the_people_page_offers_the_reset_only_for_those_with_a_factor(page_as, world):
    enrol(world.users["supervisor"])
    html = page_as("agency_admin").get(reverse("accounts:people", args=["agency", world.agency.uuid])).content
    assert html.decode().count("Reset second factor") == 1


def test_the_demo_asks_one_login_to_set_up_a_factor_and_spares_the_others(world, clock):
    from liaison.accounts.demo import mfa_demo_load

    mfa_demo_load(showing_the_flow="platform_admin")
    clock.shift(datetime.timedelta(days=30))
    shown, spared = Client(), Client()
    sign_in(shown, "platform_admin")
    sign_in(spared, "officer")
    assert shown.get(ACCOUNT)["Location"].startswith(SETUP)
    assert spared.get(ACCOUNT).status_code == 200
