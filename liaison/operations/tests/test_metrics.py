"""/metrics: absent unless METRICS_TOKEN is set, then only for that token, in Prometheus's format."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from liaison.operations.heartbeat import heartbeat_beat
from liaison.operations.models import JobRun

TOKEN = "metrics-token-for-tests"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


def test_metrics_do_not_exist_unless_a_token_is_set(client, db, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}"])
def test_metrics_need_the_token(client, db, metrics_on, header):
    headers = {"Authorization": header} if header else {}
    assert client.get("/metrics", headers=headers).status_code == 401


def test_metrics_report_the_worker_the_queue_and_the_jobs(client, db, metrics_on):
    now = timezone.now()
    heartbeat_beat(worker_id="w1", started_at=now, now=now)
    JobRun.objects.create(name="backup", period_start=now, status="failed", finished_at=now)
    JobRun.objects.create(
        name="sessions_clear_expired",
        period_start=now - datetime.timedelta(hours=1),
        status="succeeded",
        finished_at=now,
    )
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "liaison_worker_up 1.0" in text
    assert "liaison_tasks_queued 0.0" in text
    assert 'liaison_job_failures_last_day{job="backup"} 1.0' in text
    success = next(line for line in text.splitlines() if line.startswith("liaison_job_last_success_timestamp_seconds{"))
    assert success.startswith('liaison_job_last_success_timestamp_seconds{job="sessions_clear_expired"} ')
    assert float(success.rsplit(" ", 1)[1]) == pytest.approx(now.timestamp())
    assert 'liaison_info{version="' in text
