"""The daily run closes waves past their close date, so their results appear; a wave whose held
bursts wait for the district is left open and named."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from liaison.conftest import World
from liaison.surveys.models import Burst, Response

from .surveys import link, respond, student_wave


def _run() -> str:
    out = io.StringIO()
    call_command("surveys_close_due", stdout=out)
    return out.getvalue()


def test_it_closes_waves_past_their_close_date_and_releases_their_responses(world: World) -> None:
    today = timezone.localdate()
    due = student_wave(world, title="Due", opens_on=today - datetime.timedelta(days=9))
    respond(link(due, world.elementary), 11)
    due.closes_on = today - datetime.timedelta(days=1)
    due.save(update_fields=["closes_on"])
    running = student_wave(world, title="Running")
    waiting = student_wave(world, title="Waiting", opens_on=today - datetime.timedelta(days=9))
    Burst.objects.create(wave_school=link(waiting, world.high), day=today - datetime.timedelta(days=2), size=40)
    waiting.closes_on = today - datetime.timedelta(days=1)
    waiting.save(update_fields=["closes_on"])
    assert _run().splitlines() == ["Closed Due.", "Not closed, held responses wait for a decision: Waiting."]
    for wave, status in ((due, "closed"), (running, "open"), (waiting, "open")):
        wave.refresh_from_db()
        assert wave.status == status
    assert Response.objects.filter(wave_school__wave=due).count() == 11


def test_it_says_when_nothing_is_due(db) -> None:
    assert _run() == "No survey wave is due to close.\n"


def test_the_worker_closes_due_waves_each_day_without_cron(world: World) -> None:
    from liaison.operations.scheduler import registered_job

    job = registered_job("surveys_close_due")
    assert job is not None and job.every == datetime.timedelta(days=1)
    today = timezone.localdate()
    due = student_wave(world, title="Due", opens_on=today - datetime.timedelta(days=9))
    respond(link(due, world.elementary), 10)
    due.closes_on = today - datetime.timedelta(days=1)
    due.save(update_fields=["closes_on"])
    assert job.func() == "1 wave(s) closed, 0 waiting for a decision on held responses"
    due.refresh_from_db()
    assert due.status == "closed"
