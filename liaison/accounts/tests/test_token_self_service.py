"""Everyone manages their own API tokens: on the account page and through the API, shown once, revocable."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liaison.accounts.forms import WRONG_PASSWORD
from liaison.accounts.models import ApiToken, AuditEntry, TokenAccess
from liaison.accounts.tokens import (
    TOKEN_ALREADY_REVOKED,
    TOKEN_CANNOT_MAKE_TOKENS,
    TOKEN_NAME_NEEDED,
    TOKEN_NEEDS_RECENT_SIGN_IN,
    TOKEN_READ_ONLY,
    api_token_create,
)
from liaison.accounts.views import CONFIRMS_PER_QUARTER_HOUR
from liaison.conftest import PASSWORD, ROLES, ApiClient

ACCOUNT = reverse("accounts:account")
NEW = reverse("accounts:api_token_new")
CONFIRM = reverse("accounts:confirm")
ME = "/api/v1/accounts/me"


def me_with(token: str) -> int:
    return Client().get(ME, headers={"Authorization": f"Bearer {token}"}).status_code


def shown_token(response) -> str:
    (token,) = re.findall(r'id="new-token" type="text" value="([^"]+)"', response.content.decode())
    return token


def test_a_token_made_on_the_account_page_is_shown_once_and_works(page_as, world):
    client = page_as("officer")
    response = client.post(NEW, {"name": "phone app", "access": "read_write", "days": "90"})
    assert response.status_code == 201
    token = shown_token(response)
    assert me_with(token) == 200
    row = ApiToken.objects.get(user=world.users["officer"])
    assert (row.name, row.prefix) == ("phone app", token[:8])
    account = client.get(ACCOUNT).content.decode()
    assert "phone app" in account and token[:8] in account and token not in account
    entry = AuditEntry.objects.get(object_type="accounts.apitoken", action="create")
    assert token not in entry.summary and token[:8] in entry.summary
    assert "_messages" not in client.cookies and token not in str(client.session.items())


def test_a_token_needs_a_name(page_as, world):
    response = page_as("officer").post(NEW, {"name": "   ", "access": "read", "days": "90"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_revoking_a_token_on_the_page_stops_it_at_once(page_as, world):
    row, token = api_token_create(user=world.users["supervisor"], name="export")
    client = page_as("supervisor")
    response = client.post(reverse("accounts:api_token_revoke", args=[row.uuid]), follow=True)
    assert "Revoked the token" in response.content.decode()
    assert me_with(token) == 401
    again = client.post(reverse("accounts:api_token_revoke", args=[row.uuid]), follow=True)
    assert TOKEN_ALREADY_REVOKED in again.content.decode()
    assert AuditEntry.objects.filter(object_type="accounts.apitoken", action="update").count() == 1


@pytest.mark.parametrize("role", [r for r in ROLES if r != "supervisor"])
def test_nobody_else_can_revoke_ones_token(page_as, api_as, world, role):
    row, token = api_token_create(user=world.users["supervisor"], name="export")
    page = page_as(role).post(reverse("accounts:api_token_revoke", args=[row.uuid]))
    api = api_as(role).post(f"/accounts/tokens/{row.uuid}/revoke", {})
    assert page.status_code == (302 if role == "anonymous" else 404)
    assert api.status_code == (401 if role == "anonymous" else 404)
    assert me_with(token) == 200


def session_api(page_as, openapi_spec, role: str) -> ApiClient:
    """The API through a signed-in browser session (the only way to create a token), still validated."""
    api = ApiClient(openapi_spec, None)
    api.client = page_as(role)
    return api


def test_the_api_lists_creates_and_revokes_ones_own_tokens(page_as, openapi_spec, world):
    api = session_api(page_as, openapi_spec, "district_admin")
    created = api.post("/accounts/tokens", {"name": "county export", "access": "read_write"})
    assert created.status_code == 201
    body = created.json()
    assert me_with(body["token"]) == 200 and body["prefix"] == body["token"][:8]
    listed = api.get("/accounts/tokens").json()
    assert [t["name"] for t in listed] == ["county export"]
    assert all("token" not in t for t in listed)
    revoked = api.post(f"/accounts/tokens/{body['uuid']}/revoke", {})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert me_with(body["token"]) == 401
    twice = api.post(f"/accounts/tokens/{body['uuid']}/revoke", {})
    assert twice.status_code == 409 and twice.json()["error"]["fields"] == {"token": [TOKEN_ALREADY_REVOKED]}


def test_the_api_names_a_missing_name(page_as, openapi_spec, world):
    response = session_api(page_as, openapi_spec, "officer").post("/accounts/tokens", {"name": ""})
    assert response.status_code == 400 and response.json()["error"]["fields"] == {"name": [TOKEN_NAME_NEEDED]}


def test_the_api_lists_only_ones_own_tokens(api_as, world):
    api_token_create(user=world.users["supervisor"], name="not yours")
    assert [t["name"] for t in api_as("officer").get("/accounts/tokens").json()] == ["tests"]
    assert api_as("anonymous").get("/accounts/tokens").status_code == 401


# --- expiry, access, and who may create a token ------------------------------------------------------


def test_a_token_cannot_create_another_token(api_as, world):
    """A stolen token must not be able to make itself permanent."""
    response = api_as("officer").post("/accounts/tokens", {"name": "persistence", "days": 365})
    assert response.status_code == 403 and response.json()["error"]["message"] == TOKEN_CANNOT_MAKE_TOKENS
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["tests"]


def test_a_session_signed_in_long_ago_must_confirm_the_password_first(page_as, openapi_spec, world):
    # Signed in 20 minutes ago: past REAUTH_MINUTES (15), not yet idle-locked (30).
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=20)):
        client = page_as("officer")
    api = ApiClient(openapi_spec, None)
    api.client = client
    refused = api.post("/accounts/tokens", {"name": "phone"})
    assert refused.status_code == 403 and refused.json()["error"]["message"] == TOKEN_NEEDS_RECENT_SIGN_IN
    page = client.post(NEW, {"name": "phone", "access": "read", "days": "90"})
    assert page.status_code == 302 and page["Location"].startswith(CONFIRM)
    wrong = client.post(CONFIRM, {"password": "not-it", "next": ACCOUNT})
    assert wrong.status_code == 400 and WRONG_PASSWORD in wrong.content.decode()
    right = client.post(CONFIRM, {"password": PASSWORD, "next": ACCOUNT + "#api-tokens"})
    assert right.status_code == 302 and right["Location"] == ACCOUNT + "#api-tokens"
    assert client.post(NEW, {"name": "phone", "access": "read", "days": "90"}).status_code == 201


def test_the_confirm_page_never_sends_one_off_site(page_as, world):
    client = page_as("officer")
    response = client.post(CONFIRM, {"password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == ACCOUNT


def test_the_confirm_page_limits_guesses(page_as, world):
    client = page_as("officer")
    for _ in range(CONFIRMS_PER_QUARTER_HOUR):
        client.post(CONFIRM, {"password": "guess"})
    assert client.post(CONFIRM, {"password": PASSWORD}).status_code == 429


@pytest.mark.parametrize("role", ["anonymous"])
def test_the_confirm_page_needs_a_sign_in(page_as, world, role):
    assert page_as(role).get(CONFIRM).status_code == 302


def test_a_read_only_token_reads_but_cannot_write(world, openapi_spec):
    row, token = api_token_create(user=world.users["supervisor"], name="report", access=TokenAccess.READ)
    api = ApiClient(openapi_spec, None)
    api.headers["Authorization"] = f"Bearer {token}"
    assert api.get("/accounts/me").status_code == 200
    refused = api.post(f"/accounts/tokens/{row.uuid}/revoke", {})
    assert refused.status_code == 403 and refused.json()["error"]["message"] == TOKEN_READ_ONLY
    row.refresh_from_db()
    assert row.revoked_at is None


def test_a_token_stops_working_when_it_expires(world):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _, token = api_token_create(user=world.users["officer"], name="short", days=30)
        clock.shift(datetime.timedelta(days=30) - datetime.timedelta(seconds=1))
        assert me_with(token) == 200
        clock.shift(datetime.timedelta(seconds=1))
        assert me_with(token) == 401


def test_the_chosen_lifetime_is_checked_and_named(page_as, openapi_spec, world):
    api = session_api(page_as, openapi_spec, "officer")
    too_long = api.post("/accounts/tokens", {"name": "forever", "days": 366})
    assert too_long.status_code == 400 and "days" in too_long.json()["error"]["fields"]
    created = api.post("/accounts/tokens", {"name": "default"}).json()
    assert created["access"] == "read"
    lifetime = datetime.datetime.fromisoformat(created["expires_at"]) - timezone.now()
    assert datetime.timedelta(days=89) < lifetime <= datetime.timedelta(days=90)


def test_the_page_offers_the_lifetimes_and_refuses_others(page_as, world):
    client = page_as("officer")
    assert client.post(NEW, {"name": "x", "access": "read", "days": "1000"}).status_code == 400
    response = client.post(NEW, {"name": "x", "access": "read", "days": "365"})
    row = ApiToken.objects.get(name="x")
    assert response.status_code == 201 and row.access == TokenAccess.READ
    assert (row.expires_at - timezone.now()).days in (364, 365)


def test_changing_the_password_revokes_every_token(page_as, world):
    user = world.users["agency_admin"]
    _, first = api_token_create(user=user, name="one")
    _, second = api_token_create(user=user, name="two")
    client = page_as("agency_admin")
    new = "a-brand-new-passphrase-42"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert me_with(first) == 401 and me_with(second) == 401
    assert AuditEntry.objects.filter(summary__contains="Revoked all 2 API token(s)").count() == 1


def test_a_reset_password_revokes_every_token_too(world):
    user = world.users["officer"]
    _, token = api_token_create(user=user, name="one")
    user.set_password("another-passphrase-99")
    user.save()
    assert me_with(token) == 401


def test_signing_in_does_not_revoke_tokens(client, world):
    _, token = api_token_create(user=world.users["officer"], name="one")
    signed_in = client.post(
        reverse("accounts:login"), {"username": world.users["officer"].username, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert me_with(token) == 200


def test_the_account_page_shows_access_last_use_and_expiry(page_as, world):
    # At midday UTC, so that the expiry's day is the same in UTC and at the officer's agency (the page
    # shows local dates: after midnight UTC, New York is still on the day before).
    with time_machine.travel(datetime.datetime(2026, 12, 7, 17, 0, tzinfo=datetime.UTC), tick=True):
        row, token = api_token_create(user=world.users["officer"], name="phone", access=TokenAccess.READ)
        me_with(token)
        page = page_as("officer").get(ACCOUNT).content.decode()
    row.refresh_from_db()
    assert "Read only" in page
    assert row.last_used_at is not None and f"{row.last_used_at:%Y}" in page
    assert f"{row.expires_at.day} {row.expires_at:%b %Y}" in page
