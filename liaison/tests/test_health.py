"""/healthz: what a load balancer polls."""

from __future__ import annotations

import datetime
import io
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.utils import timezone

from liaison.accounts.models import AuditVerification
from liaison.operations.heartbeat import STALE_AFTER, heartbeat_beat
from liaison.operations.tasks import scheduled_job_run


def test_health_is_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


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


# --- the worker: its heartbeat and the queue's age (liaison/operations/heartbeat.py) -------------


def beat(seconds_ago: int) -> None:
    now = timezone.now()
    heartbeat_beat(worker_id="w1", started_at=now, now=now - datetime.timedelta(seconds=seconds_ago))


def test_health_is_ok_with_a_live_worker_and_an_empty_queue(client, db):
    beat(5)
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["worker"] == {"status": "ok", "last_seen_seconds": 5, "queued": 0, "oldest_queued_seconds": None}
    assert body["audit_chain"] == {"status": "unknown", "last_verified_at": None}


def test_health_is_degraded_without_a_worker_and_strict_makes_it_503(client, db):
    response = client.get("/healthz")
    assert (response.status_code, response.json()["status"], response.json()["worker"]["status"]) == (
        200,
        "degraded",
        "missing",
    )
    assert client.get("/healthz?strict=1").status_code == 503


def test_health_says_when_the_worker_stopped_beating(client, db):
    beat(STALE_AFTER.seconds + 1)
    body = client.get("/healthz").json()
    assert (body["status"], body["worker"]["status"]) == ("degraded", "stale")


@pytest.mark.parametrize("backend", ["django_tasks_db.DatabaseBackend"])
def test_health_reports_how_long_the_oldest_queued_task_has_waited(client, db, settings, backend):
    settings.TASKS = {"default": {"BACKEND": backend}}
    beat(1)
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=20), tick=False):
        scheduled_job_run.using(backend="default").enqueue(run_id=0)
    body = client.get("/healthz").json()
    assert body["worker"]["queued"] == 1
    assert body["worker"]["oldest_queued_seconds"] >= 20 * 60
    assert body["status"] == "degraded"


# --- the audit log's chain (liaison/accounts/audit_chain.py) -------------------------------------


def test_health_says_when_the_audit_chain_last_verified(client, db):
    beat(1)
    call_command("audit_verify", stdout=io.StringIO())
    body = client.get("/healthz").json()
    verified = AuditVerification.objects.get()
    assert body["audit_chain"] == {
        "status": "ok",
        "last_verified_at": verified.checked_at.isoformat(),
        "entries": verified.entries,
    }
    assert body["status"] == "ok"


def test_health_is_degraded_when_the_audit_chain_failed_to_verify(client, db):
    beat(1)
    AuditVerification.objects.create(checked_at=timezone.now(), ok=False, problem="entry x was edited")
    body = client.get("/healthz").json()
    assert (body["status"], body["audit_chain"]["status"]) == ("degraded", "failed")
    assert client.get("/healthz?strict=1").status_code == 503


# --- the daily rollups' school-year partitions (PostgreSQL; liaison/interactions/partitions.py) ------


def test_health_says_the_rollup_partitions_are_ready_for_this_school_year_and_the_next(client, db):
    body = client.get("/healthz").json()
    if connection.vendor != "postgresql":
        assert body["rollup_partitions"] == {"status": "not partitioned"}
        return
    beat(5)
    assert body["rollup_partitions"]["status"] == "ok"
    assert body["rollup_partitions"]["through"] >= str(datetime.date.today().year + 1)
    assert client.get("/healthz").json()["status"] == "ok"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps the daily rollups in one table")
def test_health_is_degraded_when_the_coming_school_year_has_no_partition(client, db):
    """Two years without a migrate: the coming days would go to the default partition."""
    later = datetime.datetime(datetime.date.today().year + 3, 9, 1, 12, tzinfo=datetime.UTC)
    with time_machine.travel(later, tick=False):
        beat(5)
        response = client.get("/healthz?strict=1")
    body = response.json()
    assert response.status_code == 503 and body["status"] == "degraded"
    this_year = f"{later.year}-{later.year + 1}"
    assert body["rollup_partitions"]["status"] == "missing"
    assert body["rollup_partitions"]["missing"] == [this_year, f"{later.year + 1}-{later.year + 2}"]
    assert "manage.py migrate" in body["rollup_partitions"]["fix"]
