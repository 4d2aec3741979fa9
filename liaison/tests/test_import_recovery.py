"""Imports whose worker stopped: failed after the heartbeat timeout, their file deleted, and
leftover uploads with no live import deleted at the worker's start."""

from __future__ import annotations

import datetime
import io
import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from liaison.directory.models import RosterImport
from liaison.directory.roster_imports import roster_import_create
from liaison.interactions import imports
from liaison.interactions.models import InteractionImport
from liaison.lib.upload_files import MIN_AGE_SECONDS


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_HEARTBEAT_TIMEOUT_MINUTES = 15


def _running_contacts_import(world, *, beat_minutes_ago: int) -> InteractionImport:
    upload = SimpleUploadedFile("contacts.csv", b"badge_number\n101\n", content_type="text/csv")
    job = imports.interaction_import_create(actor=world.users["supervisor"], agency=world.agency, upload=upload)
    beat = timezone.now() - datetime.timedelta(minutes=beat_minutes_ago)
    InteractionImport.objects.filter(pk=job.pk).update(
        status=InteractionImport.Status.RUNNING, started_at=beat, heartbeat_at=beat
    )
    return InteractionImport.objects.get(pk=job.pk)


def _recover() -> str:
    out = io.StringIO()
    call_command("imports_recover", stdout=out)
    return out.getvalue()


def test_a_running_import_without_a_heartbeat_is_failed_and_its_file_deleted(world, settings):
    job = _running_contacts_import(world, beat_minutes_ago=16)
    path = Path(settings.MEDIA_ROOT) / job.upload_path
    assert path.exists()
    assert "Imports marked failed (worker stopped): 1" in _recover()
    job.refresh_from_db()
    assert job.status == InteractionImport.Status.FAILED
    assert job.errors == [{"line": None, "column": "", "reason": imports.WORKER_STOPPED}]
    assert job.upload_path == "" and not path.exists()


def test_a_running_import_with_a_recent_heartbeat_is_left_running(world, settings):
    job = _running_contacts_import(world, beat_minutes_ago=2)
    _recover()
    job.refresh_from_db()
    assert job.status == InteractionImport.Status.RUNNING
    assert (Path(settings.MEDIA_ROOT) / job.upload_path).exists()


def test_the_status_page_of_an_import_whose_worker_stopped_says_so(world, page_as):
    job = _running_contacts_import(world, beat_minutes_ago=60)
    html = page_as("supervisor").get(reverse("interactions:import_status", args=[job.uuid])).content.decode()
    assert imports.WORKER_STOPPED in html
    assert InteractionImport.objects.get(pk=job.pk).status == InteractionImport.Status.FAILED


def test_after_a_stopped_import_the_agency_can_import_again(world, tmp_path):
    from liaison.interactions.tests.import_files import contact, import_file, write_csv

    _running_contacts_import(world, beat_minutes_ago=60)
    _recover()
    output = import_file(write_csv(tmp_path, [contact()]), world.agency)
    assert "Imported 1 contacts" in output


def test_leftover_uploads_with_no_live_import_are_deleted_at_start_up(world, settings):
    live = _running_contacts_import(world, beat_minutes_ago=1)
    folder = Path(settings.MEDIA_ROOT) / imports.UPLOAD_FOLDER
    old, young = folder / "left-over.csv", folder / "just-stored.csv"
    old.write_text("students")
    young.write_text("students")
    long_ago = time.time() - MIN_AGE_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    os.utime(Path(settings.MEDIA_ROOT) / live.upload_path, (long_ago, long_ago))
    assert "leftover uploads deleted: 1" in _recover()
    assert not old.exists()
    assert young.exists()  # its job may be being created this moment
    assert (Path(settings.MEDIA_ROOT) / live.upload_path).exists()


def test_a_roster_import_whose_worker_stopped_is_failed_and_its_file_deleted(world, settings):
    upload = SimpleUploadedFile("roster.zip", b"PK", content_type="application/zip")
    job = roster_import_create(actor=None, upload=upload, school_year="2025-2026", district=world.district)
    path = Path(settings.MEDIA_ROOT) / job.upload_path
    started = timezone.now() - datetime.timedelta(hours=2)
    RosterImport.objects.filter(pk=job.pk).update(status=RosterImport.Status.RUNNING, started_at=started)
    _recover()
    job.refresh_from_db()
    assert job.status == RosterImport.Status.FAILED
    assert not path.exists()
