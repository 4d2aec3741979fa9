"""Periodic jobs for the whole application, run by the worker (`manage.py worker`).

django-tasks runs work when it is enqueued but has no schedule. Each app registers its periodic
jobs in its own `jobs.py` (found at start-up):

    from liaison.operations.scheduler import register
    register("mou_reminders", every=timedelta(days=1), offset=timedelta(hours=6), func=send_reminders)

Time is cut into periods of `every`, counted from the Unix epoch and shifted by `offset` (a daily job
with offset 6 hours runs once per day from 06:00 UTC). On each tick the worker claims every job whose
current period has no run record yet; the claim is a row with a unique (job, period) pair, so with
several workers, or a restart, a job runs at most once per period. A worker that was down when a
period began runs that period's job when it comes back; periods missed entirely are not caught up.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import JobRun

logger = logging.getLogger(__name__)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
SHORTEST_PERIOD = datetime.timedelta(minutes=1)
PERIOD_TOO_SHORT = "Job {name!r}: every must be at least one minute."
OFFSET_OUTSIDE_PERIOD = "Job {name!r}: offset must be at least zero and shorter than every."
NAME_TAKEN = "Job {name!r} is already registered with another function."


@dataclass(frozen=True)
class Job:
    name: str
    every: datetime.timedelta
    func: Callable[[], object]
    offset: datetime.timedelta = datetime.timedelta(0)

    def period_start(self, now: datetime.datetime) -> datetime.datetime:
        """The start of the period `now` falls in."""
        periods = (now - EPOCH - self.offset) // self.every
        return EPOCH + self.offset + periods * self.every


_jobs: dict[str, Job] = {}


def register(
    name: str,
    *,
    every: datetime.timedelta,
    func: Callable[[], object],
    offset: datetime.timedelta = datetime.timedelta(0),
) -> Job:
    """Run `func()` once per period of `every` (see the module docstring). Returns the job."""
    if every < SHORTEST_PERIOD:
        raise ValueError(PERIOD_TOO_SHORT.format(name=name))
    if not datetime.timedelta(0) <= offset < every:
        raise ValueError(OFFSET_OUTSIDE_PERIOD.format(name=name))
    known = _jobs.get(name)
    if known is not None and known.func is not func:
        raise ValueError(NAME_TAKEN.format(name=name))
    job = Job(name=name, every=every, func=func, offset=offset)
    _jobs[name] = job
    return job


def unregister(name: str) -> None:
    """Forget a job (for tests, and for a job a setting switches off)."""
    _jobs.pop(name, None)


def registered_jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def registered_job(name: str) -> Job | None:
    return _jobs.get(name)


def scheduler_tick(*, now: datetime.datetime | None = None, worker_id: str = "") -> list[JobRun]:
    """Claim and enqueue every job whose current period has not been claimed. Returns the new runs."""
    from .tasks import scheduled_job_run

    now = now or timezone.now()
    claimed = []
    for job in registered_jobs():
        run = _claim(job, now=now, worker_id=worker_id)
        if run is None:
            continue
        logger.info("Scheduled job %s for the period from %s", job.name, run.period_start.isoformat())
        scheduled_job_run.enqueue(run_id=run.pk)
        claimed.append(run)
    return claimed


def _claim(job: Job, *, now: datetime.datetime, worker_id: str) -> JobRun | None:
    start = job.period_start(now)
    if JobRun.objects.filter(name=job.name, period_start=start).exists():
        return None
    try:
        with transaction.atomic():
            return JobRun.objects.create(name=job.name, period_start=start, claimed_at=now, claimed_by=worker_id)
    except IntegrityError:  # another worker claimed it between our look and our insert
        return None


def job_run_execute(run: JobRun) -> JobRun:
    """Run the job a claimed run stands for, recording its start, end and outcome."""
    job = registered_job(run.name)
    run.started_at = timezone.now()
    run.status = JobRun.Status.RUNNING
    run.save(update_fields=["started_at", "status"])
    try:
        if job is None:
            raise LookupError(f"No job named {run.name!r} is registered in this process.")
        result = job.func()
    except Exception as error:
        logger.exception("Scheduled job %s failed", run.name)
        _finish(run, JobRun.Status.FAILED, f"{type(error).__name__}: {error}")
        raise
    _finish(run, JobRun.Status.SUCCEEDED, "" if result is None else str(result))
    return run


def _finish(run: JobRun, status: str, message: str) -> None:
    run.status = status
    run.message = message[:500]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "message", "finished_at"])
