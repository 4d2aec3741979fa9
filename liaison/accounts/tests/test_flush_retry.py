"""The test suite's flush tries again while a live server's last request still holds an SQLite table."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as FlushCommand
from django.db import OperationalError

from liaison.accounts.management.commands import flush


def _failing(errors: list[Exception], calls: list[int]):
    def handle(self, **options):
        calls.append(1)
        if errors:
            error = errors.pop(0)
            raise CommandError("Database couldn't be flushed.") from error

    return handle


def test_a_locked_table_is_tried_again_until_the_flush_goes_through(monkeypatch):
    calls: list[int] = []
    locked = [OperationalError("database table is locked: directory_partnership")] * 2
    monkeypatch.setattr(FlushCommand, "handle", _failing(list(locked), calls))
    monkeypatch.setattr(flush, "PAUSE_SECONDS", 0)
    monkeypatch.setattr(flush, "as_owner", lambda database: _Nothing())
    monkeypatch.setattr(flush, "_finish", lambda options: None)
    flush.Command().handle(database="default")
    assert len(calls) == 3


@pytest.mark.parametrize(
    "error", [OperationalError("no such table: x"), ValueError("database table is locked")], ids=["other", "not-db"]
)
def test_any_other_failure_is_raised_at_once(monkeypatch, error):
    calls: list[int] = []
    monkeypatch.setattr(FlushCommand, "handle", _failing([error], calls))
    monkeypatch.setattr(flush, "as_owner", lambda database: _Nothing())
    monkeypatch.setattr(flush, "_finish", lambda options: None)
    with pytest.raises(CommandError):
        flush.Command().handle(database="default")
    assert len(calls) == 1


def test_a_table_locked_for_good_is_raised_after_the_last_try(monkeypatch):
    calls: list[int] = []
    locked = [OperationalError("database table is locked: x")] * (flush.TRIES + 1)
    monkeypatch.setattr(FlushCommand, "handle", _failing(locked, calls))
    monkeypatch.setattr(flush, "PAUSE_SECONDS", 0)
    monkeypatch.setattr(flush, "as_owner", lambda database: _Nothing())
    monkeypatch.setattr(flush, "_finish", lambda options: None)
    with pytest.raises(CommandError):
        flush.Command().handle(database="default")
    assert len(calls) == flush.TRIES


class _Nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False
