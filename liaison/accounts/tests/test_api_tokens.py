"""API bearer tokens: created by a command, stored only as a digest, carrying the user's own scope."""

from __future__ import annotations

import hashlib
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from liaison.accounts.management.commands.create_api_token import UNKNOWN_USER
from liaison.accounts.models import ApiToken
from liaison.lib.api_errors import NOT_AUTHENTICATED

ME = "/api/v1/accounts/me"


def create_token(username: str, *args: str) -> str:
    out = StringIO()
    call_command("create_api_token", username, *args, stdout=out)
    return out.getvalue().strip()


def get(path: str, token: str):
    return Client().get(path, headers={"Authorization": f"Bearer {token}"})


def assert_not_authenticated(response) -> None:
    assert response.status_code == 401
    assert response.json() == {"error": {"message": NOT_AUTHENTICATED, "fields": {}}}


def test_the_command_prints_a_token_that_authenticates_as_the_user(world):
    token = create_token("agency_admin")
    response = get(ME, token)
    assert response.status_code == 200
    assert response.json()["username"] == "agency_admin"
    assert response.json()["memberships"] == [
        {"role": "agency_admin", "agency": str(world.agency.uuid), "district": None, "school": None}
    ]


def test_only_the_tokens_sha256_digest_is_stored(world):
    token = create_token("agency_admin", "--name", "reporting script")
    row = ApiToken.objects.get(user=world.users["agency_admin"], name="reporting script")
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(getattr(row, field.attname)) for field in ApiToken._meta.concrete_fields]
    assert not any(token in value for value in stored)
    assert row.prefix == token[:8]


def test_each_run_makes_a_new_token(world):
    assert create_token("agency_admin") != create_token("agency_admin")


def test_using_a_token_records_when_it_was_last_used(world):
    token = create_token("agency_admin")
    get(ME, token)
    assert ApiToken.objects.get(user=world.users["agency_admin"]).last_used_at is not None


def test_an_unknown_user_is_a_command_error(world):
    with pytest.raises(CommandError, match=re.escape(UNKNOWN_USER.format(username="nobody"))):
        create_token("nobody")


def test_an_inactive_user_gets_no_token(world):
    world.users["agency_admin"].is_active = False
    world.users["agency_admin"].save()
    with pytest.raises(CommandError, match=re.escape(UNKNOWN_USER.format(username="agency_admin"))):
        create_token("agency_admin")


def test_a_made_up_token_is_refused_with_the_one_error_shape(world):
    assert_not_authenticated(get(ME, "not-a-real-token"))


def test_no_token_at_all_is_refused_with_the_one_error_shape(world):
    assert_not_authenticated(Client().get(ME))


def test_a_revoked_token_is_refused(world):
    token = create_token("agency_admin")
    ApiToken.objects.filter(user=world.users["agency_admin"]).update(revoked_at=timezone.now())
    assert_not_authenticated(get(ME, token))


def test_a_token_stops_working_when_its_user_is_deactivated(world):
    token = create_token("agency_admin")
    world.users["agency_admin"].is_active = False
    world.users["agency_admin"].save()
    assert_not_authenticated(get(ME, token))


def test_a_token_reads_what_its_user_may_read(world):
    token = create_token("agency_admin")
    assert get(f"/api/v1/agencies/{world.agency.uuid}", token).status_code == 200


def test_a_token_cannot_read_beyond_its_users_scope(world):
    token = create_token("outsider_agency_admin")
    assert get(f"/api/v1/agencies/{world.agency.uuid}", token).status_code == 404
    assert get(f"/api/v1/agencies/{world.other_agency.uuid}", token).status_code == 200


def test_a_supervisors_token_is_refused_the_audit_log_like_the_supervisor(world):
    token = create_token("supervisor")
    assert get("/api/v1/accounts/audit", token).status_code == 403


def test_the_command_makes_a_read_only_token_with_a_chosen_lifetime(world):
    out = StringIO()
    call_command("create_api_token", "officer", "--access", "read", "--days", "7", stdout=out)
    row = ApiToken.objects.get(prefix=out.getvalue().strip()[:8])
    assert row.access == "read" and 6 <= (row.expires_at - row.created_at).days <= 7


def test_the_command_names_a_lifetime_beyond_a_year(world):
    with pytest.raises(CommandError, match="1 to 365 days"):
        call_command("create_api_token", "officer", "--days", "400", stdout=StringIO())
