"""Importing contacts from CSV: one code path for the command, the upload page and the benchmark.

`interaction_import_execute` runs an InteractionImport: it streams the file once, checking each
chunk of rows (import_rows) and writing it (import_writers) inside one transaction. After the first
bad row nothing more is written, but every row is still checked so that all problems are reported;
then the transaction is rolled back and nothing at all is stored. When every row is good, the daily
rollups are updated in one statement and one audit entry records the import.

The upload side lives here too: storing the file, queueing the import, deleting the file after,
and the access functions for InteractionImport.
"""

from __future__ import annotations

import datetime
import gc
import io
import itertools
import logging
import os
import time
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from liaison.accounts.audit import audit_record
from liaison.accounts.models import AuditEntry
from liaison.accounts.records import validate_record
from liaison.accounts.scope import user_scope
from liaison.directory.access import NOT_FOUND, agencies_managed_by
from liaison.directory.models import Agency, Officer, Partnership, School
from liaison.lib.bounded_input import bounded_lines
from liaison.lib.upload_files import uploads_orphaned_delete

from . import import_rows
from .enforcement_rollups import EnforcementCells, enforcement_cell, enforcement_rollup_add_cells
from .import_rows import ChunksAhead, CsvRows, ErrorLog, ImportContext, NewContact, Phases, RowChecker
from .import_writers import ContactWriter, contact_writer, largest_contact_id, stored_contacts
from .models import InteractionImport
from .rollups import RollupCells, rollup_add_cells
from .services import enforcement_steps

logger = logging.getLogger(__name__)

IMPORT_CRASHED = "The import stopped on an unexpected error and stored nothing; the server log has the details."
NOT_AN_IMPORTER = "Only SRO supervisors, agency admins and platform admins can import contacts."
WORKER_STOPPED = "The import stopped without finishing (its worker stopped); nothing was stored. Upload the file again."
COULD_NOT_QUEUE = "The import could not be queued; nothing was stored. Please try again."
RACED = "A record with one of these ids was saved while the import ran; nothing was stored. Import the file again."

CHUNK_ROWS = 25_000
AHEAD_POLL = 250  # rows of the next chunk checked between two looks at whether the database has answered
JOIN_SLICE = 1_000  # rollup cells of a written chunk joining the import's tally per block of rows sent
UPLOAD_FOLDER = "contact-imports"
PROGRESS_INTERVAL_SECONDS = 0.5
CHECKING = "Checking and saving rows"
AUDIT_SUMMARY = "Imported {added} contacts ({enforcement} enforcement actions) from {file}; {skipped} already there"
AUDITED = ("file", "added", "skipped", "enforcement", "by_kind", "first_day", "last_day", "after_id", "up_to_id")

Progress = Callable[[str, int, int], None]


@dataclass
class ImportOutcome:
    succeeded: bool
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_not_shown: int = 0
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.errors_not_shown

    @classmethod
    def failed(cls, errors: ErrorLog) -> ImportOutcome:
        return cls(False, errors=errors.shown, errors_not_shown=errors.not_shown)


class _RolledBack(Exception):
    pass


@dataclass
class _CheckedAhead:
    """The first rows of the next chunk, checked while the database stored the chunk before.

    `contacts` holds each row's result in order; checking stops after the first row with a problem,
    whose problems wait in `log` until the chunk is written (the chunk before may still be undone).
    """

    chunk: list[tuple[int, list[str]]]
    contacts: list[NewContact | None] = field(default_factory=list)
    log: ErrorLog = field(default_factory=ErrorLog)


@dataclass
class _Tally:
    """The written contacts by kind, their first and last day, and their counts for the daily rollups."""

    kinds: Counter[str] = field(default_factory=Counter)
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None
    cells: RollupCells = field(default_factory=dict)
    enforcement: EnforcementCells = field(default_factory=dict)

    def joining(self, other: _Tally) -> Iterator[bool]:
        """Add `other`'s counts to these, JOIN_SLICE rollup cells per `next()` (True while some are left)."""
        self.kinds.update(other.kinds)
        for action, n in other.enforcement.items():
            self.enforcement[action] = self.enforcement.get(action, 0) + n
        days = [day for day in (self.first_day, self.last_day, other.first_day, other.last_day) if day is not None]
        self.first_day, self.last_day = min(days, default=None), max(days, default=None)
        cells, left = self.cells, JOIN_SLICE
        for key, values in other.cells.items():
            cell = cells.get(key)
            if cell is None:
                cells[key] = values
            else:
                cell[0] += values[0]
                cell[1] += values[1]
                cell[2] += values[2]
                cell[3] += values[3]
            left -= 1
            if left <= 0:
                yield True
                left = JOIN_SLICE


# --- what rows are checked against --------------------------------------------------------------


def import_context(agency: Agency, actor: Any, *, after_id: int) -> ImportContext:
    """The agency's officers by badge and its schools by NCES id, read once."""
    officers = Officer.objects.filter(agency=agency).values_list("badge_number", "id", "user_id")
    served = frozenset(Partnership.objects.filter(agency=agency).values_list("district_id", flat=True))
    context = ImportContext(
        agency_id=agency.pk,
        time_zone=zoneinfo.ZoneInfo(agency.time_zone),
        officers={badge: import_rows.Officer(pk, user_id) for badge, pk, user_id in officers},
        served_district_ids=served,
        now=timezone.now(),
        actor_id=actor.pk if actor is not None else None,
        after_id=after_id,
    )
    schools = School.objects.filter(district_id__in=served).values_list("nces_id", "id", "district_id")
    context.schools.update({nces: import_rows.School(pk, district) for nces, pk, district in schools})
    return context


def _schools_by_nces(nces_ids: Iterable[str]) -> dict[str, import_rows.School]:
    """Schools outside the served districts, so a row can be told "not served" rather than "unknown"."""
    rows = School.objects.filter(nces_id__in=list(nces_ids)).values_list("nces_id", "id", "district_id")
    return {nces: import_rows.School(pk, district) for nces, pk, district in rows}


# --- the run --------------------------------------------------------------------------------------------


class _Stream:
    """The file as text for csv.reader, and how many of its bytes have been read (for progress)."""

    def __init__(self, path: Path) -> None:
        self.binary = open(path, "rb")  # closed by close()
        self.size = os.fstat(self.binary.fileno()).st_size
        self.text = io.TextIOWrapper(self.binary, encoding="utf-8-sig", newline="")

    @property
    def done(self) -> int:
        return min(self.binary.tell(), self.size)

    def close(self) -> None:
        self.text.close()


def interaction_import_run(
    *,
    path: Path,
    agency: Agency,
    actor: Any,
    progress: Progress | None = None,
    source_name: str = "",
    import_uuid: UUID | None = None,
) -> ImportOutcome:
    """Import the contacts in a CSV file for one agency, or nothing at all."""
    started = time.monotonic()
    errors = ErrorLog()
    stream = _Stream(path)
    try:
        rows = CsvRows(bounded_lines(stream.text, file=source_name or path.name), errors)
        if not rows.read_header():
            return ImportOutcome.failed(errors)
        run = _Run(agency, actor, rows, errors, stream, progress or _no_progress)
        return run.execute(source_name=source_name or path.name, started=started, import_uuid=import_uuid)
    except (IntegrityError, connection.Database.IntegrityError):  # type: ignore[attr-defined]
        # A client_uuid stored by someone else between its check and the commit (or a school, officer
        # or district removed meanwhile: COPY's foreign-key triggers say so through psycopg directly).
        logger.warning("Contacts import for agency %s raced another write", agency.pk, exc_info=True)
        return ImportOutcome(False, errors=[{"line": None, "column": "client_uuid", "reason": RACED}])
    finally:
        stream.close()


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


class _Run:
    """One import's single pass over the file, inside one transaction."""

    def __init__(
        self, agency: Agency, actor: Any, rows: CsvRows, errors: ErrorLog, stream: _Stream, progress: Progress
    ) -> None:
        self.agency = agency
        self.actor = actor
        self.rows = rows
        self.errors = errors
        self.stream = stream
        self.progress = progress
        self.tally = _Tally()
        self.joining: Iterator[bool] | None = None  # a written chunk's counts, joining the tally
        self.ahead: _CheckedAhead | None = None  # the next chunk's first rows, checked
        self.phases = Phases()
        self.assume_new = True

    def execute(self, *, source_name: str, started: float, import_uuid: UUID | None) -> ImportOutcome:
        try:
            with transaction.atomic(), _sqlite_cache(), _collector_paused():
                _lock_agency_imports(self.agency)
                after_id = largest_contact_id()
                context = import_context(self.agency, self.actor, after_id=after_id)
                checker = RowChecker(context, self.rows.names, self.errors)
                writer = contact_writer(agency_id=self.agency.pk, now=context.now, phases=self.phases)
                try:
                    self._pass(checker, writer)
                    self._join(None)
                    if not self.errors:
                        with self.phases("finish"):
                            writer.finish()
                finally:
                    writer.close()
                if self.errors:
                    raise _RolledBack
                with self.phases("rollups"):
                    rollup_add_cells(agency_id=self.agency.pk, cells=self.tally.cells)
                    enforcement_rollup_add_cells(agency_id=self.agency.pk, cells=self.tally.enforcement)
                # Imported enforcement actions are evaluated against the MOU like any other.
                with self.phases("evaluations"):
                    enforcement_steps().imported(agency_id=self.agency.pk, after_id=after_id, actor=self.actor)
                summary = self._summary(writer, checker, after_id, source_name, started)
                self._audit(summary, import_uuid)
        except _RolledBack:
            return ImportOutcome.failed(self.errors)
        return ImportOutcome(True, summary=summary)

    def _pass(self, checker: RowChecker, writer: ContactWriter) -> None:
        chunks = ChunksAhead(self.rows, CHUNK_ROWS)
        for chunk in chunks:
            ahead, self.ahead = self.ahead, None
            if ahead is not None and ahead.chunk is not chunk:
                ahead = None
            if self.errors or not self.assume_new or not self._write_new(checker, writer, chunk, chunks, ahead):
                with self.phases("lookups"):
                    checker.prepare(chunk, _schools_by_nces, stored_contacts)
                if self.errors:
                    for line, cells in chunk:
                        checker.check(line, cells)  # only to report every problem; nothing more is written
                else:
                    written = _Tally()
                    with self.phases("write"):
                        self._write(checker, writer, chunk, chunks, written, None)
                    self._join(written)
            self.progress(CHECKING, self.stream.done, self.stream.size)
        self.progress(CHECKING, self.stream.size, self.stream.size)

    def _write_new(
        self,
        checker: RowChecker,
        writer: ContactWriter,
        chunk: list[tuple[int, list[str]]],
        chunks: ChunksAhead,
        ahead: _CheckedAhead | None,
    ) -> bool:
        """Write a chunk as if none of its client ids were stored yet, or write nothing and return False.

        Looking every id up first costs an index probe per row; inserting probes the same unique index
        anyway. So the chunk is written under a savepoint, and undone when the index finds an id already
        stored (by an earlier import, the API, another agency or an earlier chunk) or when a row has a
        problem (which might be a stored row's, to be skipped unchecked): the caller then looks the ids
        up and checks the chunk again, exactly as before.
        """
        if ahead is None:  # (checking ahead prepared the chunk already)
            with self.phases("lookups"):
                checker.prepare(chunk, _schools_by_nces, None)
        errors, written = self.errors.mark(), writer.mark()
        counted = _Tally()
        savepoint = transaction.savepoint()
        try:
            with self.phases("write"):
                self._write(checker, writer, chunk, chunks, counted, ahead)
            undo = bool(self.errors)
        except (IntegrityError, connection.Database.IntegrityError):  # type: ignore[attr-defined]
            undo = True
            self.assume_new = False  # a file imported before: look its ids up from now on
        if undo:
            transaction.savepoint_rollback(savepoint)
            self.errors.restore(errors)
            writer.restore(written)
            return False
        transaction.savepoint_commit(savepoint)
        self._join(counted)
        return True

    def _write(
        self,
        checker: RowChecker,
        writer: ContactWriter,
        chunk: list[tuple[int, list[str]]],
        chunks: ChunksAhead,
        tally: _Tally,
        ahead: _CheckedAhead | None,
    ) -> None:
        """Write the chunk's good rows, counting them in `tally`, which joins the import's once written.

        After each block of rows sent, while the database stores it, as many rows of the next chunk are
        read from the file and as many of the last chunk's counts join the import's. Once every row is
        sent, while the database checks their foreign keys, the next chunk's first rows are checked."""

        def meanwhile(sent: int) -> None:
            chunks.read_some(sent)
            if self.joining is not None and not next(self.joining, False):
                self.joining = None

        def while_storing(done: Callable[[], bool]) -> None:
            self._check_ahead(checker, chunks, done)

        contacts = self._good(self._checked(checker, chunk, ahead), tally)
        writer.write(contacts, meanwhile=meanwhile, while_storing=while_storing)

    def _check_ahead(self, checker: RowChecker, chunks: ChunksAhead, done: Callable[[], bool]) -> None:
        """Check the next chunk's rows until `done()`, unless checking it needs the database or may be wasted."""
        if self.errors or not self.assume_new:
            return
        if self.ahead is None:
            chunk, problems = chunks.peek()
            if not chunk or problems or checker.needs_lookup(chunk):
                return
            checker.prepare(chunk, _schools_by_nces, None)  # (looks nothing up: needs_lookup said so)
            self.ahead = _CheckedAhead(chunk)
        ahead, rows = self.ahead, self.ahead.chunk
        contacts, at = ahead.contacts, len(ahead.contacts)
        with checker.logging_to(ahead.log):
            while at < len(rows) and not ahead.log and not (at % AHEAD_POLL == 0 and done()):
                contacts.append(checker.check(*rows[at]))
                at += 1

    def _checked(
        self, checker: RowChecker, chunk: list[tuple[int, list[str]]], ahead: _CheckedAhead | None
    ) -> Iterator[NewContact | None]:
        """Each row of the chunk checked, in order (None: skipped or wrong): first those checked ahead."""
        start = 0
        if ahead is not None:
            yield from ahead.contacts
            self.errors.extend(ahead.log)  # the last row's, if it had any
            start = len(ahead.contacts)
        for line, cells in itertools.islice(chunk, start, None):
            yield checker.check(line, cells)

    def _join(self, written: _Tally | None) -> None:
        """Finish joining the last chunk's counts to the import's, and start on `written`'s (a chunk stored:
        the rest of its counts join while the next chunk is written)."""
        if self.joining is not None:
            for _ in self.joining:
                pass
        self.joining = None if written is None else self.tally.joining(written)

    def _good(self, checked: Iterable[NewContact | None], tally: _Tally) -> Iterator[NewContact]:
        """The chunk's good rows, as they are checked; none after the first bad row of the file."""
        kinds, rollups, enforcement = tally.kinds, tally.cells, tally.enforcement
        first, last = tally.first_day, tally.last_day
        for contact in checked:
            if contact is not None and not self.errors:
                values, day = contact.values, contact.occurred_on
                kind = values["kind"]
                kinds[kind] += 1
                if first is None or day < first:
                    first = day
                if last is None or day > last:
                    last = day
                key = (contact.district_id, contact.school_id, contact.officer_id, day, kind, values["role"])
                cell = rollups.get(key)
                if cell is None:
                    cell = rollups[key] = [0, 0, 0, 0]
                cell[0] += 1
                if (minutes := values["duration_minutes"]) is not None:
                    cell[1] += minutes
                    cell[2] += 1
                if students := values["student_count"]:
                    cell[3] += students
                if contact.details is not None:
                    action = enforcement_cell(contact.district_id, contact.school_id, day, contact.details)
                    enforcement[action] = enforcement.get(action, 0) + 1
                yield contact
        tally.first_day, tally.last_day = first, last

    def _summary(
        self, writer: ContactWriter, checker: RowChecker, after_id: int, source_name: str, started: float
    ) -> dict[str, Any]:
        return {
            "file": source_name,
            "added": writer.added,
            "skipped": checker.skipped,
            "enforcement": writer.enforcement,
            "by_kind": dict(sorted(self.tally.kinds.items())),
            "first_day": self.tally.first_day.isoformat() if self.tally.first_day else None,
            "last_day": self.tally.last_day.isoformat() if self.tally.last_day else None,
            # The import's records: the agency's imported ones with ids in (after_id, up_to_id].
            "after_id": after_id,
            "up_to_id": largest_contact_id(),
            "seconds": round(time.monotonic() - started, 1),
            # Where the time went (wall seconds; "write" includes checking the rows it writes).
            "phases": self.phases.rounded(),
        }

    def _audit(self, summary: dict[str, Any], import_uuid: UUID | None) -> None:
        """One entry for the whole import, never one per row."""
        audit_record(
            actor=self.actor,
            action=AuditEntry.Action.IMPORT,
            object_type=InteractionImport._meta.label_lower,
            object_uuid=import_uuid,
            summary=AUDIT_SUMMARY.format(**summary),
            after={name: summary[name] for name in AUDITED},
            agency_id=self.agency.pk,
        )


def _lock_agency_imports(agency: Agency) -> None:
    """One import at a time per agency (PostgreSQL; SQLite's write lock already serialises them).

    FOR NO KEY UPDATE does not conflict with the key-share locks foreign keys take, so officers
    keep recording while an import runs.
    """
    list(Agency.objects.select_for_update(no_key=True).filter(pk=agency.pk).values_list("pk"))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the rows stream through: a chunk holds 25,000 lists of cells, and
    the collector walked them over and over (about 5 s of a million rows). Nothing the import makes forms
    a cycle that must go before it ends; the collector runs again right after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _sqlite_cache:
    """A larger SQLite page cache while the import writes: index updates then stay in memory."""

    PAGES = -131_072  # negative: KiB (128 MiB)

    def __enter__(self) -> None:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size")
                self.before = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA cache_size={self.PAGES}")

    def __exit__(self, *exc: object) -> None:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size={int(self.before)}")


# --- InteractionImport: uploads, the command, and their outcome -------------------------------------


def interaction_import_create(
    *, actor: Any, agency: Agency, upload: UploadedFile | None = None, original_name: str = ""
) -> InteractionImport:
    """Record an import to run; an uploaded file is stored where only this process can read it."""
    name = (upload.name if upload is not None else original_name) or ""
    job = InteractionImport(agency=agency, uploaded_by=actor, original_name=Path(name).name[:255])
    validate_record(job)
    if upload is not None:
        job.upload_path = _store_upload(job.uuid, upload)
    job.save()
    return job


def _store_upload(uuid: UUID, upload: UploadedFile) -> str:
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    relative = f"{UPLOAD_FOLDER}/{uuid}.csv"
    descriptor = os.open(Path(settings.MEDIA_ROOT) / relative, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return relative


def interaction_import_execute(
    job: InteractionImport, *, path: Path | None = None, progress: Progress | None = None
) -> InteractionImport:
    """Run a queued import, keeping progress and outcome on the record; an uploaded file is deleted after."""
    if job.status != InteractionImport.Status.QUEUED:
        return job  # a task delivered twice runs once
    now = timezone.now()
    InteractionImport.objects.filter(pk=job.pk).update(
        status=InteractionImport.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    recorder = _ProgressRecorder(job.pk, also=progress)
    try:
        outcome = interaction_import_run(
            path=path or Path(settings.MEDIA_ROOT) / job.upload_path,
            agency=job.agency,
            actor=job.uploaded_by,
            progress=recorder,
            source_name=job.original_name,
            import_uuid=job.uuid,
        )
    except Exception:
        logger.exception("Contacts import %s stopped", job.uuid)
        outcome = ImportOutcome(False, errors=[{"line": None, "column": "", "reason": IMPORT_CRASHED}])
    finally:
        recorder.close()
        _delete_upload(job)
    return _finish(job, outcome)


def interaction_imports_recover(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Fail the running imports whose worker stopped and delete uploads no live import names.

    Returns (imports failed, files deleted).
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(minutes=settings.IMPORT_HEARTBEAT_TIMEOUT_MINUTES)
    running = InteractionImport.objects.filter(status=InteractionImport.Status.RUNNING)
    stale = list(running.annotate(beat=Coalesce("heartbeat_at", "started_at")).filter(beat__lt=cutoff))
    for job in stale:
        interaction_import_abandon(job, WORKER_STOPPED)
    live = InteractionImport.objects.filter(
        status__in=[InteractionImport.Status.QUEUED, InteractionImport.Status.RUNNING]
    ).values_list("upload_path", flat=True)
    return len(stale), uploads_orphaned_delete(Path(settings.MEDIA_ROOT), UPLOAD_FOLDER, live)


def interaction_import_abandon(job: InteractionImport, reason: str) -> InteractionImport:
    """An import that will never run (it could not be queued): delete the upload and say why."""
    _delete_upload(job)
    return _finish(job, ImportOutcome(False, errors=[{"line": None, "column": "", "reason": reason}]))


def _delete_upload(job: InteractionImport) -> None:
    if job.upload_path:
        (Path(settings.MEDIA_ROOT) / job.upload_path).unlink(missing_ok=True)
    job.upload_path = ""
    InteractionImport.objects.filter(pk=job.pk).update(upload_path="")


def _finish(job: InteractionImport, outcome: ImportOutcome) -> InteractionImport:
    job.refresh_from_db()
    job.status = InteractionImport.Status.SUCCEEDED if outcome.succeeded else InteractionImport.Status.FAILED
    job.errors = outcome.errors
    job.errors_not_shown = outcome.errors_not_shown
    job.summary = outcome.summary
    job.phase = ""
    job.progress_done = job.progress_total
    job.finished_at = timezone.now()
    validate_record(job)
    job.save()
    return job


class _ProgressRecorder:
    """Progress onto the InteractionImport row, at most every half second, for the status page.

    The import writes in one transaction, whose changes nobody sees before it commits, so progress
    goes through a connection of its own. That needs a database with concurrent writers: on SQLite
    the bar moves only when the import ends.
    """

    STATEMENT = (
        f"UPDATE {InteractionImport._meta.db_table} SET phase = %s, progress_done = %s, progress_total = %s, "
        "heartbeat_at = %s WHERE id = %s"
    )

    def __init__(self, pk: int, *, also: Progress | None) -> None:
        self.pk = pk
        self.also = also
        self.last = 0.0
        self.side: Any = None
        if connection.vendor == "postgresql":
            self.side = connection.get_new_connection(connection.get_connection_params())
            self.side.autocommit = True

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.also is not None:
            self.also(phase, done, total)
        now = time.monotonic()
        if self.side is None or now - self.last < PROGRESS_INTERVAL_SECONDS:
            return
        self.last = now
        self.side.execute(self.STATEMENT, (phase[:64], min(done, total), total, timezone.now(), self.pk))

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


# --- who may import, and see which imports ----------------------------------------------------------------
# (InteractionImport's access functions; they belong in access.py once that file is free to change.)


def interaction_import_allowed(user: Any) -> bool:
    scope = user_scope(user)
    return scope.platform_admin or bool(scope.managing_agency_ids)


def interaction_import_agencies(user: Any) -> QuerySet[Agency]:
    """The agencies the user may import contacts into."""
    return agencies_managed_by(user)


def interaction_imports_visible_to(user: Any) -> QuerySet[InteractionImport]:
    scope = user_scope(user)
    if scope.platform_admin:
        return InteractionImport.objects.all()
    return InteractionImport.objects.filter(agency_id__in=scope.managing_agency_ids)


def interaction_import_get_for_user(user: Any, uuid: UUID | str) -> InteractionImport:
    """403 for users who can never import; 404 for an import of an agency not theirs."""
    if not interaction_import_allowed(user):
        raise PermissionDenied(NOT_AN_IMPORTER)
    try:
        found = interaction_imports_visible_to(user).select_related("agency", "uploaded_by").get(uuid=uuid)
    except (InteractionImport.DoesNotExist, ValueError, ValidationError):
        raise Http404(NOT_FOUND) from None
    if found.status == InteractionImport.Status.RUNNING and _heart_stopped(found):
        found = interaction_import_abandon(found, WORKER_STOPPED)  # the status page shows it, not "running"
    return found


def _heart_stopped(job: InteractionImport) -> bool:
    beat = job.heartbeat_at or job.started_at
    timeout = datetime.timedelta(minutes=settings.IMPORT_HEARTBEAT_TIMEOUT_MINUTES)
    return beat is not None and beat < timezone.now() - timeout
