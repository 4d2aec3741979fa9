"""The background worker: django-tasks' database worker, plus the heartbeat and the scheduler."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from liaison.operations.heartbeat import BEAT_SECONDS, heartbeat_beat
from liaison.operations.scheduler import scheduler_tick

logger = logging.getLogger("liaison.operations.worker")


def _beat_and_schedule(*, worker_id: str, stop: threading.Event) -> None:
    started_at = timezone.now()
    while not stop.is_set():
        try:
            heartbeat_beat(worker_id=worker_id, started_at=started_at)
            scheduler_tick(worker_id=worker_id)
        except Exception:  # a database hiccup must not end the heartbeat for good
            logger.exception("Heartbeat or scheduler tick failed; trying again in %s s", BEAT_SECONDS)
        finally:
            close_old_connections()
        stop.wait(BEAT_SECONDS)


class Command(db_worker.Command):
    help = (
        "Run the background worker: queued tasks (imports, reports), the periodic jobs every app "
        "registers (liaison/operations/scheduler.py), and a heartbeat /healthz reports. Run one or more; "
        "each periodic job still runs once per period. Stop it with SIGTERM: it finishes the task it "
        "is running, and queued tasks wait in the database for the next worker."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        beat = threading.Thread(
            target=_beat_and_schedule,
            kwargs={"worker_id": options["worker_id"], "stop": stop},
            name="liaison-heartbeat",
            daemon=True,
        )
        beat.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
