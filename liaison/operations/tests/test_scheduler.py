"""The scheduler: every registered job runs once per period, however many workers tick."""

from __future__ import annotations

import datetime
import threading
from unittest import mock

import pytest
from django.db.models import QuerySet

from liaison.operations import scheduler
from liaison.operations.management.commands.worker import _beat_and_schedule
from liaison.operations.models import JobRun, WorkerHeartbeat
from liaison.operations.scheduler import register, registered_jobs, scheduler_tick, unregister

UTC = datetime.UTC
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def calls():
    """A job `counted` that records each call; only it is registered during the test."""
    made: list[int] = []
    saved = dict(scheduler._jobs)
    scheduler._jobs.clear()
    register("counted", every=HOUR, func=lambda: made.append(1) or f"call {len(made)}")
    yield made
    scheduler._jobs.clear()
    scheduler._jobs.update(saved)


def at(hour: int, minute: int = 0, day: int = 6) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def test_a_job_runs_once_in_its_period_however_often_the_workers_tick(db, calls):
    scheduler_tick(now=at(3, 5), worker_id="a")
    scheduler_tick(now=at(3, 30), worker_id="b")
    scheduler_tick(now=at(3, 59), worker_id="a")
    assert calls == [1]
    run = JobRun.objects.get()
    assert (run.name, run.period_start, run.status, run.message) == ("counted", at(3), "succeeded", "call 1")


def test_a_job_runs_again_in_the_next_period(db, calls):
    scheduler_tick(now=at(3, 5))
    scheduler_tick(now=at(4, 0))
    assert len(calls) == 2
    assert list(JobRun.objects.order_by("period_start").values_list("period_start", flat=True)) == [at(3), at(4)]


def test_two_workers_racing_for_one_period_run_it_once(db, calls):
    # Both looked, saw no run record, and both insert: the unique (job, period) pair lets one through.
    with mock.patch.object(QuerySet, "exists", return_value=False):
        first = scheduler_tick(now=at(3, 5), worker_id="a")
        second = scheduler_tick(now=at(3, 5), worker_id="b")
    assert (len(first), len(second), len(calls)) == (1, 0, 1)


def test_a_daily_job_with_an_offset_runs_from_that_hour(db):
    job = scheduler.Job(name="daily", every=DAY, func=lambda: None, offset=datetime.timedelta(hours=6))
    assert job.period_start(at(5, 59)) == at(6, day=5)
    assert job.period_start(at(6, 0)) == at(6)


def test_a_failing_job_is_recorded_as_failed_with_its_error(db, calls):
    register("broken", every=HOUR, func=lambda: 1 / 0)
    scheduler_tick(now=at(3))
    run = JobRun.objects.get(name="broken")
    assert run.status == "failed"
    assert run.message == "ZeroDivisionError: division by zero"
    assert calls == [1]  # the other job ran all the same


@pytest.mark.parametrize(
    ("every", "offset", "message"),
    [
        (datetime.timedelta(seconds=30), datetime.timedelta(0), scheduler.PERIOD_TOO_SHORT),
        (HOUR, HOUR, scheduler.OFFSET_OUTSIDE_PERIOD),
    ],
)
def test_a_job_with_an_impossible_schedule_is_refused(every, offset, message):
    with pytest.raises(ValueError, match=message.format(name="x").replace("(", r"\(").replace(")", r"\)")):
        register("x", every=every, offset=offset, func=lambda: None)


def test_a_name_cannot_be_taken_by_a_second_function(calls):
    with pytest.raises(ValueError, match="already registered"):
        register("counted", every=HOUR, func=lambda: None)
    unregister("nothing-by-this-name")


def test_the_maintenance_jobs_are_registered_at_start_up():
    names = {job.name for job in registered_jobs()}
    assert {"sessions_clear_expired", "task_results_prune", "sign_in_attempts_prune", "notifications_daily"} <= names


class OneBeat(threading.Event):
    """Stops the worker's heartbeat loop after its first beat."""

    def wait(self, timeout: float | None = None) -> bool:
        self.set()
        return True


def test_the_worker_beats_and_schedules_on_each_round(db, calls):
    # The loop closes its thread's stale connections; here that thread is the test's own.
    with mock.patch("liaison.operations.management.commands.worker.close_old_connections"):
        _beat_and_schedule(worker_id="worker-1", stop=OneBeat())
    beat = WorkerHeartbeat.objects.get()
    assert beat.worker_id == "worker-1"
    assert calls == [1]


def test_a_platform_admin_sees_the_job_runs_in_the_admin(db, calls, page_as):
    scheduler_tick(now=at(3))
    page = page_as("platform_admin", second_factor=True).get("/admin/operations/jobrun/")
    assert page.status_code == 200
    assert "counted" in page.content.decode()
