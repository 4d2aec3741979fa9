"""The upload page's confirm step: a re-import that would rename, regrade or lose known counts waits for a yes."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from liaison.accounts.models import AuditEntry
from liaison.conftest import ROLES, World
from liaison.directory import roster_imports as r
from liaison.directory.models import Enrollment, RosterImport, School
from liaison.directory.tests.test_oneroster_hijack import _rename_column
from liaison.directory.tests.test_oneroster_pages import stored_uploads, upload
from liaison.directory.tests.test_oneroster_sets import ELEMENTARY, millbrook_set

RENAMED = r.RENAMES.format(kind="School", old="Millbrook Elementary", new="Renamed Elementary")


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _partial():
    roster = millbrook_set()
    _rename_column(roster, "demographics.csv", "white", "x_vendor_race_code")  # White becomes "not collected"
    roster.tables["orgs.csv"].row("s-elem")["name"] = "Renamed Elementary"
    return roster


@pytest.fixture
def waiting(page_as, world: World, tmp_path) -> RosterImport:
    """Millbrook imported once, then a re-import that needs confirming, uploaded by the district admin."""
    client = page_as("district_admin")
    for folder, roster in (("first", millbrook_set()), ("second", _partial())):
        (tmp_path / folder).mkdir()
        assert upload(client, tmp_path / folder, world, roster).status_code == 302
    return RosterImport.objects.order_by("-id").first()


def _decide(client, roster_import: RosterImport, decision: str):
    return client.post(reverse("directory:import_confirm", args=[roster_import.uuid]), {"decision": decision})


def test_the_page_shows_the_changes_and_changes_nothing_until_confirmed(page_as, waiting, settings):
    assert waiting.status == RosterImport.Status.CONFIRM
    page = page_as("district_admin").get(reverse("directory:import_status", args=[waiting.uuid])).content.decode()
    assert "These changes need confirming" in page
    assert escape(RENAMED) in page
    assert "would become" in page and "white" in page
    assert "Apply these changes and import" in page
    assert School.objects.get(nces_id=ELEMENTARY).name == "Millbrook Elementary"
    assert Enrollment.objects.get(school__nces_id=ELEMENTARY).white is not None
    assert len(stored_uploads(settings)) == 1  # kept for the confirmed run


def test_confirming_applies_the_changes_and_records_who_confirmed(page_as, waiting, settings, world):
    client = page_as("district_admin")
    response = _decide(client, waiting, "apply")
    assert response["Location"] == reverse("directory:import_status", args=[waiting.uuid])
    waiting.refresh_from_db()
    assert waiting.status == RosterImport.Status.SUCCEEDED, waiting.errors
    assert School.objects.get(nces_id=ELEMENTARY).name == "Renamed Elementary"
    assert Enrollment.objects.get(school__nces_id=ELEMENTARY).white is None
    assert stored_uploads(settings) == []
    entry = AuditEntry.objects.get(object_uuid=waiting.uuid, action="update")
    assert entry.actor == world.users["district_admin"]
    assert RENAMED in entry.after["confirmed_changes"]
    assert "Import finished" in client.get(response["Location"]).content.decode()


def test_discarding_deletes_the_upload_and_changes_nothing(page_as, waiting, settings):
    _decide(page_as("district_admin"), waiting, "discard")
    waiting.refresh_from_db()
    assert waiting.status == RosterImport.Status.FAILED
    assert waiting.errors[0]["reason"] == r.IMPORT_DISCARDED
    assert School.objects.get(nces_id=ELEMENTARY).name == "Millbrook Elementary"
    assert stored_uploads(settings) == []


def test_a_confirmation_covers_only_the_changes_shown(page_as, waiting):
    """Stored data changed after the page was shown: the run asks again rather than apply unseen changes."""
    School.objects.filter(nces_id="250000100003").update(name="Millbrook Senior High")
    _decide(page_as("district_admin"), waiting, "apply")
    waiting.refresh_from_db()
    assert waiting.status == RosterImport.Status.CONFIRM
    reasons = [change["reason"] for change in waiting.summary["changes"]]
    assert r.RENAMES.format(kind="School", old="Millbrook Senior High", new="Millbrook High") in reasons
    assert School.objects.get(nces_id=ELEMENTARY).name == "Millbrook Elementary"


def test_an_import_that_is_not_waiting_cannot_be_confirmed(page_as, waiting):
    client = page_as("district_admin")
    _decide(client, waiting, "discard")
    response = _decide(client, waiting, "apply")
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == RosterImport.Status.FAILED
    assert r.NOT_AWAITING_CONFIRMATION in client.get(response["Location"]).content.decode()


def test_an_unconfirmed_import_is_discarded_after_a_day(waiting, settings):
    RosterImport.objects.filter(pk=waiting.pk).update(finished_at=timezone.now() - datetime.timedelta(hours=25))
    r.roster_imports_recover()
    waiting.refresh_from_db()
    assert waiting.status == RosterImport.Status.FAILED
    assert stored_uploads(settings) == []


CONFIRM = {role: 403 for role in ROLES} | {"platform_admin": 302, "district_admin": 302, "anonymous": 302}
CONFIRM |= {"outsider_district_admin": 404}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_confirm(page_as, waiting, role):
    response = _decide(page_as(role), waiting, "apply")
    assert response.status_code == CONFIRM[role]
    waiting.refresh_from_db()
    applied = role in ("platform_admin", "district_admin")
    assert waiting.status == (RosterImport.Status.SUCCEEDED if applied else RosterImport.Status.CONFIRM)
