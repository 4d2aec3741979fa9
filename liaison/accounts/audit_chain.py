"""The audit log's hash chain: sealing, anchoring outside the database, verifying, redacting.

Writers insert entries as they always did; nothing they do waits for the chain. The sealer
(`audit_seal`, run every minute or so by the worker) gives each entry that has become visible a
position in the order it found them, with link = sha256(payload hash + previous link). The chain
covers the payload's hash, not the payload, so a lawful expungement can empty an entry's content
(`audit_redact`) and the chain still verifies. `audit_anchor` copies the head, count and last id to
sinks outside the database, so that removing the newest entries (and their seals) shows too.
`audit_verify` walks the chain and names the first entry that does not fit.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import logging.handlers
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from .audit import audit_record
from .models import AuditEntry, AuditSeal, AuditVerification, User

GENESIS = "0" * 64
REDACTION_NEEDS_SEAL = "Only a sealed entry can be redacted: run audit_seal first."
ALREADY_REDACTED = "This entry is already redacted."
REDACTION_NEEDS_REASON = "Give the reason (the order or rule that requires the expungement)."
_SEALER_LOCK = 815_015  # pg_advisory_xact_lock key: one sealer at a time; writers never take it
_CHUNK = 900  # ids per IN (…): under SQLite's oldest limit on bound parameters

log = logging.getLogger(__name__)


# --- hashing -----------------------------------------------------------------------------------


def payload_hash(entry: AuditEntry) -> str:
    """sha256 of the entry's content in a canonical JSON form (sorted keys, UTC time)."""
    payload = {
        "uuid": str(entry.uuid),
        "at": entry.at.astimezone(datetime.UTC).isoformat(),
        "actor_id": entry.actor_id,
        "actor_username": entry.actor_username,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_uuid": str(entry.object_uuid) if entry.object_uuid else None,
        "summary": entry.summary,
        "before": entry.before,
        "after": entry.after,
        "agency_id": entry.agency_id,
        "district_id": entry.district_id,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def chain_link(payload: str, previous: str) -> str:
    return hashlib.sha256(f"{payload}{previous}".encode()).hexdigest()


def _grace() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.AUDIT_SEAL_GRACE_SECONDS)


# --- sealing -----------------------------------------------------------------------------------


def audit_seal(*, batch: int = 5000) -> int:
    """Chain every visible entry not yet sealed; returns how many were sealed."""
    sealed = 0
    while True:
        count = _seal_batch(batch)
        sealed += count
        if count < batch:
            return sealed


def _seal_batch(batch: int) -> int:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEALER_LOCK])
        last = AuditSeal.objects.order_by("-position").first()
        pending = AuditEntry.objects.filter(seal__isnull=True)
        if last is not None:
            # An entry older than this was visible to an earlier run or was back-dated: never sealed,
            # so audit_verify names it.
            pending = pending.filter(at__gte=last.sealed_at - _grace())
        entries = list(pending.order_by("id")[:batch])
        position, link = (last.position, last.link) if last else (0, GENESIS)
        now = timezone.now()
        seals = []
        for entry in entries:
            digest = payload_hash(entry)
            position, link = position + 1, chain_link(digest, link)
            seals.append(AuditSeal(position=position, entry=entry, payload_hash=digest, link=link, sealed_at=now))
        AuditSeal.objects.bulk_create(seals)
    return len(seals)


# --- anchoring ---------------------------------------------------------------------------------


def audit_head() -> dict[str, Any]:
    """The chain's count, head link and last sealed entry."""
    last = AuditSeal.objects.select_related("entry").order_by("-position").first()
    if last is None:
        return {"count": 0, "head": GENESIS, "last_id": None, "last_uuid": None}
    return {"count": last.position, "head": last.link, "last_id": last.entry_id, "last_uuid": str(last.entry.uuid)}


def audit_anchor(*, kind: str = "anchor", note: str = "") -> dict[str, Any]:
    """Seal, then write the chain's head, count and last id to the configured sinks; returns the record."""
    if kind == "anchor":
        audit_seal()
    record = {"kind": kind, "at": timezone.now().isoformat(), **audit_head()}
    if note:
        record["note"] = note
    line = json.dumps(record, sort_keys=True)
    if settings.AUDIT_ANCHOR_FILE:
        _append_line(Path(settings.AUDIT_ANCHOR_FILE), line)
    if settings.AUDIT_ANCHOR_SYSLOG:
        _to_syslog(settings.AUDIT_ANCHOR_SYSLOG, line)
    if not (settings.AUDIT_ANCHOR_FILE or settings.AUDIT_ANCHOR_SYSLOG):
        log.warning("audit anchor has no sink (set AUDIT_ANCHOR_FILE or AUDIT_ANCHOR_SYSLOG): %s", line)
    return record


def audit_anchor_mail(record: dict[str, Any]) -> int:
    """E-mail an anchor record to every active platform admin (superuser) with an address."""
    recipients = list(
        User.objects.filter(is_superuser=True, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    if not recipients:
        return 0
    body = (
        "The audit log's chain, for your records (keep this message: it lets anyone check later that\n"
        "no entry up to here was removed or rewritten; see docs/audit.md).\n\n"
        + json.dumps(record, indent=2, sort_keys=True)
    )
    send_mail(f"Liaison audit anchor: {record['count']} entries", body, None, recipients)
    return len(recipients)


def _append_line(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as sink:
        sink.write(line + "\n")
        sink.flush()
        os.fsync(sink.fileno())


def _to_syslog(address: str, line: str) -> None:
    target: str | tuple[str, int] = address
    if not address.startswith("/"):
        host, _, port = address.rpartition(":")
        target = (host, int(port))
    handler = logging.handlers.SysLogHandler(address=target, facility=logging.handlers.SysLogHandler.LOG_AUTHPRIV)
    try:
        message = logging.LogRecord("liaison.audit", logging.INFO, "", 0, "liaison-audit-anchor %s", (line,), None)
        handler.emit(message)
    finally:
        handler.close()


def anchors_read(path: Path) -> list[dict[str, Any]]:
    """The anchor records in a sink file, in the order written (lines that are not records are skipped)."""
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        start = line.find("{")
        if start < 0:
            continue
        try:
            record = json.loads(line[start:])
        except ValueError:
            continue
        if isinstance(record, dict) and {"kind", "count", "head"} <= record.keys():
            records.append(record)
    return records


def configured_anchors() -> list[dict[str, Any]]:
    """The records in AUDIT_ANCHOR_FILE, when it is set and readable by this process."""
    path = Path(settings.AUDIT_ANCHOR_FILE) if settings.AUDIT_ANCHOR_FILE else None
    if path is None or not os.access(path, os.R_OK):
        return []
    return anchors_read(path)


# --- redaction and restores --------------------------------------------------------------------


def audit_redact(*, actor: Any, entry: AuditEntry, reason: str) -> AuditEntry:
    """Empty an entry's content for a lawful expungement; the stub and its sealed hash stay."""
    if not reason.strip():
        raise ValidationError({"reason": REDACTION_NEEDS_REASON})
    if entry.redacted_at is not None:
        raise ValidationError(ALREADY_REDACTED)
    audit_seal()
    if not AuditSeal.objects.filter(entry=entry).exists():
        raise ValidationError(REDACTION_NEEDS_SEAL)
    with transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(redacted_at=timezone.now(), summary="", before=None, after=None)
        record = audit_record(
            actor=actor,
            action=AuditEntry.Action.REDACT,
            object_type="accounts.auditentry",
            object_uuid=entry.uuid,
            summary=f"Redacted audit entry {entry.uuid}: {reason.strip()}",
            agency_id=entry.agency_id,
            district_id=entry.district_id,
        )
    entry.refresh_from_db()
    return record


def audit_restore_record(*, note: str) -> dict[str, Any]:
    """Record that the database was restored from a backup, so audit_verify explains the lost entries.

    Run right after the restore: the sink gets a `restore` line with the restored chain's head and
    count, the log gets an entry saying so, and a fresh anchor follows.
    """
    audit_seal()
    restored = audit_anchor(kind="restore", note=note)
    audit_record(
        actor=None,
        action=AuditEntry.Action.RESTORE,
        object_type="accounts.auditentry",
        summary=f"Restored from backup with {restored['count']} sealed entries: {note}"[:300],
    )
    audit_anchor()
    return restored


# --- verifying ---------------------------------------------------------------------------------


@dataclass
class Verification:
    ok: bool = True
    entries: int = 0
    head: str = GENESIS
    problem: str = ""
    notes: list[str] = field(default_factory=list)
    started_after: int = 0  # an incremental walk: the checkpoint's position (0: the whole chain)

    def fail(self, problem: str) -> Verification:
        self.ok, self.problem = False, problem
        return self


def audit_verify(
    *, anchors: Iterable[dict[str, Any]] = (), record: bool = True, incremental: bool = False
) -> Verification:
    """Walk the chain, then check it against the anchors; names the first entry that does not fit.

    `incremental`: start from the last successful verification (its position and head must still be
    on the chain) and walk only the entries sealed since. Faster on a long log, but it does not re-read
    the older entries, so an edit of an old entry's content waits for the next full walk (the hourly
    job walks the whole chain).
    """
    anchors = list(anchors)
    wanted = {int(a["count"]) for a in anchors if int(a["count"]) > 0}
    links: dict[int, str] = {}
    checkpoint = _checkpoint() if incremental else None
    if checkpoint is not None:
        links.update(
            AuditSeal.objects.filter(position__in=wanted, position__lte=checkpoint.entries).values_list(
                "position", "link"
            )
        )
    result = _walk(wanted, links, checkpoint)
    if result.ok:
        _check_unsealed(result)
    if result.ok:
        _check_anchors(result, anchors, links)
    if record:
        AuditVerification.objects.create(
            checked_at=timezone.now(), ok=result.ok, entries=result.entries, head=result.head, problem=result.problem
        )
    return result


def audit_last_verification() -> AuditVerification | None:
    return AuditVerification.objects.order_by("-checked_at", "-id").first()


def _seal_chunks(after: int = 0) -> Iterator[list[tuple[AuditSeal, AuditEntry | None]]]:
    while True:
        seals = list(AuditSeal.objects.filter(position__gt=after).order_by("position")[:_CHUNK])
        if not seals:
            return
        entries = AuditEntry.objects.in_bulk([seal.entry_id for seal in seals])
        yield [(seal, entries.get(seal.entry_id)) for seal in seals]
        after = seals[-1].position


def _checkpoint() -> AuditVerification | None:
    """The last verification that passed with entries on the chain: where an incremental walk starts."""
    return AuditVerification.objects.filter(ok=True, entries__gt=0).order_by("-checked_at", "-id").first()


def _walk(wanted: set[int], links: dict[int, str], checkpoint: AuditVerification | None = None) -> Verification:
    result = Verification()
    redactions = set(
        AuditEntry.objects.filter(action=AuditEntry.Action.REDACT, object_type="accounts.auditentry").values_list(
            "object_uuid", flat=True
        )
    )
    previous_batch: datetime.datetime | None = None
    batch: datetime.datetime | None = None
    if checkpoint is not None:
        start = AuditSeal.objects.filter(position=checkpoint.entries).first()
        if start is None or start.link != checkpoint.head:
            return result.fail(
                f"the chain no longer matches the verification of {checkpoint.checked_at:%Y-%m-%d %H:%M:%S} UTC: "
                f"position {checkpoint.entries} was removed or entries up to it were rewritten"
            )
        result.entries, result.head, result.started_after = start.position, start.link, start.position
        batch = start.sealed_at
        earlier = AuditSeal.objects.filter(sealed_at__lt=batch).order_by("-sealed_at").first()
        previous_batch = earlier.sealed_at if earlier is not None else None
    for chunk in _seal_chunks(after=result.entries):
        for seal, entry in chunk:
            if seal.sealed_at != batch:
                previous_batch, batch = batch, seal.sealed_at
            problem = _seal_problem(result, seal, entry, previous_batch, redactions)
            if problem:
                return result.fail(problem)
            result.entries, result.head = seal.position, seal.link
            if seal.position in wanted:
                links[seal.position] = seal.link
    return result


def _seal_problem(
    result: Verification,
    seal: AuditSeal,
    entry: AuditEntry | None,
    previous_batch: datetime.datetime | None,
    redactions: set[Any],
) -> str:
    position = seal.position
    if position != result.entries + 1:
        return f"position {result.entries + 1} is missing: the entry sealed there was removed (the next is {position})"
    if entry is None:
        return f"the entry sealed at position {position} (id {seal.entry_id}) was removed"
    name = f"entry {entry.uuid} (position {position}, id {entry.pk}, {entry.at:%Y-%m-%d %H:%M:%S} UTC)"
    if seal.link != chain_link(seal.payload_hash, result.head):
        return f"{name}: the chain breaks here — its seal was rewritten, or entries before it were removed or inserted"
    if entry.redacted_at is None and payload_hash(entry) != seal.payload_hash:
        return f"{name} was edited after it was written"
    if entry.redacted_at is not None and entry.uuid not in redactions:
        return f"{name} was emptied without a recorded redaction"
    if previous_batch is not None and entry.at < previous_batch - _grace():
        sealed = f"{previous_batch:%Y-%m-%d %H:%M:%S}"
        return f"{name} is back-dated: it appeared after the chain had been sealed at {sealed}"
    if entry.at > seal.sealed_at + _grace():
        return f"{name} is dated after it was sealed ({seal.sealed_at:%Y-%m-%d %H:%M:%S})"
    return ""


def _check_unsealed(result: Verification) -> None:
    last = AuditSeal.objects.order_by("-position").first()
    if last is None:
        return
    stray = AuditEntry.objects.filter(seal__isnull=True, at__lt=last.sealed_at - _grace()).order_by("at", "id").first()
    if stray is not None:
        result.fail(
            f"entry {stray.uuid} (id {stray.pk}, {stray.at:%Y-%m-%d %H:%M:%S} UTC) was inserted out of order: "
            "it is dated before entries already sealed and was never sealed itself (back-dated)"
        )


def _check_anchors(result: Verification, anchors: list[dict[str, Any]], links: dict[int, str]) -> None:
    """Each anchor must still be on the chain, unless a later recorded restore went back before it."""
    for index, anchor in enumerate(anchors):
        count, head, at = int(anchor["count"]), str(anchor["head"]), anchor.get("at", "?")
        restore = _later_restore_below(anchors[index + 1 :], count)
        if restore is not None:
            result.notes.append(
                f"the anchor of {at} counted {count} entries; the restore from backup recorded at "
                f"{restore.get('at', '?')} went back to {restore['count']} ({restore.get('note', '')})"
            )
            continue
        if count > result.entries:
            result.fail(
                f"the newest entries were removed: the anchor written at {at} counted {count} sealed entries, "
                f"the database holds {result.entries}"
            )
            return
        if count and links.get(count) != head:
            result.fail(
                f"the chain no longer matches the anchor written at {at}: entries up to position {count} were rewritten"
            )
            return
        if anchor["kind"] == "restore":
            result.notes.append(f"restored from backup, recorded at {at}: {anchor.get('note', '')}")


def _later_restore_below(later: list[dict[str, Any]], count: int) -> dict[str, Any] | None:
    for anchor in later:
        if anchor["kind"] == "restore" and int(anchor["count"]) < count:
            return anchor
    return None
