"""Crafted uploads are refused within bounds: long lines, wide headers and zip bombs, each with an
error naming the file, and never more memory than the legitimate million-row import uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from liaison.directory import oneroster
from liaison.directory.tests.test_oneroster_sets import millbrook_set
from liaison.interactions.imports import interaction_import_run
from liaison.lib import bounded_input
from liaison.lib.bounded_input import (
    LINE_TOO_LONG,
    MAX_COLUMNS,
    MAX_LINE_CHARS,
    MAX_ZIP_ENTRIES,
    TOO_MANY_COLUMNS,
)

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT_MB = 350  # what the legitimate million-row import needs (README, "Size and speed")
HEADER = "badge_number,school_nces_id,kind,occurred_at\n"


def _contacts_errors(path: Path, world) -> list[dict]:
    outcome = interaction_import_run(path=path, agency=world.agency, actor=None, source_name="contacts.csv")
    assert not outcome.succeeded
    return outcome.errors


def test_a_contacts_line_longer_than_the_limit_is_refused_naming_file_and_line(tmp_path, world):
    path = tmp_path / "contacts.csv"
    path.write_text(HEADER + "101," + "x" * (MAX_LINE_CHARS + 10) + ",positive,2025-10-01 09:00\n")
    errors = _contacts_errors(path, world)
    assert {
        "line": 2,
        "column": "",
        "reason": LINE_TOO_LONG.format(line=2, file="contacts.csv", limit=MAX_LINE_CHARS),
    } in errors


def test_a_contacts_header_with_too_many_columns_is_refused(tmp_path, world):
    path = tmp_path / "contacts.csv"
    path.write_text("," * 10_000 + "\n")
    errors = _contacts_errors(path, world)
    assert errors[0]["reason"] == TOO_MANY_COLUMNS.format(line=1, file="contacts.csv", limit=MAX_COLUMNS)


def _roster_errors(path: Path) -> set[tuple]:
    errors = oneroster.ErrorLog()
    oneroster.read_roster(path, errors=errors)
    return {(e["file"], e["line"], e["reason"]) for e in errors.as_list()}


def test_a_roster_line_longer_than_the_limit_is_refused_naming_the_file(tmp_path):
    roster = millbrook_set()
    roster.extra["users.csv"] = roster.texts()["users.csv"] + "a" * (MAX_LINE_CHARS + 1) + "\n"
    folder = roster.write(tmp_path / "roster")
    lines = roster.texts()["users.csv"].count("\n")
    reason = LINE_TOO_LONG.format(line=lines, file="users.csv", limit=MAX_LINE_CHARS)
    assert ("users.csv", lines, reason) in _roster_errors(folder)


def test_a_zip_with_too_many_entries_is_refused_naming_it(tmp_path):
    path = tmp_path / "roster.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(MAX_ZIP_ENTRIES + 1):
            archive.writestr(f"f{n}.txt", "")
    message = bounded_input.ZIP_TOO_MANY_ENTRIES.format(
        file="roster.zip", count=MAX_ZIP_ENTRIES + 1, limit=MAX_ZIP_ENTRIES
    )
    assert ("roster.zip", None, message) in _roster_errors(path)


def test_a_zip_larger_than_the_limit_unpacked_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(bounded_input, "MAX_ZIP_UNPACKED_BYTES", 1000)
    path = millbrook_set().zip(tmp_path / "roster.zip")
    reasons = {reason for _, _, reason in _roster_errors(path)}
    assert any(reason.startswith("roster.zip unpacks to") for reason in reasons)


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path):
    path = tmp_path / "roster.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.csv", "," * 20_000_000)
    reasons = {reason for _, _, reason in _roster_errors(path)}
    assert any("users.csv in roster.zip is packed" in reason for reason in reasons)


# --- memory: the worker's own peak, in a subprocess -------------------------------------------------

_MEASURE = """
import json, sys
from pathlib import Path
import django
django.setup()
kind, path = sys.argv[1], Path(sys.argv[2])
if kind == "roster":
    from liaison.directory import oneroster
    errors = oneroster.ErrorLog()
    oneroster.read_roster(path, errors=errors)
    found = [e["reason"] for e in errors.as_list()]
else:
    from liaison.interactions.imports import interaction_import_run
    found = [e["reason"] for e in interaction_import_run(path=path, agency=None, actor=None).errors]
# VmHWM, not getrusage's ru_maxrss: Linux keeps ru_maxrss across exec, so it would report the size of
# the test process this one was started from; VmHWM belongs to this program's own memory.
hwm_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"peak_mb": hwm_kb / 1024, "errors": found[:3]}))
"""


def _peak(kind: str, path: Path) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "liaison.settings_test"}
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, kind, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _commas(path: Path, megabytes: int, *, prefix: str = "") -> None:
    with open(path, "w") as out:
        out.write(prefix)
        for _ in range(megabytes):
            out.write("," * 1024**2)
        out.write("\n")


@pytest.mark.parametrize("packed", [False, True], ids=["folder", "zip"])
def test_a_users_csv_of_one_line_of_commas_stays_within_the_memory_of_a_real_import(tmp_path, packed):
    roster = millbrook_set()
    folder = roster.write(tmp_path / "roster")
    _commas(folder / "users.csv", 60)  # as a csv.reader row: 60 million strings, over 500 MB
    path = folder
    if packed:
        path = tmp_path / "roster.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for child in folder.iterdir():
                archive.write(child, child.name)
    measured = _peak("roster", path)
    assert measured["errors"], "the crafted roster was not refused"
    assert measured["peak_mb"] < MEMORY_LIMIT_MB


def test_a_contacts_header_of_millions_of_columns_stays_within_the_memory_of_a_real_import(tmp_path):
    path = tmp_path / "contacts.csv"
    _commas(path, 20)  # 20 million columns
    measured = _peak("contacts", path)
    assert measured["errors"] == [LINE_TOO_LONG.format(line=1, file="contacts.csv", limit=MAX_LINE_CHARS)]
    assert measured["peak_mb"] < MEMORY_LIMIT_MB
