"""audit_verify walks only what was sealed since the last verified checkpoint; --full walks everything."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from liaison.accounts.audit_chain import audit_seal, audit_verify
from liaison.accounts.tests import test_audit_chain as chain_tests
from liaison.accounts.tests.test_audit_chain import guards_off, raw, write

audit_db, chain = chain_tests.audit_db, chain_tests.chain  # the chain tests' fixtures: committed on PostgreSQL


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def test_the_first_run_walks_the_whole_chain_and_the_next_only_what_is_new(chain):
    assert "5 entries (the whole chain walked)" in _command()
    write("six")
    write("seven")
    assert "7 entries (positions 6 to 7 walked from the last verified checkpoint)" in _command()


def test_an_entry_sealed_after_the_checkpoint_and_edited_is_named(chain):
    _command()
    late = write("late")
    audit_seal()
    with guards_off():
        raw("UPDATE accounts_auditentry SET summary = 'x' WHERE id = %s", [late.pk])
    with pytest.raises(CommandError, match=str(late.uuid)):
        _command()


def test_an_old_entry_edited_behind_the_checkpoint_waits_for_the_full_walk(chain):
    _command()
    with guards_off():
        raw("UPDATE accounts_auditentry SET summary = 'x' WHERE id = %s", [chain[1].pk])
    assert "Audit chain verified" in _command()  # incremental: the older entries are not re-read
    with pytest.raises(CommandError, match=str(chain[1].uuid)):
        _command("--full")


def test_a_rewritten_chain_under_the_checkpoint_fails_the_incremental_walk(chain):
    assert audit_verify(incremental=True).ok
    with guards_off():
        raw("UPDATE accounts_auditseal SET link = %s WHERE position = 5", ["f" * 64])
    result = audit_verify(incremental=True)
    assert not result.ok
    assert "position 5 was removed or entries up to it were rewritten" in result.problem


def test_without_a_passed_verification_the_incremental_walk_is_the_full_one(chain):
    with guards_off():
        raw("UPDATE accounts_auditentry SET summary = 'x' WHERE id = %s", [chain[0].pk])
    result = audit_verify(incremental=True)
    assert (result.ok, result.started_after) == (False, 0)
    assert str(chain[0].uuid) in result.problem
