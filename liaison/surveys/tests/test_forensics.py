"""Forensics: after a wave closes, nothing left in the database, its files or its log pairs a
one-time code with a response more often than chance.

The scenario (forensics.py, fixed seed) has 30 staff at one school use 30 codes, each response
carrying a unique marker, then closes the wave. Every linker below is given the most an attacker
could know — the exact order the codes were used — and pairs codes with responses from what it
finds. By chance a pairing is right once in 30 tries on average; each linker must stay within chance
plus forensics.TOLERANCE (5).

- PostgreSQL: the transaction id (xmin) of code rows and response rows, equal or in order, and the
  physical order of the response rows (ctid).
- SQLite: the response table has no rowid; its physical order; and, against a real database file,
  the write-ahead log frame by frame before and after close, and the free pages.
- The access log: tests/test_access_log.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from liaison.conftest import World
from liaison.surveys import sealing
from liaison.surveys.models import Response

from . import forensics
from .forensics import TOLERANCE, Truth

CHANCE = 1


def _markers(rows) -> list[str]:
    return [answers["open_problem"] for answers in rows]


def _played(world: World) -> Truth:
    today = timezone.localdate()
    actor = world.users["district_admin"]
    truth = forensics.scenario(actor=actor, school=world.high, today=today)
    forensics.close(actor=actor, truth=truth, today=today)
    return truth


def _assert_chance(truth: Truth, pairs, linker: str) -> None:
    right = forensics.correct_pairs(truth, pairs)
    assert right <= CHANCE + TOLERANCE, f"{linker} pairs {right} of {len(truth.used_in_order)} codes with their answers"


def test_no_database_linker_pairs_codes_with_responses(transactional_db, world: World) -> None:
    """Committed for real (each transaction its own), as on a server."""
    truth = _played(world)
    assert Response.objects.count() == forensics.RESPONDENTS
    assert not sealing.wave_key_exists(truth.wave_uuid), "the key of the held responses is gone"
    table = Response._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT answers FROM "{table}"')  # no ORDER BY: physical order
        physical = _markers(json.loads(row[0]) if isinstance(row[0], str) else row[0] for row in cursor.fetchall())
    _assert_chance(truth, forensics.by_rank(truth.used_in_order, physical), "physical order")
    if connection.vendor == "postgresql":
        _postgres_linkers(truth, table)
    else:
        _sqlite_linkers(table)


def _postgres_linkers(truth: Truth, table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.code, r.answers ->> 'open_problem' FROM surveys_slipcode c JOIN \"{table}\" r "
            "ON r.xmin = c.xmin WHERE c.used"
        )
        same_transaction = cursor.fetchall()
        cursor.execute("SELECT code FROM surveys_slipcode WHERE used ORDER BY xmin::text::bigint, ctid")
        codes_by_xmin = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT answers ->> 'open_problem' FROM \"{table}\" ORDER BY xmin::text::bigint, ctid")
        responses_by_xmin = [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT count(DISTINCT xmin::text) FROM "{table}"')
        (transactions,) = cursor.fetchone()
    assert same_transaction == [], "no response shares a transaction with a code"
    assert transactions == 1, "the school's responses were written in one batch"
    assert codes_by_xmin == truth.used_in_order, "the attacker does learn the order codes were used"
    _assert_chance(truth, forensics.by_rank(codes_by_xmin, responses_by_xmin), "xmin order")


def _sqlite_linkers(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [table])
        assert "WITHOUT ROWID" in cursor.fetchone()[0].upper()
        with pytest.raises(Exception, match="rowid"):
            cursor.execute(f'SELECT rowid FROM "{table}"')


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="reads SQLite's own files")
def test_the_sqlite_files_and_write_ahead_log_pair_nothing(tmp_path: Path) -> None:
    """A copy of the database file and its log, taken just before and just after the close."""
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "liaison.settings_test"}
    subprocess.run(
        [sys.executable, "-m", "liaison.surveys.tests.forensics", str(tmp_path)],
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parents[3],
        timeout=300,
    )
    truth = Truth(**json.loads((tmp_path / "truth.json").read_text()))
    before = {name: (tmp_path / "before" / name).read_bytes() for name in ("db", "db-wal")}
    after = {name: (tmp_path / "after" / name).read_bytes() for name in ("db", "db-wal")}
    assert before["db-wal"], "the log held the open wave's writes"
    for name, blob in before.items():
        assert forensics.markers_in_order_of_bytes(blob, truth) == [], f"an answer is readable in {name} before close"
    commits = forensics.wal_commits(before["db-wal"])
    assert len(commits) >= 2 * forensics.RESPONDENTS, "each code and each held response: a commit of its own"
    assert not any(forensics.markers_in_order_of_bytes(b"".join(pages), truth) for pages in commits)
    assert after["db-wal"] == b"", "the log was checkpointed and emptied at close"
    order = forensics.markers_in_order_of_bytes(after["db"], truth)
    assert sorted(order) == sorted(truth.marker_of.values())
    _assert_chance(truth, forensics.by_rank(truth.used_in_order, order), "page order in the database file")
    sealed = _sealed_rows(tmp_path / "before" / "db", tmp_path / "before" / "db-wal")
    assert len(sealed) == forensics.RESPONDENTS
    assert not any(blob[:64] in after["db"] for blob in sealed), "held rows are erased, not left in free pages"
    assert not list((tmp_path / "data" / "survey-keys").glob("*.key")), "no key remains"


def _sealed_rows(database: Path, wal: Path) -> list[bytes]:
    """The held rows as a backup taken before close holds them (sealed; the key is not in it)."""
    import shutil
    import sqlite3
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "copy.sqlite3"
        shutil.copyfile(database, copy)
        shutil.copyfile(wal, Path(f"{copy}-wal"))
        with sqlite3.connect(copy) as reader:
            return [bytes(row[0]) for row in reader.execute("SELECT sealed FROM surveys_heldresponse")]


def test_the_linkers_would_see_a_write_path_that_kept_the_order() -> None:
    """The measure is not blind: rows in the order the codes were used are paired every time."""
    truth = Truth("x", ["A", "B", "C"], {"A": "m0", "B": "m1", "C": "m2"})
    kept = [truth.marker_of[code] for code in truth.used_in_order]
    assert forensics.correct_pairs(truth, forensics.by_rank(truth.used_in_order, kept)) == 3
    assert forensics.markers_in_order_of_bytes(b"..m1....m0..m2", truth) == ["m1", "m0", "m2"]
