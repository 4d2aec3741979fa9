"""/healthz: what a load balancer polls."""

from __future__ import annotations

import io
from unittest import mock

from django.core.management import call_command
from django.db import DatabaseError, connection

from liaison.accounts.models import AuditVerification


def test_health_is_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "audit_chain": {"verified_at": None, "ok": None, "entries": 0},
    }


def test_health_says_when_the_audit_chain_last_verified(client, db):
    call_command("audit_verify", stdout=io.StringIO())
    chain = client.get("/healthz").json()["audit_chain"]
    assert chain["ok"] is True
    assert chain["verified_at"] == AuditVerification.objects.get().checked_at.isoformat()


def test_health_needs_no_login_and_is_never_cached(client, db):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_health_is_503_when_the_database_fails(client, db):
    with mock.patch.object(connection, "cursor", side_effect=DatabaseError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


def test_health_answers_only_get(client, db):
    assert client.post("/healthz").status_code == 405
