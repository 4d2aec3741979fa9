"""Writing checked rows of a contacts import, fast, inside the import's one transaction.

PostgreSQL takes the rows through COPY (psycopg 3's `cursor.copy`), formatted as COPY text while
the server is still storing the previous ones; SQLite through `executemany`. Enforcement details
follow each chunk of contacts, joined to them by uuid. Both write exactly what the ORM would: the
formats below are those of Django's own adapters for each database.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection
from psycopg import errors as pg_errors
from psycopg import pq
from psycopg.copy import LibpqWriter
from psycopg.generators import fetch_many
from psycopg.waiting import Wait

from .import_rows import NewContact, Phases, Stored
from .models import EnforcementDetail, Interaction
from .vocabulary import REFERRAL_ACTIONS, ActionType

CONTACT_COLUMNS = (
    "uuid", "agency_id", "district_id", "school_id", "officer_id", "kind", "role", "occurred_at", "occurred_on",
    "duration_minutes", "student_count", "grade_band", "setting", "initiated_by", "note", "staff_role", "service",
    "instead_of_enforcement", "created_by_id", "source", "voided", "created_at", "updated_at",
)  # fmt: skip
DETAIL_COLUMNS = (
    "interaction_id", "agency_id", "action_type", "counts_as_referral", "counts_as_arrest", "reason_category",
    "nibrs_code", "requested_by", "admin_consulted", "admin_consulted_role", "student_grade", "race_ethnicity",
    "sex", "disability", "english_learner", "demographics_source", "rms_report_number", "student_key",
)  # fmt: skip
CONTACT_TABLE = Interaction._meta.db_table
DETAIL_TABLE = EnforcementDetail._meta.db_table
# COPY text: a backslash, tab, newline or carriage return in a value is escaped; \N is NULL.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"
# Ids looked up per query on SQLite: within its oldest parameter limit (999).
LOOKUP_BATCH = 900


def _nothing(sent: int) -> None:
    return None


def _no_waiting(done: Callable[[], bool]) -> None:
    return None


# While the database stores a chunk: work that may run until `done()` says the database has finished.
WhileStoring = Callable[[Callable[[], bool]], None]


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"


def _detail_row(interaction_id: int, agency_id: int, details: dict[str, Any]) -> tuple[Any, ...]:
    """An EnforcementDetail row; CRDC's referral and arrest flags are derived, never read from the file."""
    action = details["action_type"]
    derived = {"counts_as_referral": action in REFERRAL_ACTIONS, "counts_as_arrest": action == ActionType.ARREST}
    values = {**details, **derived, "interaction_id": interaction_id, "agency_id": agency_id, "student_key": ""}
    return tuple(values[name] if values[name] is not None else "" for name in DETAIL_COLUMNS)


class ContactWriter:
    """Writes chunks of checked rows for one agency; `added` counts what was written."""

    set_based = False  # whether finish() checks the foreign keys (CopyWriter)

    def __init__(self, *, agency_id: int, now: datetime.datetime, phases: Phases | None = None) -> None:
        self.agency_id = agency_id
        self.now = now
        self.phases = phases or Phases()
        self.added = 0
        self.enforcement = 0
        self.cursor = connection.cursor()

    def write(
        self,
        contacts: Iterable[NewContact],
        *,
        meanwhile: Callable[[int], None] = _nothing,
        while_storing: WhileStoring = _no_waiting,
    ) -> None:
        """Write one chunk: the contacts (consumed as they are checked), then their enforcement details.

        `meanwhile(sent)` runs after each block of `sent` contacts is handed to the database, and
        `while_storing(done)` once they all are, until `done()` (the database has stored them and
        checked their foreign keys): work done there overlaps the database's instead of following it.
        """
        details = self._write_contacts(contacts, meanwhile, while_storing)
        if details:
            with self.phases("details"):
                self._write_details(details)

    def _write_contacts(
        self, contacts: Iterable[NewContact], meanwhile: Callable[[int], None], while_storing: WhileStoring
    ) -> dict[str, dict[str, Any]]:
        raise NotImplementedError

    def _write_details(self, details: dict[str, dict[str, Any]]) -> None:
        """Details by the canonical uuid of their contact, stored just before in this transaction."""
        ids = {key: found.id for key, found in stored_contacts(list(details)).items()}
        rows = [_detail_row(ids[key], self.agency_id, found) for key, found in details.items()]
        self.cursor.executemany(_insert(DETAIL_TABLE, DETAIL_COLUMNS), rows)
        self.enforcement += len(rows)

    def mark(self) -> tuple[int, int]:
        return self.added, self.enforcement

    def restore(self, mark: tuple[int, int]) -> None:
        """After the rows written since `mark` were rolled back."""
        self.added, self.enforcement = mark

    def finish(self) -> None:
        """Called once every chunk is written (not after a failure, which rolls everything back)."""

    def close(self) -> None:
        self.cursor.close()


class CopyWriter(ContactWriter):
    """PostgreSQL: one COPY per chunk, fed row by row as the rows are checked.

    Foreign keys. Each contact references five rows (agency, district, school, officer, creator),
    and PostgreSQL checks a foreign key with one trigger call per row and key. The import never
    turns those triggers off: that would take `session_replication_role`, the privilege that also
    switches off the audit log's append-only triggers, and the application's role does not have it
    (docs/audit.md). Django declares every foreign key INITIALLY DEFERRED; deferred, a million rows
    queue five million checks that run one after another at commit; immediate, they run as each
    chunk's COPY ends, while this process checks the next chunk's rows (_EndThen), and cost less
    (docs/benchmarks.md).
    """

    BUFFER_ROWS = 1000

    def __init__(self, *, agency_id: int, now: datetime.datetime, phases: Phases | None = None) -> None:
        super().__init__(agency_id=agency_id, now=now, phases=phases)
        stamp = now.isoformat()
        self.tail = f"\timport\tf\t{stamp}\t{stamp}\n"
        self.statement = f"COPY {CONTACT_TABLE} ({', '.join(CONTACT_COLUMNS)}) FROM STDIN"
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def finish(self) -> None:
        self.cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django declares every foreign key

    def _write_contacts(
        self, contacts: Iterable[NewContact], meanwhile: Callable[[int], None], while_storing: WhileStoring
    ) -> dict[str, dict[str, Any]]:
        details: dict[str, dict[str, Any]] = {}
        lines: list[str] = []
        raw_cursor = self.cursor.cursor  # psycopg's own cursor under Django's wrapper
        # Every block is sent at once (not a megabyte at a time), and `meanwhile` follows it while the
        # server stores it; `while_storing` runs once the end of the rows is sent (see _EndThen).
        sender = _EndThen(raw_cursor, while_storing)
        with raw_cursor.copy(self.statement, writer=sender) as copy:
            for contact in contacts:
                key = contact.client_uuid or str(uuid.uuid4())
                lines.append(self._line(key, contact))
                if contact.details is not None:
                    details[key] = contact.details
                if len(lines) >= self.BUFFER_ROWS:
                    self._send(copy, lines, meanwhile)
            self._send(copy, lines, meanwhile)
        return details

    def _send(self, copy: Any, lines: list[str], meanwhile: Callable[[int], None]) -> None:
        copy.write("".join(lines))
        sent = len(lines)
        self.added += sent
        lines.clear()
        meanwhile(sent)

    def _line(self, key: str, contact: NewContact) -> str:
        v = contact.values
        note = v.get("note") or ""
        if note:
            note = note.translate(_COPY_ESCAPES)
        duration, students, instead = v["duration_minutes"], v["student_count"], v["instead_of_enforcement"]
        flag = _NULL if instead is None else "t" if instead else "f"
        return (
            f"{key}\t{self.agency_id}\t{contact.district_id}\t{contact.school_id}\t{contact.officer_id}\t"
            f"{v['kind']}\t{v['role']}\t{v['occurred_at'].isoformat()}\t{contact.occurred_on.isoformat()}\t"
            f"{_NULL if duration is None else duration}\t{_NULL if students is None else students}\t"
            f"{v.get('grade_band') or ''}\t{v.get('setting') or ''}\t{v.get('initiated_by') or ''}\t{note}\t"
            f"{v.get('staff_role') or ''}\t{v.get('service') or ''}\t{flag}\t"
            f"{contact.created_by_id}{self.tail}"
        )


class _EndThen(LibpqWriter):
    """psycopg's COPY writer, sending each block at once, with work between the end of the data and the answer.

    PostgreSQL checks the foreign keys of the rows a COPY stored when the statement ends (the triggers
    of immediate constraints fire after the statement): some 0.4 s for 25,000 contacts, during which
    psycopg's own writer (`finish`: send the end, then wait for the result) leaves this process idle.
    Here the end is sent, `while_storing` runs until the answer has arrived (`done()`), and only then
    is the answer read: the import checks the next chunk's rows meanwhile. Built on psycopg's own
    generators (`fetch_many`, as its `copy_end` does), pinned with psycopg in requirements.txt.
    """

    def __init__(self, cursor: Any, while_storing: WhileStoring) -> None:
        super().__init__(cursor, flush_threshold=0)
        self.while_storing = while_storing

    def finish(self, exc: BaseException | None = None) -> None:
        if exc is not None:  # psycopg's own: the server is told why, and the COPY is undone
            super().finish(exc)
            return
        self.cursor._results = [self.connection.wait(self._end())]

    def _end(self) -> Any:
        pgconn = self._pgconn
        while pgconn.put_copy_end(None) == 0:
            while not (yield Wait.W):
                continue
        while True:
            while not (yield Wait.W):
                continue
            if pgconn.flush() == 0:
                break
        try:
            self.while_storing(self._answered)
        finally:
            (result,) = yield from fetch_many(pgconn)
        if result.status != pq.ExecStatus.COMMAND_OK:
            raise pg_errors.error_from_result(result, encoding=pgconn._encoding)
        return result

    def _answered(self) -> bool:
        """Whether the server's answer has arrived (read without waiting for it)."""
        self._pgconn.consume_input()
        return not self._pgconn.is_busy()


class ExecutemanyWriter(ContactWriter):
    """SQLite: executemany inside the import's transaction."""

    def __init__(self, *, agency_id: int, now: datetime.datetime, phases: Phases | None = None) -> None:
        super().__init__(agency_id=agency_id, now=now, phases=phases)
        stamp = str(now.astimezone(datetime.UTC).replace(tzinfo=None))
        self.tail = (Interaction.Source.IMPORT.value, False, stamp, stamp)
        self.statement = _insert(CONTACT_TABLE, CONTACT_COLUMNS)

    def _write_contacts(
        self, contacts: Iterable[NewContact], meanwhile: Callable[[int], None], while_storing: WhileStoring
    ) -> dict[str, dict[str, Any]]:
        details: dict[str, dict[str, Any]] = {}
        rows = []
        for contact in contacts:
            key = contact.client_uuid or str(uuid.uuid4())
            rows.append(self._row(key, contact))
            if contact.details is not None:
                details[key] = contact.details
        self.cursor.executemany(self.statement, rows)
        self.added += len(rows)
        meanwhile(len(rows))
        return details

    def _row(self, key: str, contact: NewContact) -> tuple[Any, ...]:
        v = contact.values
        utc = v["occurred_at"].astimezone(datetime.UTC).replace(tzinfo=None)
        return (
            key.replace("-", ""), self.agency_id, contact.district_id, contact.school_id, contact.officer_id,
            v["kind"], v["role"], str(utc), str(contact.occurred_on), v["duration_minutes"], v["student_count"],
            v.get("grade_band") or "", v.get("setting") or "", v.get("initiated_by") or "", v.get("note") or "",
            v.get("staff_role") or "", v.get("service") or "", v["instead_of_enforcement"], contact.created_by_id,
            *self.tail,
        )  # fmt: skip


def contact_writer(*, agency_id: int, now: datetime.datetime, phases: Phases | None = None) -> ContactWriter:
    kind = CopyWriter if connection.vendor == "postgresql" else ExecutemanyWriter
    return kind(agency_id=agency_id, now=now, phases=phases)


def largest_contact_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {CONTACT_TABLE}")
        return int(cursor.fetchone()[0])


# What a stored record is (kind, officer, school, action), to tell a re-import from an id reused for another.
_STORED_SELECT = (
    "SELECT c.uuid, c.id, c.agency_id, c.source, c.kind, c.officer_id, c.school_id, d.action_type "
    f"FROM {CONTACT_TABLE} c LEFT JOIN {DETAIL_TABLE} d ON d.interaction_id = c.id"
)


def stored_contacts(uuids: list[str]) -> dict[str, Stored]:
    """The stored records among these ids (canonical text), in a few queries."""
    if connection.vendor == "postgresql":
        return _stored_postgresql(uuids)
    found: dict[str, Stored] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(uuids), LOOKUP_BATCH):
            part = [u.replace("-", "") for u in uuids[start : start + LOOKUP_BATCH]]  # SQLite: 32 hex digits
            where = f"uuid IN ({', '.join(['%s'] * len(part))})"
            cursor.execute(f"{_STORED_SELECT} WHERE c.{where}", part)
            found.update({str(uuid.UUID(key)): Stored(*rest) for key, *rest in cursor.fetchall()})
    return found


# One index probe per id, in id order (neighbouring probes share index pages). LATERAL … LIMIT 1 keeps
# the probes: as `uuid = ANY(…)` PostgreSQL scanned the whole table for 900 ids once it held 200,000
# rows it had not analysed yet. 10,000 ids a query keep the estimate under the cost where JIT starts.
_STORED_POSTGRESQL = f"""
SELECT found.*
FROM unnest(%s::uuid[]) AS wanted (uuid)
CROSS JOIN LATERAL ({_STORED_SELECT} WHERE c.uuid = wanted.uuid LIMIT 1) AS found
"""
PROBE_BATCH = 10_000


def _stored_postgresql(uuids: list[str]) -> dict[str, Stored]:
    found: dict[str, Stored] = {}
    ordered = sorted(uuids)  # canonical lower-case text sorts as the uuid type does
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), PROBE_BATCH):
            cursor.execute(_STORED_POSTGRESQL, [ordered[start : start + PROBE_BATCH]])
            found.update({str(key): Stored(*rest) for key, *rest in cursor.fetchall()})
    return found
