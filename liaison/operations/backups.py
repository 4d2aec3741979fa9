"""Backups and restores of the whole database, encrypted at rest.

SQLite is copied through its online backup API (a consistent snapshot while the server writes; a
plain file copy of a WAL database loses what is still in the WAL). PostgreSQL is dumped with
pg_dump inside an exported snapshot, and the row counts are taken in the same snapshot. Every backup
carries its row counts, so a restore can prove it has every row; other checks (the audit chain)
register with `restore_check_register`.
"""

from __future__ import annotations

import datetime
import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

import liaison
from liaison.accounts.audit import audit_entry
from liaison.lib.sealed_files import SealedFileError, key_parse, read_header, seal, unseal

logger = logging.getLogger(__name__)

SUFFIX = ".liaison-backup"
NO_KEY = "BACKUP_KEY is not set: backups are encrypted and need a key kept apart from them (docs/operations.md)."
NOT_EMPTY = "The database to restore into already has tables; restore into an empty database (docs/operations.md)."
WRONG_ENGINE = "This backup is of a {made} database; the database to restore into is {target}."
COUNTS_DIFFER = "Restored rows differ from the backup's counts: {tables}."
IN_TRANSACTION = "A backup cannot be taken inside a database transaction."
PG_TOOL_FAILED = "{tool} failed: {error}"

# Each check gets the restored database's alias and returns a problem or None.
RestoreCheck = Callable[[str], str | None]
_restore_checks: dict[str, RestoreCheck] = {}


def restore_check_register(name: str, check: RestoreCheck) -> None:
    """Run `check(alias)` after every restore (e.g. verify the audit chain); a problem fails the restore."""
    _restore_checks[name] = check


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class RestoreReport:
    path: Path
    created_at: str
    tables: int
    rows: int


def backup_key() -> bytes:
    if not settings.BACKUP_KEY:
        raise BackupError(NO_KEY)
    try:
        return key_parse(settings.BACKUP_KEY)
    except SealedFileError as error:
        raise BackupError(f"BACKUP_KEY: {error}") from None


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


# --- backing up ---------------------------------------------------------------------------------


def backup_create(*, directory: Path | None = None, alias: str = "default", key: bytes | None = None) -> Path:
    """Write an encrypted backup of the database into `directory` (BACKUP_DIR); returns its path."""
    key = key or backup_key()
    directory = _private_dir(Path(directory or settings.BACKUP_DIR))
    connection = connections[alias]
    if connection.in_atomic_block:  # SQLite's backup would wait forever for this transaction to end
        raise BackupError(IN_TRANSACTION)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    target = directory / f"liaison-{stamp}{SUFFIX}"
    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        dump = Path(scratch) / "dump"
        if connection.vendor == "sqlite":
            counts = _sqlite_dump(connection, dump)
        else:
            counts = _postgresql_dump(connection, dump)
        header = {
            "format": 1,
            "engine": connection.vendor,
            "created_at": timezone.now().isoformat(),
            "liaison_version": liaison.__version__,
            "row_counts": counts,
        }
        partial = target.with_suffix(".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out, dump.open("rb") as payload:
            seal(key=key, header=header, payload=payload, out=out)
            out.flush()
            os.fsync(out.fileno())
        partial.rename(target)
    logger.info("Backup written: %s (%d tables, %d rows)", target.name, len(counts), sum(counts.values()))
    return target


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    tables = [
        name
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    ]
    return {table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in sorted(tables)}


def _sqlite_dump(connection: BaseDatabaseWrapper, dump: Path) -> dict[str, int]:
    connection.ensure_connection()
    source = connection.connection
    with closing(sqlite3.connect(dump)) as copy:
        source.backup(copy)  # one step: a consistent snapshot of every committed transaction
        return _sqlite_counts(copy)


def _pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = {**os.environ}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def _run_pg_tool(tool: str, arguments: list[str], settings_dict: dict[str, Any]) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(PG_TOOL_FAILED.format(tool=tool, error="not installed (Debian: postgresql-client)"))
    result = subprocess.run(
        [executable, *arguments], env=_pg_environment(settings_dict), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(PG_TOOL_FAILED.format(tool=tool, error=result.stderr.strip()[-2000:]))


def _pg_counts(cursor: Any) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    tables = [name for (name,) in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _postgresql_dump(connection: BaseDatabaseWrapper, dump: Path) -> dict[str, int]:
    # One exported snapshot for the counts and for pg_dump: the two describe the same moment.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _pg_counts(cursor)
        arguments = ["--format=custom", f"--snapshot={snapshot}", f"--file={dump}", connection.settings_dict["NAME"]]
        _run_pg_tool("pg_dump", arguments, connection.settings_dict)
    return counts


# --- restoring ----------------------------------------------------------------------------------


def backup_describe(path: Path, *, key: bytes | None = None) -> dict[str, Any]:
    """The backup's header (when, which engine, which version, row counts), checking the key."""
    return read_header(key=key or backup_key(), path=path)


def backup_restore(path: Path, *, alias: str = "default", key: bytes | None = None) -> RestoreReport:
    """Restore a backup into an empty database, check every table's row count, and record it."""
    key = key or backup_key()
    connection = connections[alias]
    if connection.introspection.table_names():
        raise BackupError(NOT_EMPTY)
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / "dump"
        with path.open("rb") as source, dump.open("wb") as out:
            header = _unseal(key, source, out)
        if header["engine"] != connection.vendor:
            raise BackupError(WRONG_ENGINE.format(made=header["engine"], target=connection.vendor))
        if connection.vendor == "sqlite":
            _sqlite_load(connection, dump)
        else:
            _postgresql_load(connection, dump)
    expected: dict[str, int] = header["row_counts"]
    found = _restored_counts(connection)
    _check(expected, found, alias)
    report = RestoreReport(
        path=path, created_at=header["created_at"], tables=len(expected), rows=sum(expected.values())
    )
    _record(report, alias)
    return report


def _unseal(key: bytes, source: IO[bytes], out: IO[bytes]) -> dict[str, Any]:
    try:
        return unseal(key=key, source=source, out=out)
    except SealedFileError as error:
        raise BackupError(str(error)) from None


def _sqlite_load(connection: BaseDatabaseWrapper, dump: Path) -> None:
    connection.ensure_connection()
    with closing(sqlite3.connect(dump)) as copy:
        copy.backup(connection.connection)


def _postgresql_load(connection: BaseDatabaseWrapper, dump: Path) -> None:
    name = connection.settings_dict["NAME"]
    connection.close()  # pg_restore needs no competing session holding locks
    arguments = ["--exit-on-error", "--single-transaction", "--no-owner", f"--dbname={name}", str(dump)]
    _run_pg_tool("pg_restore", arguments, connection.settings_dict)


def _restored_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return _sqlite_counts(connection.connection)
    with connection.cursor() as cursor:
        return _pg_counts(cursor)


def _check(expected: dict[str, int], found: dict[str, int], alias: str) -> None:
    differences = [
        f"{table} {expected.get(table, 0)} → {found.get(table, 0)}"
        for table in sorted(set(expected) | set(found))
        if expected.get(table) != found.get(table)
    ]
    if differences:
        raise BackupError(COUNTS_DIFFER.format(tables=", ".join(differences)))
    for name, check in _restore_checks.items():
        problem = check(alias)
        if problem:
            raise BackupError(f"{name}: {problem}")


def _record(report: RestoreReport, alias: str) -> None:
    # The restored database records its own restore, in its audit log.
    with transaction.atomic(using=alias):
        audit_entry(
            actor=None,
            action="import",
            object_type="operations.restore",
            summary=(
                f"Restored backup {report.path.name} made {report.created_at}: "
                f"{report.tables} tables, {report.rows} rows, every count checked"
            )[:300],
        ).save(using=alias)


def backups_prune(*, directory: Path | None = None, keep: int | None = None) -> list[Path]:
    """Delete all but the newest `keep` backups (BACKUP_KEEP); returns what was deleted."""
    directory = Path(directory or settings.BACKUP_DIR)
    keep = settings.BACKUP_KEEP if keep is None else keep
    backups = sorted(directory.glob(f"liaison-*{SUFFIX}"))
    doomed = backups[:-keep] if keep else []
    for path in doomed:
        path.unlink()
    return doomed


def backup_scheduled() -> str:
    path = backup_create()
    pruned = backups_prune()
    return f"{path.name} written, {len(pruned)} old backup(s) deleted"


def backups_newest(directory: Path | None = None) -> datetime.datetime | None:
    directory = Path(directory or settings.BACKUP_DIR)
    newest = max(directory.glob(f"liaison-*{SUFFIX}"), default=None, key=lambda p: p.stat().st_mtime)
    return None if newest is None else datetime.datetime.fromtimestamp(newest.stat().st_mtime, tz=datetime.UTC)
