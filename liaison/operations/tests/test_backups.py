"""Backups: encrypted at rest, consistent while the server writes, and checked when restored."""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import stat
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone

import liaison
from liaison.accounts.db_roles import owner_credentials
from liaison.accounts.models import AuditEntry
from liaison.lib.sealed_files import SealedFileError, key_generate, key_parse, seal, unseal
from liaison.operations.backups import NOT_EMPTY, BackupError, backup_create, backup_restore, backups_prune

KEY = key_parse(key_generate())

# --- the sealed format -----------------------------------------------------------------------


def sealed(payload: bytes) -> bytes:
    out = io.BytesIO()
    seal(key=KEY, header={"n": 1}, payload=io.BytesIO(payload), out=out)
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 10, 3 * 1024 * 1024 + 7])
def test_a_sealed_file_opens_with_its_key_to_the_same_bytes(size):
    payload = os.urandom(size)
    out = io.BytesIO()
    assert unseal(key=KEY, source=io.BytesIO(sealed(payload)), out=out) == {"n": 1}
    assert out.getvalue() == payload


def test_a_sealed_file_does_not_show_its_contents():
    assert b"district roster" not in sealed(b"district roster" * 100)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda data: data[:-20],  # cut short
        lambda data: data[: len(data) // 2] + bytes([data[len(data) // 2] ^ 1]) + data[len(data) // 2 + 1 :],
    ],
    ids=["truncated", "one-bit-changed"],
)
def test_a_cut_or_changed_backup_is_refused(spoil):
    with pytest.raises(SealedFileError):
        unseal(key=KEY, source=io.BytesIO(spoil(sealed(os.urandom(2 * 1024 * 1024)))), out=io.BytesIO())


def test_a_backup_does_not_open_with_another_key():
    with pytest.raises(SealedFileError):
        unseal(key=key_parse(key_generate()), source=io.BytesIO(sealed(b"x")), out=io.BytesIO())


# --- backing up while the server writes, restoring into an empty database ---------------------


@contextmanager
def alias(name: str, **overrides: object) -> Iterator[str]:
    """A second database connection, like the default but with `overrides` (e.g. another NAME)."""
    connections.settings[name] = {**connections.settings["default"], **overrides, "TEST": {}}
    try:
        yield name
    finally:
        connections[name].close()
        del connections[name]
        del connections.settings[name]


class Writer(threading.Thread):
    """Inserts sessions one committed transaction at a time, remembering which committed."""

    def __init__(self, alias_name: str) -> None:
        super().__init__(daemon=True)
        self.alias = alias_name
        self.committed: list[str] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        db = connections[self.alias]
        try:
            while not self.stop.is_set():
                key = uuid.uuid4().hex
                with db.cursor() as cursor:  # autocommit: each insert is its own transaction
                    cursor.execute(
                        "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (%s, %s, %s)",
                        [key, "x", timezone.now()],
                    )
                self.committed.append(key)
        except BaseException as error:
            self.error = error
        finally:
            db.close()


def back_up_while_writing(source: str, directory: Path) -> tuple[Path, set[str]]:
    writer = Writer(source)
    writer.start()
    while len(writer.committed) < 20 and writer.is_alive():
        time.sleep(0.01)
    committed_before = set(writer.committed)
    try:
        path = backup_create(directory=directory, alias=source, key=KEY)
        time.sleep(0.05)
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None, writer.error
    assert len(writer.committed) > len(committed_before), "the writer kept writing during the backup"
    return path, committed_before


def restored_sessions(target: str) -> set[str]:
    with connections[target].cursor() as cursor:
        cursor.execute("SELECT session_key FROM django_session")
        return {key for (key,) in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's online backup API")
def test_sqlite_backup_during_writes_restores_every_row_committed_before_it(tmp_path, django_db_blocker):
    live = tmp_path / "live.sqlite3"
    with django_db_blocker.unblock():
        # A file copy of the (migrated, in-memory) test database stands for the server's database.
        connection.ensure_connection()
        with closing(sqlite3.connect(live)) as copy:
            connection.connection.backup(copy)
    with django_db_blocker.unblock(), alias("source", NAME=live) as source:
        path, before = back_up_while_writing(source, tmp_path / "backups")
        with alias("target", NAME=tmp_path / "restored.sqlite3") as target:
            report = backup_restore(path, alias=target, key=KEY)
            assert before <= restored_sessions(target)
            assert (
                AuditEntry.objects.using(target)
                .get(object_type="operations.restore")
                .summary.startswith(f"Restored backup {path.name}")
            )
    assert report.rows > len(before)


@pytest.fixture
def empty_postgresql_database(django_db_setup, django_db_blocker):
    settings_dict = connections["default"].settings_dict
    name = f"{settings_dict['NAME']}_restore"
    # A restore is the owner's work (docs/operations.md): with CI's two roles the application's role
    # may not create a database, so the owner makes the empty one and restores into it.
    user = (owner_credentials() or settings_dict)["USER"]
    conninfo = f"host={settings_dict['HOST']} port={settings_dict['PORT'] or 5432} user={user}"
    with psycopg.connect(conninfo + f" dbname={settings_dict['NAME']}", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(conninfo + f" dbname={settings_dict['NAME']}", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore")
def test_postgresql_backup_during_writes_restores_every_row_committed_before_it(
    tmp_path, empty_postgresql_database, django_db_blocker
):
    # The source is the test database itself, outside any test transaction: its writes really commit.
    with django_db_blocker.unblock(), alias("source") as source:
        try:
            path, before = back_up_while_writing(source, tmp_path / "backups")
        finally:
            with connections[source].cursor() as cursor:
                cursor.execute("DELETE FROM django_session")
        with alias("target", NAME=empty_postgresql_database, **(owner_credentials() or {})) as target:
            report = backup_restore(path, alias=target, key=KEY)
            assert before <= restored_sessions(target)
            assert AuditEntry.objects.using(target).filter(object_type="operations.restore").count() == 1
    assert report.rows > len(before)


# --- the commands ------------------------------------------------------------------------------


def test_backups_are_readable_by_the_service_user_only(transactional_db, tmp_path, settings):
    settings.BACKUP_KEY = key_generate()
    out = io.StringIO()
    call_command("backup", output_dir=tmp_path / "backups", stdout=out)
    path = Path(out.getvalue().strip())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_backup_without_a_key_is_refused(db, settings):
    settings.BACKUP_KEY = ""
    with pytest.raises(CommandError, match="BACKUP_KEY is not set"):
        call_command("backup")


def test_restore_into_a_database_with_tables_is_refused(db, tmp_path):
    path = tmp_path / "x.liaison-backup"
    path.write_bytes(sealed(b""))
    with pytest.raises(BackupError, match=re.escape(NOT_EMPTY)):
        backup_restore(path, key=KEY)


def test_pruning_keeps_the_newest_backups(tmp_path):
    for day in range(1, 6):
        (tmp_path / f"liaison-2026120{day}T000000000000Z.liaison-backup").write_bytes(b"")
    deleted = backups_prune(directory=tmp_path, keep=2)
    assert [p.name[8:16] for p in deleted] == ["20261201", "20261202", "20261203"]
    assert len(list(tmp_path.iterdir())) == 2


def test_restore_describe_shows_when_and_what_a_backup_holds(transactional_db, tmp_path, settings):
    settings.BACKUP_KEY = key_generate()
    out = io.StringIO()
    call_command("backup", output_dir=tmp_path, stdout=out)
    described = io.StringIO()
    call_command("restore", out.getvalue().strip(), describe=True, stdout=described)
    header = json.loads(described.getvalue())
    assert header["engine"] == connection.vendor
    assert header["liaison_version"] == liaison.__version__
    assert header["row_counts"]["django_migrations"] > 0


def test_restore_with_the_wrong_key_names_the_problem(transactional_db, tmp_path, settings):
    settings.BACKUP_KEY = key_generate()
    out = io.StringIO()
    call_command("backup", output_dir=tmp_path, stdout=out)
    settings.BACKUP_KEY = key_generate()
    with pytest.raises(CommandError, match="wrong key"):
        call_command("restore", out.getvalue().strip(), describe=True)
