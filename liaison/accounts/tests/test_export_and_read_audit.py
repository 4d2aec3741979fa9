"""Every export of every kind is one audit entry with its filters and row count; every page of records
that shows notes or enforcement details is one entry with the ids shown."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from liaison.accounts.models import AuditEntry
from liaison.conftest import World
from liaison.interactions.read_audit import LIST_READ_SUMMARY
from liaison.interactions.tests.test_lists import NOW, arrest, record
from liaison.surveys.tests.surveys import close, link, respond, student_wave

YEAR = "2025-2026"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def exports() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="export").order_by("id"))


def reads() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="read", object_type="interactions.interaction").order_by("id"))


@pytest.fixture
def wave(world: World):
    wave = student_wave(world)
    respond(link(wave, world.elementary), 12)
    return close(world, wave)  # results and responses exist once the wave has closed


def test_the_survey_results_csv_is_one_entry_with_its_row_count(page_as, world, wave):
    response = page_as("district_admin").get(reverse("surveys:results_csv", args=[wave.uuid]), {"by": ""})
    [entry] = exports()
    rows = len(response.content.decode().strip().splitlines()) - 1
    assert (entry.actor, entry.after["rows"]) == (world.users["district_admin"], rows)
    assert entry.after["path"] == reverse("surveys:results_csv", args=[wave.uuid])
    assert entry.after["filters"] == {"by": [""]}
    assert f"({rows} rows)" in entry.summary


def test_the_survey_responses_csv_is_one_entry(page_as, world, wave):
    page_as("district_admin").get(reverse("surveys:responses_csv", args=[wave.uuid]))
    [entry] = exports()
    assert entry.after["rows"] == 12
    assert entry.district_id == world.district.pk


@pytest.mark.parametrize("view", ["insights:equity", "insights:crdc"])
def test_the_equity_and_crdc_csvs_are_one_entry_each(page_as, world, view):
    page_as("district_admin").get(reverse(view, args=[world.district.uuid]), {"school_year": YEAR, "format": "csv"})
    [entry] = exports()
    assert entry.after["filters"] == {"school_year": [YEAR], "format": ["csv"]}
    assert entry.after["rows"] >= 1


def test_a_programs_csv_is_one_entry(page_as, world):
    page_as("agency_admin").get(reverse("programs:sessions"), {"format": "csv"})
    [entry] = exports()
    assert entry.actor == world.users["agency_admin"]
    assert entry.agency_id == world.agency.pk


def test_the_records_export_is_one_entry_not_two(page_as, world):
    record(world)
    response = page_as("supervisor").get(reverse("interactions:export"), {"kind": "positive"})
    b"".join(response.streaming_content)
    [entry] = exports()
    assert entry.object_type == "interactions.interaction"
    assert entry.after == {"filters": {"kind": "positive"}, "rows": 1}


def test_a_page_that_is_not_a_download_is_no_export(page_as, world):
    page_as("district_admin").get(reverse("insights:crdc", args=[world.district.uuid]), {"school_year": YEAR})
    assert exports() == []


# --- bulk reads ---------------------------------------------------------------------------------


def test_a_records_page_showing_enforcement_details_is_one_read_entry_with_their_ids(page_as, world):
    shown = arrest(world)
    record(world, note="Talked about the game")  # not shown by the page's list: its note is not read here
    page_as("district_admin").get(reverse("interactions:list"), {"kind": ""})
    [entry] = reads()
    assert entry.actor == world.users["district_admin"]
    assert entry.after["records"] == [str(shown.uuid)]
    assert entry.summary == LIST_READ_SUMMARY.format(count=1, door="records page")
    assert entry.district_id == world.district.pk


def test_an_api_page_with_notes_and_enforcement_is_one_read_entry_naming_them(api_as, world):
    noted, action, plain = record(world, note="Talked about the game"), arrest(world), record(world)
    api_as("district_admin").get("/interactions")
    [entry] = reads()
    assert sorted(entry.after["records"]) == sorted([str(noted.uuid), str(action.uuid)])
    assert str(plain.uuid) not in entry.after["records"]
    assert entry.after["page"] == "first"


def test_a_page_with_neither_notes_nor_enforcement_leaves_no_read_entry(page_as, api_as, world):
    record(world)
    page_as("supervisor").get(reverse("interactions:list"))
    api_as("supervisor").get("/interactions")
    assert reads() == []


def test_the_audit_page_answers_who_saw_a_record(page_as, world):
    shown = arrest(world)
    page_as("district_admin").get(reverse("interactions:list"))
    found = page_as("platform_admin").get("/accounts/audit/", {"object_uuid": str(shown.uuid), "action": "read"})
    [entry] = found.context["page"].items
    assert entry.actor == world.users["district_admin"]
