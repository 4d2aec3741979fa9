"""The worker's heartbeat, and what /healthz makes of it and of the queue."""

from __future__ import annotations

import datetime
import os
import socket
from dataclasses import dataclass

from django.db.models import Count, Max, Min
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

BEAT_SECONDS = 30
# Three missed beats and the worker counts as gone.
STALE_AFTER = datetime.timedelta(seconds=3 * BEAT_SECONDS)
FORGET_AFTER = datetime.timedelta(days=1)


def heartbeat_beat(*, worker_id: str, started_at: datetime.datetime, now: datetime.datetime | None = None) -> None:
    """Record that this worker process is alive; forget workers long gone."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": socket.gethostname()[:255], "pid": os.getpid(), "started_at": started_at, "seen_at": now},
    )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


@dataclass(frozen=True)
class WorkerHealth:
    status: str  # "ok", "stale" or "missing"
    last_seen_seconds: int | None
    queued: int
    oldest_queued_seconds: int | None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def worker_health(*, now: datetime.datetime | None = None) -> WorkerHealth:
    """The latest heartbeat's age, and how many tasks wait and for how long."""
    now = now or timezone.now()
    last = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
    ready = DBTaskResult.objects.ready()
    waiting = ready.aggregate(count=Count("*"), oldest=Min("enqueued_at"))
    if last is None:
        status = "missing"
    else:
        status = "ok" if now - last <= STALE_AFTER else "stale"
    return WorkerHealth(
        status=status,
        last_seen_seconds=_seconds(now, last),
        queued=waiting["count"],
        oldest_queued_seconds=_seconds(now, waiting["oldest"]),
    )


def _seconds(now: datetime.datetime, then: datetime.datetime | None) -> int | None:
    return None if then is None else max(0, int((now - then).total_seconds()))
