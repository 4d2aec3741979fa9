"""Everyone manages their own API tokens: on the account page and through the API, shown once, revocable."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from liaison.accounts.models import ApiToken, AuditEntry
from liaison.accounts.tokens import TOKEN_ALREADY_REVOKED, TOKEN_NAME_NEEDED, api_token_create
from liaison.conftest import ROLES

ACCOUNT = reverse("accounts:account")
NEW = reverse("accounts:api_token_new")
ME = "/api/v1/accounts/me"


def me_with(token: str) -> int:
    return Client().get(ME, headers={"Authorization": f"Bearer {token}"}).status_code


def shown_token(response) -> str:
    (token,) = re.findall(r'id="new-token" type="text" value="([^"]+)"', response.content.decode())
    return token


def test_a_token_made_on_the_account_page_is_shown_once_and_works(page_as, world):
    client = page_as("officer")
    response = client.post(NEW, {"name": "phone app"})
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
    response = page_as("officer").post(NEW, {"name": "   "})
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


def test_the_api_lists_creates_and_revokes_ones_own_tokens(api_as, world):
    api = api_as("district_admin")  # authenticates with a token of its own ("tests")
    created = api.post("/accounts/tokens", {"name": "county export"})
    assert created.status_code == 201
    body = created.json()
    assert me_with(body["token"]) == 200 and body["prefix"] == body["token"][:8]
    listed = api.get("/accounts/tokens").json()
    assert [t["name"] for t in listed] == ["county export", "tests"]
    assert all("token" not in t for t in listed)
    revoked = api.post(f"/accounts/tokens/{body['uuid']}/revoke", {})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert me_with(body["token"]) == 401
    twice = api.post(f"/accounts/tokens/{body['uuid']}/revoke", {})
    assert twice.status_code == 409 and twice.json()["error"]["fields"] == {"token": [TOKEN_ALREADY_REVOKED]}


def test_the_api_names_a_missing_name(api_as, world):
    response = api_as("officer").post("/accounts/tokens", {"name": ""})
    assert response.status_code == 400 and response.json()["error"]["fields"] == {"name": [TOKEN_NAME_NEEDED]}


def test_the_api_lists_only_ones_own_tokens(api_as, world):
    api_token_create(user=world.users["supervisor"], name="not yours")
    assert [t["name"] for t in api_as("officer").get("/accounts/tokens").json()] == ["tests"]
    assert api_as("anonymous").get("/accounts/tokens").status_code == 401
