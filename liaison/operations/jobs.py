"""The maintenance jobs the worker runs, so that `make run` and a production install need no cron."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from liaison.accounts.models import SignInLock
from liaison.ratelimits import store

from . import audit_jobs  # noqa: F401  (registers the audit log's jobs)
from .backups import backup_scheduled
from .models import JobRun
from .scheduler import register

DAY = datetime.timedelta(days=1)
# Finished task results (imports' outcomes) and run records are kept this long, then deleted.
TASK_RESULT_DAYS = 30
JOB_RUN_DAYS = 90
# Sign-in lock records with no failure for this long are forgotten (the audit log keeps the history).
SIGN_IN_ATTEMPT_DAYS = 90


def sessions_clear_expired() -> str:
    count, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return f"{count} expired session(s) deleted"


def task_results_prune() -> str:
    cutoff = timezone.now() - datetime.timedelta(days=TASK_RESULT_DAYS)
    count, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    runs, _ = JobRun.objects.filter(period_start__lt=timezone.now() - datetime.timedelta(days=JOB_RUN_DAYS)).delete()
    return f"{count} task result(s) and {runs} job run(s) deleted"


def sign_in_attempts_prune() -> str:
    cutoff = timezone.now() - datetime.timedelta(days=SIGN_IN_ATTEMPT_DAYS)
    locks, _ = SignInLock.objects.filter(last_failure_at__lt=cutoff).delete()
    counters = store.purge_expired()
    return f"{locks} sign-in record(s) and {counters} expired rate-limit counter(s) deleted"


# Staggered through the night (UTC) so they do not all start at once.
register("sessions_clear_expired", every=DAY, offset=datetime.timedelta(hours=1), func=sessions_clear_expired)
register("task_results_prune", every=DAY, offset=datetime.timedelta(hours=1, minutes=10), func=task_results_prune)
register(
    "sign_in_attempts_prune", every=DAY, offset=datetime.timedelta(hours=1, minutes=20), func=sign_in_attempts_prune
)


def _register_backups() -> None:
    if settings.BACKUP_KEY and settings.BACKUP_HOURS:
        register("backup", every=datetime.timedelta(hours=settings.BACKUP_HOURS), func=backup_scheduled)


_register_backups()
