"""Schemathesis against the OpenAPI document: no input a client can send makes a server error or an
answer outside the document.

It runs on PostgreSQL (CI's second pass), whose text and integer columns refuse what SQLite
stores (NUL characters, numbers past 64 bits), or anywhere with LIAISON_FUZZ=1. Each operation is
tried as two roles (an officer and a district admin, by bearer token) with a
fixed seed (`derandomize`) and a bounded number of examples, so a red run is reproducible. Bodies
name the cast's own school, officer, district and agency where a field asks for one, so writes
can succeed and the code behind validation runs too. A longer exploratory run, for developers:
docs/api-fuzzing.md.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from liaison.accounts.tokens import api_token_create
from liaison.api import openapi_document
from liaison.wsgi import application

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" and os.environ.get("LIAISON_FUZZ") != "1",
    reason="runs on PostgreSQL, which refuses more than SQLite (or set LIAISON_FUZZ=1)",
)

EXAMPLES = int(os.environ.get("LIAISON_FUZZ_EXAMPLES", "5"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]

schema = schemathesis.openapi.from_dict(json.loads(json.dumps(openapi_document(), cls=DjangoJSONEncoder)))
schema.app = application

_references: dict[str, str] = {}  # field name → the cast's own id, for the test running now


@schema.hook
def map_body(context: Any, body: Any) -> Any:
    if isinstance(body, dict):
        return {key: _references.get(key, value) if isinstance(value, str) else value for key, value in body.items()}
    return body


@pytest.fixture
def cast(world, settings):
    """The world, its ids for bodies, and requests handled in the test's own transaction."""
    settings.ALLOWED_HOSTS = ["localhost"]
    _references.update(
        school=str(world.elementary.uuid),
        officer=str(world.officer.uuid),
        district=str(world.district.uuid),
        agency=str(world.agency.uuid),
    )
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield world
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
        _references.clear()


@pytest.mark.parametrize("role", ["officer", "district_admin"])
@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_generated_request_within_its_document(case, role, cast):
    _, token = api_token_create(user=cast.users[role], name="fuzz")
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


# --- stateful: follow the document's links (create a record, then read and change it) ----------------

STATEFUL_STEPS = int(os.environ.get("LIAISON_FUZZ_STEPS", "6"))


def test_linked_operations_keep_to_the_document(cast):
    from hypothesis.stateful import run_state_machine_as_test

    _, token = api_token_create(user=cast.users["district_admin"], name="fuzz")

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None)

    run_state_machine_as_test(
        Machine,
        settings=hypothesis_settings(
            max_examples=EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        ),
    )
