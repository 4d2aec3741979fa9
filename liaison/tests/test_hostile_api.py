"""Hostile input at the API's door: server errors in the error shape, control characters, unbounded
paging, credentials without CSRF, and reused client ids."""

from __future__ import annotations

import logging
import uuid

import pytest
from django.test import Client

from liaison.lib.api_errors import NOT_AUTHENTICATED, SERVER_ERROR
from liaison.lib.control_characters import CONTROL_CHARACTER
from liaison.lib.paging import OFFSET_MAX

SCHOOLS = "/api/v1/schools"


def test_an_unexpected_exception_is_a_500_in_the_error_shape_with_a_reference_in_the_log(
    api_as, world, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("liaison.directory.access.schools_visible_to", broken)
    with caplog.at_level(logging.ERROR, logger="liaison.api"):
        response = api_as("district_admin").get("/schools")
    assert response.status_code == 500
    body = response.json()["error"]
    reference = body["reference"]
    assert body["message"] == SERVER_ERROR.format(reference=reference)
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert any(reference in record.getMessage() and record.exc_info for record in caplog.records)


def test_a_nul_in_an_anonymous_json_body_is_a_400_naming_the_field(api_as, world):
    body = {"token": "abcdefgh\u0000ij", "language": "en", "answers": {}}
    response = api_as("anonymous").post("/surveys/responses", body)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"token": [CONTROL_CHARACTER]}


def test_a_control_character_deep_in_a_body_names_its_path(api_as, world):
    body = {"name": "ok", "nested": [{"note": "bell\u0007"}]}
    response = Client().post("/api/v1/surveys/responses", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"nested.0.note": [CONTROL_CHARACTER]}


def test_tab_cr_and_lf_are_allowed_in_a_body(api_as, world):
    response = api_as("district_admin").get("/schools", q="Mill\tbrook")
    assert response.status_code == 200


def test_a_nul_in_a_query_filter_is_a_400_naming_the_filter(api_as, world):
    response = api_as("district_admin").get("/schools", q="Mill\x00")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"q": [CONTROL_CHARACTER]}


def test_a_nul_in_a_page_form_is_a_400_naming_the_field(world):
    response = Client().post("/accounts/login/", {"username": "officer\x00", "password": "x"})
    assert response.status_code == 400
    assert b"username" in response.content
    assert CONTROL_CHARACTER.encode() in response.content


def test_a_nul_in_a_page_query_string_is_a_400(page_as, world):
    response = page_as("officer").get("/log/records/", {"kind": "positive\x00"})
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["limit", "offset"])
def test_a_limit_or_offset_beyond_bigint_is_a_400_naming_it(api_as, world, name):
    response = api_as("district_admin").get("/schools", **{name: str(2**63 + 5)})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [name]


def test_limit_is_at_most_100(api_as, world):
    assert api_as("district_admin").get("/schools", limit="100").status_code == 200
    assert api_as("district_admin").get("/schools", limit="101").status_code == 400


def test_the_openapi_document_declares_the_bounds(world):
    document = Client().get("/api/v1/openapi.json").json()
    parameters = {p["name"]: p["schema"] for p in document["paths"][SCHOOLS]["get"]["parameters"]}
    assert parameters["limit"]["maximum"] == 100
    assert parameters["offset"]["maximum"] == OFFSET_MAX


# --- credentials -----------------------------------------------------------------------------------------

WRITE = "/api/v1/schools"


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Basic b2ZmaWNlcjpjb3JyZWN0LWhvcnNl", "Bearer "],
    ids=["missing", "invalid", "basic", "empty"],
)
def test_a_write_without_a_valid_token_is_a_401_with_www_authenticate(world, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    client = Client(enforce_csrf_checks=True)
    response = client.post(WRITE, {}, content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == NOT_AUTHENTICATED
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_a_401(api_as, world):
    client = api_as("district_admin")
    from liaison.accounts.models import ApiToken

    ApiToken.objects.update(revoked_at="2020-01-01T00:00:00Z")
    response = client.request("POST", WRITE, {})
    assert response.status_code == 401


def test_a_valid_token_needs_no_csrf_token_even_with_a_session(world):
    from liaison.accounts.tokens import api_token_create

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["district_admin"], backend="django.contrib.auth.backends.ModelBackend")
    _, token = api_token_create(user=world.users["district_admin"], name="t")
    response = client.post(WRITE, {}, content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400  # reached the schema check: authenticated, no CSRF demanded


def test_a_signed_in_browser_without_its_csrf_token_still_gets_403(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["district_admin"], backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(WRITE, {}, content_type="application/json")
    assert response.status_code == 403


# --- client_uuid ----------------------------------------------------------------------------------------


def _contact(world, client_uuid, **extra):
    return {
        "client_uuid": str(client_uuid),
        "school": str(world.elementary.uuid),
        "kind": "positive",
        "occurred_at": "2025-10-01T13:30:00Z",
        **extra,
    }


ARREST = {
    "kind": "enforcement",
    "enforcement": {
        "action_type": "arrest",
        "reason_category": "weapon",
        "requested_by": "administrator",
        "admin_consulted": True,
        "demographics_source": "perceived",
    },
    "justification": "Weapon on campus.",
}


def test_the_same_body_again_answers_200_with_the_stored_record(api_as, world):
    officer = api_as("officer")
    key = uuid.uuid4()
    assert officer.post("/interactions", _contact(world, key)).status_code == 201
    again = officer.post("/interactions", _contact(world, key))
    assert again.status_code == 200
    assert again.json()["uuid"] == str(key)


def test_a_client_uuid_resent_with_a_different_body_is_a_409_naming_it(api_as, world):
    from liaison.interactions.services import UUID_REUSED

    officer = api_as("officer")
    key = uuid.uuid4()
    assert officer.post("/interactions", _contact(world, key)).status_code == 201
    response = officer.post("/interactions", _contact(world, key, **ARREST))
    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {"client_uuid": [UUID_REUSED]}
