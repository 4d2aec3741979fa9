"""The audit log's hash chain: each kind of tampering is refused by the database or named by audit_verify."""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import socket
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from liaison.accounts.audit import audit_record
from liaison.accounts.audit_chain import (
    REDACTION_NEEDS_SEAL,
    anchors_read,
    audit_anchor,
    audit_redact,
    audit_restore_record,
    audit_seal,
    audit_verify,
)
from liaison.accounts.db_roles import owner_credentials
from liaison.accounts.models import AuditEntry, AuditSeal, AuditVerification
from liaison.operations.scheduler import registered_jobs

SQLITE_GUARDS = (
    "accounts_auditentry_no_update",
    "accounts_auditentry_no_delete",
    "accounts_auditseal_no_update",
    "accounts_auditseal_no_delete",
)


def write(summary: str, **fields) -> AuditEntry:
    return audit_record(actor=None, action="create", object_type="test.thing", summary=summary, **fields)


@pytest.fixture
def audit_db(request, django_db_blocker) -> Iterator[None]:
    """On PostgreSQL the tampering is done by the owner on its own connection (the tests' role may not),
    which sees only committed rows: these tests commit, and the owner empties the audit tables after
    (cheaper than a transactional test's flush of every table). Tests that build the world roll back."""
    if connection.vendor != "postgresql" or "db" in request.fixturenames:
        request.getfixturevalue("db")
        yield
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        try:
            yield
        finally:
            connection.close()
            with owner_connection() as owner:
                owner.execute("TRUNCATE accounts_auditseal, accounts_auditentry, accounts_auditverification")


@pytest.fixture
def chain(audit_db) -> list[AuditEntry]:
    entries = [write(f"entry {n}") for n in range(5)]
    audit_seal()
    return entries


@contextlib.contextmanager
def guards_off() -> Iterator[None]:
    """What an operator with the owner's (or a superuser's) powers can do: switch the triggers off.

    Inside, `raw` runs as that operator.
    """
    global _tamper
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            for name in SQLITE_GUARDS:
                cursor.execute(f"DROP TRIGGER {name}")  # DDL is transactional: the test's rollback restores them
        yield
        return
    credentials = owner_credentials() or {
        key: connection.settings_dict[key] for key in ("USER", "PASSWORD", "HOST", "PORT")
    }
    with psycopg.connect(
        dbname=connection.settings_dict["NAME"],
        user=credentials["USER"],
        password=credentials["PASSWORD"] or None,
        host=credentials["HOST"],
        port=credentials["PORT"] or 5432,
        autocommit=True,
    ) as owner:
        superuser = owner.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]
        switch = (
            ["SET session_replication_role = replica"]
            if superuser
            else [
                f"ALTER TABLE {table} DISABLE TRIGGER USER" for table in ("accounts_auditentry", "accounts_auditseal")
            ]
        )
        for statement in switch:
            owner.execute(statement)
        _tamper = owner
        try:
            yield
        finally:
            _tamper = None
            if not superuser:
                for table in ("accounts_auditentry", "accounts_auditseal"):
                    owner.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


_tamper = None


def owner_connection() -> psycopg.Connection:
    credentials = owner_credentials() or {
        key: connection.settings_dict[key] for key in ("USER", "PASSWORD", "HOST", "PORT")
    }
    return psycopg.connect(
        dbname=connection.settings_dict["NAME"],
        user=credentials["USER"],
        password=credentials["PASSWORD"] or None,
        host=credentials["HOST"],
        port=credentials["PORT"] or 5432,
        autocommit=True,
    )


def raw(sql: str, params: list | None = None) -> None:
    if _tamper is not None:
        _tamper.execute(sql, params or [])
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def verify(tmp_path=None, **kwargs):
    anchors = anchors_read(tmp_path / "anchor.jsonl") if tmp_path else []
    return audit_verify(anchors=anchors, **kwargs)


@pytest.fixture
def anchor_file(settings, tmp_path):
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchor.jsonl")
    return tmp_path


# --- sealing and verifying an untouched log -----------------------------------------------------


def test_the_sealer_chains_every_entry_in_order_and_the_chain_verifies(chain):
    seals = list(AuditSeal.objects.order_by("position"))
    assert [seal.entry_id for seal in seals] == [entry.pk for entry in chain]
    assert [seal.position for seal in seals] == [1, 2, 3, 4, 5]
    result = verify()
    assert (result.ok, result.entries, result.head) == (True, 5, seals[-1].link)
    assert AuditVerification.objects.get().ok


def test_sealing_again_seals_only_what_is_new(chain):
    assert audit_seal() == 0
    write("later")
    assert audit_seal() == 1
    assert verify().entries == 6


def test_an_entry_committed_late_by_a_long_transaction_is_still_sealed(chain):
    late = write("written five minutes ago, committed after the sealer ran")
    five_minutes_ago = timezone.now() - datetime.timedelta(minutes=5)
    with guards_off():
        raw("UPDATE accounts_auditentry SET at = %s WHERE id = %s", [five_minutes_ago, late.pk])
    assert audit_seal() == 1
    assert verify().ok


def test_audit_verify_command_reports_the_count_and_head(chain):
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "Audit chain verified: 5 entries" in out.getvalue()


# --- refused by the database -------------------------------------------------------------------


def test_an_insert_reusing_an_entrys_id_is_refused(chain):
    victim = chain[2]
    statement = (
        "INSERT OR REPLACE INTO accounts_auditentry (id, uuid, at, actor_username, action, object_type, summary) "
        "VALUES (%s, %s, %s, 'mallory', 'create', 'test.thing', 'rewritten')"
        if connection.vendor == "sqlite"
        else "INSERT INTO accounts_auditentry (id, uuid, at, actor_username, action, object_type, summary) "
        "VALUES (%s, %s, %s, 'mallory', 'create', 'test.thing', 'rewritten') "
        "ON CONFLICT (id) DO UPDATE SET summary = EXCLUDED.summary, actor_username = EXCLUDED.actor_username"
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(statement, [victim.pk, uuid.uuid4().hex if connection.vendor == "sqlite" else uuid.uuid4(), victim.at])
    victim.refresh_from_db()
    assert (victim.summary, victim.actor_username) == ("entry 2", "")


def test_an_insert_reusing_an_entrys_uuid_is_refused(chain):
    victim = chain[1]
    verb = "INSERT OR REPLACE" if connection.vendor == "sqlite" else "INSERT"
    uuid_value = victim.uuid.hex if connection.vendor == "sqlite" else victim.uuid
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(
            f"{verb} INTO accounts_auditentry (uuid, at, actor_username, action, object_type, summary) "
            "VALUES (%s, %s, 'mallory', 'create', 'test.thing', 'rewritten')",
            [uuid_value, victim.at],
        )
    assert AuditEntry.objects.get(uuid=victim.uuid).summary == "entry 1"


def test_seals_cannot_be_changed_or_deleted(chain):
    for statement in ("UPDATE accounts_auditseal SET link = 'x'", "DELETE FROM accounts_auditseal"):
        with pytest.raises(DatabaseError), transaction.atomic():
            raw(statement)
    assert AuditSeal.objects.count() == 5


def test_an_edit_dressed_as_a_redaction_is_refused(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(
            "UPDATE accounts_auditentry SET redacted_at = %s, summary = '', before = NULL, after = NULL, "
            "actor_username = 'mallory' WHERE id = %s",
            [timezone.now(), chain[0].pk],
        )


def test_an_unsealed_entry_cannot_be_redacted(chain):
    fresh = write("not sealed yet")
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(
            "UPDATE accounts_auditentry SET redacted_at = %s, summary = '', before = NULL, after = NULL WHERE id = %s",
            [timezone.now(), fresh.pk],
        )


# --- detected by audit_verify ------------------------------------------------------------------


def test_an_edited_entry_is_named(chain):
    with guards_off():
        raw("UPDATE accounts_auditentry SET actor_username = 'mallory' WHERE id = %s", [chain[3].pk])
    result = verify()
    assert not result.ok
    assert f"entry {chain[3].uuid} (position 4" in result.problem
    assert "was edited" in result.problem
    assert not AuditVerification.objects.get().ok


def test_a_removed_entry_is_named(chain):
    with guards_off():
        raw("DELETE FROM accounts_auditseal WHERE entry_id = %s", [chain[1].pk])
        raw("DELETE FROM accounts_auditentry WHERE id = %s", [chain[1].pk])
    result = verify()
    assert "position 2 is missing" in result.problem


def needs_a_superuser_to_break_foreign_keys() -> None:
    if connection.vendor == "postgresql" and owner_credentials() is not None:
        pytest.skip("the owner role cannot switch off the seal's foreign key (a superuser can)")


def test_a_removed_entry_whose_seal_is_kept_is_named(chain):
    needs_a_superuser_to_break_foreign_keys()
    with guards_off():
        raw("DELETE FROM accounts_auditentry WHERE id = %s", [chain[1].pk])
        assert f"position 2 (id {chain[1].pk}) was removed" in verify().problem
        raw("DELETE FROM accounts_auditseal WHERE entry_id = %s", [chain[1].pk])  # (the test database checks keys)


def test_a_rewritten_seal_breaks_the_chain_there(chain):
    with guards_off():
        raw("UPDATE accounts_auditseal SET payload_hash = %s WHERE position = 3", ["f" * 64])
    result = verify()
    assert f"entry {chain[2].uuid} (position 3" in result.problem
    assert "the chain breaks here" in result.problem


def test_a_back_dated_insert_is_named_even_though_it_is_never_sealed(chain):
    forged = write("forged")
    with guards_off():
        raw(
            "UPDATE accounts_auditentry SET at = %s WHERE id = %s",
            [timezone.now() - datetime.timedelta(days=30), forged.pk],
        )
    assert audit_seal() == 0
    result = verify()
    assert f"entry {forged.uuid}" in result.problem
    assert "inserted out of order" in result.problem


def test_a_back_dated_entry_slipped_into_the_chain_is_named(chain, settings):
    forged = write("forged")
    with guards_off():
        raw(
            "UPDATE accounts_auditentry SET at = %s WHERE id = %s",
            [timezone.now() - datetime.timedelta(days=30), forged.pk],
        )
    settings.AUDIT_SEAL_GRACE_SECONDS = 60 * 86400  # a sealer configured too leniently seals it ...
    audit_seal()
    settings.AUDIT_SEAL_GRACE_SECONDS = 900  # ... and verification with the real setting names it
    result = verify()
    assert f"entry {forged.uuid} (position 6" in result.problem
    assert "back-dated" in result.problem


def test_removing_the_newest_entries_and_their_seals_shows_against_the_anchor(chain, anchor_file):
    audit_anchor()
    with guards_off():
        raw("DELETE FROM accounts_auditseal WHERE position >= 4")
        raw("DELETE FROM accounts_auditentry WHERE id >= %s", [chain[3].pk])
    assert verify().ok, "without the anchor, a shorter chain looks whole"
    result = verify(anchor_file)
    assert "the newest entries were removed" in result.problem
    assert "counted 5 sealed entries, the database holds 3" in result.problem


def test_a_rewritten_and_resealed_log_shows_against_the_anchor(chain, anchor_file):
    audit_anchor()
    with guards_off():
        raw("DELETE FROM accounts_auditseal")
        raw("UPDATE accounts_auditentry SET summary = 'nothing to see' WHERE id = %s", [chain[0].pk])
    audit_seal()
    assert verify().ok
    assert "entries up to position 5 were rewritten" in verify(anchor_file).problem


def test_the_verify_command_fails_naming_the_entry(chain):
    with guards_off():
        raw("UPDATE accounts_auditentry SET summary = 'x' WHERE id = %s", [chain[0].pk])
    with pytest.raises(CommandError, match=str(chain[0].uuid)):
        call_command("audit_verify", stdout=io.StringIO())


# --- expungement and restores ------------------------------------------------------------------


def test_a_redacted_entry_keeps_its_stub_and_the_chain_still_verifies(chain, world):
    victim = write("note said something to expunge", before={"note": "x"}, after={"note": "y"})
    redaction = audit_redact(actor=world.users["platform_admin"], entry=victim, reason="Court order 2026-17")
    victim.refresh_from_db()
    assert (victim.summary, victim.before, victim.after) == ("", None, None)
    assert victim.redacted_at is not None
    assert (victim.action, victim.object_type) == ("create", "test.thing")
    assert redaction.action == "redact" and redaction.object_uuid == victim.uuid
    assert verify().ok


def test_the_redact_command_needs_a_sealed_entry_and_a_reason(chain):
    with pytest.raises(ValidationError):
        audit_redact(actor=None, entry=chain[0], reason=" ")
    call_command("audit_redact", str(chain[0].uuid), reason="Expungement order", stdout=io.StringIO())
    assert AuditEntry.objects.get(pk=chain[0].pk).redacted_at is not None
    assert REDACTION_NEEDS_SEAL  # (audit_redact seals first, so a fresh entry is sealed, then redacted)


def test_a_redaction_without_its_record_is_named(chain):
    raw(
        "UPDATE accounts_auditentry SET redacted_at = %s, summary = '', before = NULL, after = NULL WHERE id = %s",
        [timezone.now(), chain[2].pk],
    )
    assert "emptied without a recorded redaction" in verify().problem


def test_a_recorded_restore_explains_the_entries_it_lost(chain, anchor_file):
    audit_anchor()  # the backup is taken here, at 5 entries ...
    write("after the backup")
    write("after the backup too")
    audit_anchor()  # ... and the log grows to 7 before the disk fails
    with guards_off():  # the restore: the database as the backup had it
        raw("DELETE FROM accounts_auditseal WHERE position > 5")
        raw("DELETE FROM accounts_auditentry WHERE id > %s", [chain[-1].pk])
    assert "the newest entries were removed" in verify(anchor_file).problem
    call_command("audit_restore_record", note="nightly backup of 5 Dec", stdout=io.StringIO())
    result = verify(anchor_file)
    assert result.ok, result.problem
    assert any("went back to 5" in note and "nightly backup" in note for note in result.notes)
    assert AuditEntry.objects.filter(action="restore").count() == 1
    kinds = [record["kind"] for record in anchors_read(anchor_file / "anchor.jsonl")]
    assert kinds == ["anchor", "anchor", "restore", "anchor"]


def test_a_restore_recorded_without_losing_anything_passes(chain, anchor_file):
    audit_anchor()
    audit_restore_record(note="restored onto new hardware")
    assert verify(anchor_file).ok


# --- sinks -------------------------------------------------------------------------------------


def test_the_anchor_goes_to_syslog(chain, settings):
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(5)
    settings.AUDIT_ANCHOR_SYSLOG = f"127.0.0.1:{receiver.getsockname()[1]}"
    try:
        audit_anchor()
        message = receiver.recv(4096).decode()
    finally:
        receiver.close()
    record = json.loads(message[message.index("{") :].rstrip("\x00"))
    assert (record["kind"], record["count"], record["head"]) == ("anchor", 5, AuditSeal.objects.last().link)


def test_the_anchor_command_writes_the_file_and_mails_the_platform_admins(chain, anchor_file, world, mailoutbox):
    root = world.users["platform_admin"]
    root.email = "root@example.org"
    root.save()
    call_command("audit_anchor", email=True, stdout=io.StringIO())
    [record] = anchors_read(anchor_file / "anchor.jsonl")
    assert record["count"] == AuditSeal.objects.count()
    assert record["last_uuid"] == str(AuditSeal.objects.last().entry.uuid)
    assert [message.to for message in mailoutbox] == [["root@example.org"]]
    assert record["head"] in mailoutbox[0].body


# --- the worker's schedule ---------------------------------------------------------------------


def test_the_worker_seals_anchors_and_verifies_on_its_schedule(chain, anchor_file):
    jobs = {job.name: job for job in registered_jobs()}
    assert {"audit_seal", "audit_anchor", "audit_verify", "audit_anchor_email"} <= set(jobs)
    assert jobs["audit_seal"].every == datetime.timedelta(minutes=1)
    write("new")
    assert jobs["audit_seal"].func() == "1 audit entries sealed"
    assert jobs["audit_anchor"].func().startswith("anchored 6 entries")
    assert jobs["audit_verify"].func() == "verified 6 entries"
