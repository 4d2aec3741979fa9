"""The background task a scheduled job runs as, so it is queued, retried by no one, and recorded."""

from __future__ import annotations

from django_tasks import task

from .models import JobRun
from .scheduler import job_run_execute


@task()
def scheduled_job_run(*, run_id: int) -> str:
    run = job_run_execute(JobRun.objects.get(pk=run_id))
    return run.message
