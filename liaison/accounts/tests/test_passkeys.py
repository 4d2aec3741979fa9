"""Passkey steps through the test client: who may take them and how bad answers are refused.

The full ceremony (a real signature) runs in Chromium with a virtual authenticator:
test_browser_passkeys.py.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from liaison.accounts.models import Passkey
from liaison.accounts.passkeys import PASSKEY_NAME_NEEDED, PASSKEY_NOT_ACCEPTED, PASSKEY_UNKNOWN
from liaison.accounts.tests.test_mfa import enrol
from liaison.conftest import ROLES

OPTIONS = reverse("accounts:passkey_options")
ADD = reverse("accounts:passkey_add")
AUTH_OPTIONS = reverse("accounts:passkey_auth_options")
AUTH = reverse("accounts:passkey_auth")


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_may_ask_to_add_a_passkey_to_their_own_login(page_as, world, role):
    response = post(page_as(role), OPTIONS)
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
        return
    options = response.json()
    assert response.status_code == 200 and options["rp"]["id"] == "testserver" and options["challenge"]
    assert options["user"]["name"] == world.users[role].username


@pytest.mark.parametrize("url", [AUTH_OPTIONS, AUTH, ADD])
def test_the_passkey_steps_need_a_sign_in(client, db, url):
    assert post(client, url).status_code == 302


def test_a_forged_registration_is_refused_and_named(page_as, world):
    client = page_as("officer")
    post(client, OPTIONS)
    response = post(client, ADD, {"name": "fake", "credential": {"id": "abc", "response": {}}})
    assert response.status_code == 400 and response.json()["error"]["fields"] == {"credential": [PASSKEY_NOT_ACCEPTED]}
    assert not Passkey.objects.exists()


def test_a_registration_without_options_first_is_refused(page_as, world):
    response = post(page_as("officer"), ADD, {"name": "x", "credential": {"id": "abc"}})
    assert response.status_code == 400 and response.json()["error"]["message"] == PASSKEY_NOT_ACCEPTED


def test_a_passkey_needs_a_name(page_as, world):
    response = post(page_as("officer"), ADD, {"name": " ", "credential": {}})
    assert response.json()["error"]["message"] == PASSKEY_NAME_NEEDED


def test_adding_a_second_factor_needs_the_first_one_recently(client, world):
    enrol(world.users["officer"])
    client.post(reverse("accounts:login"), {"username": "officer", "password": "correct-horse-battery-staple"})
    # A password-only session is held at the code page; these steps are not under it.
    assert post(client, OPTIONS).status_code == 302


def test_someone_elses_passkey_cannot_answer_for_you(page_as, world):
    other = Passkey.objects.create(
        user=world.users["supervisor"], name="theirs", credential_id="c3VwZXJ2aXNvcg", public_key=b"x"
    )
    client = page_as("officer")
    post(client, AUTH_OPTIONS)
    response = post(client, AUTH, {"credential": {"id": other.credential_id, "rawId": other.credential_id}})
    assert response.status_code == 400 and response.json()["error"]["message"] == PASSKEY_UNKNOWN
