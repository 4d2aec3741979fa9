"""Importing a OneRoster set: one rule for the management command and the upload page.

`roster_import_run` checks everything first (the files, through oneroster.read_roster, and
the orgs against the stored districts and schools) and writes only when nothing is wrong,
in one transaction, through the directory services so every change is audited. One more
audit entry per district (action "import") records the counts each school received.

The upload page's side lives here too: storing the upload, running it as a RosterImport
(progress, outcome, deleting the file), and the access functions for RosterImport.
"""

from __future__ import annotations

import datetime
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from liaison.accounts.audit import audit_record
from liaison.accounts.models import AuditEntry
from liaison.accounts.records import validate_record
from liaison.accounts.scope import user_scope
from liaison.lib.errors import validation_error_fields
from liaison.lib.upload_files import uploads_orphaned_delete

from . import services
from .access import NOT_FOUND
from .local_codes import local_code_schools
from .models import ENROLLMENT_FIELDS, District, Enrollment, RosterImport, School
from .oneroster import ORGS, ErrorLog, Org, Progress, Roster, SchoolTally, read_roster, school_level
from .validators import validate_school_year

logger = logging.getLogger(__name__)

DISTRICT_NOT_YOURS = "{name} (NCES {nces}) is not one of your districts; you may import only into your own."
NCES_TAKEN = "The NCES id {nces} already belongs to {name}."
LOCAL_CODE_CONFLICT = "The local code {code!r} names {coded}, but this sourcedId was imported as {stored}."
SCHOOL_IN_OTHER_DISTRICT = "{name} is stored under another district, {district}; an import does not move schools."
RENAMES = "{kind} {old!r} would be renamed {new!r}."
REGRADES = "{name}'s grades would change from {old} to {new}."
UNCOLLECTS = '{name}\'s known {year} counts of {fields} would become "not collected".'
CONFIRM_CHANGES = (
    "Nothing was changed: these changes need confirming (on the import's page, or a platform admin runs "
    "`manage.py import_oneroster … --confirm`), or correct the roster."
)
NO_GRADE_SPAN = "None of this school's students has a grade in users.csv, so its grade span cannot be derived."
NOT_AWAITING_CONFIRMATION = "This import is not waiting for confirmation."
CONFIRMED_SUMMARY = "Confirmed {count} changes of a OneRoster import for {year}"
IMPORT_DISCARDED = "Discarded without applying its changes; nothing changed."
CONFIRM_EXPIRED = "Not confirmed within {hours} hours, so discarded; nothing changed. Upload the file again."
CONFIRM_WINDOW = datetime.timedelta(hours=24)  # the upload (students' names) is not kept longer
WORKER_STOPPED = "The import stopped without finishing (its worker stopped); nothing changed. Upload the file again."
IMPORT_CRASHED = "The import stopped on an unexpected error and changed nothing; the server log has the details."
NOT_AN_IMPORTER = "Only district and platform administrators can import rosters."
SCHOOL_SKIPPED = "{name} has no students in this roster and is not stored yet, so it was not created."
STUDENTS_UNPLACED = "{count} students are not placed in any school in the roster and were not counted."

ONEROSTER_SOURCE = "oneroster"
UPLOAD_FOLDER = "roster-imports"
PROGRESS_INTERVAL_SECONDS = 0.5
ORG_COLUMNS = {"name": "name", "nces_id": "identifier", "sourced_id": "sourcedId", "state": "identifier"}

M = TypeVar("M", bound=models.Model)


@dataclass
class RosterOutcome:
    succeeded: bool
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_not_shown: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    # Set when the only thing wrong is changes to stored data that need confirming: {line, column, reason}.
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.errors_not_shown

    @classmethod
    def failed(cls, errors: ErrorLog) -> RosterOutcome:
        return cls(False, errors=errors.as_list(), errors_not_shown=errors.not_shown)


def roster_import_run(
    *,
    path: Path,
    school_year: str,
    actor: Any,
    district_ids: frozenset[int] | None = None,
    progress: Progress | None = None,
    import_uuid: UUID | None = None,
    confirm: bool = False,
    confirmed: Collection[str] = (),
) -> RosterOutcome:
    """Import districts, schools and enrollment counts from a OneRoster folder or zip, or nothing.

    `district_ids`: the districts the import may touch (a district admin's); None for any.
    Without `confirm`, a roster that would rename a stored district or school, change a school's
    grade span or turn known counts into "not collected" changes nothing and lists the differences
    (also as `changes`, for the page's confirm step). `confirmed`: differences (their reasons) already
    confirmed on the page; the import goes ahead when it would make no others.
    """
    validate_school_year(school_year)
    errors = ErrorLog()
    matcher = _OrgMatcher(errors, district_ids)
    started = time.monotonic()
    roster = read_roster(path, errors=errors, progress=progress, check_orgs=matcher.match)
    if roster is not None:
        _check_grade_spans(roster, matcher, errors)
    if roster is None or errors:
        return RosterOutcome.failed(errors)
    changes = _differences(roster, matcher, school_year)
    if not confirm and any(change["reason"] not in confirmed for change in changes):
        for change in changes:
            errors.add(ORGS, change["line"], change["column"], change["reason"])
        errors.add("", None, "", CONFIRM_CHANGES)
        outcome = RosterOutcome.failed(errors)
        outcome.changes = changes
        return outcome
    read_seconds = time.monotonic() - started
    if progress is not None:
        progress("Saving", 1, 1)
    writer = _Writer(roster, matcher, errors, actor=actor, school_year=school_year, import_uuid=import_uuid)
    if not writer.write():
        return RosterOutcome.failed(errors)
    summary = writer.summary()
    summary["seconds"] = {"read": round(read_seconds, 2), "write": round(time.monotonic() - started - read_seconds, 2)}
    return RosterOutcome(True, summary=summary)


# --- checking the orgs against what is stored ----------------------------------------------


class _OrgMatcher:
    """Finds the stored district or school of each org: by sourcedId first, then by NCES id."""

    def __init__(self, errors: ErrorLog, district_ids: frozenset[int] | None) -> None:
        self.errors = errors
        self.district_ids = district_ids
        self.districts: dict[str, District | None] = {}
        self.schools: dict[str, School | None] = {}

    def match(self, districts: list[Org], schools: list[Org]) -> None:
        """SourcedIds are the district's own (another district's SIS may use "1" too): a district is
        found by its NCES id, and a school by its sourcedId only within the district found."""
        _, districts_by_nces = _stored(District.objects.all(), districts)
        for org in districts:
            self.districts[org.sourced_id] = self._match_district(org, {}, districts_by_nces)
        rows, schools_by_nces = _stored(School.objects.select_related("district"), schools)
        keyed: dict[tuple[int | None, str], School] = {
            (row.district_id, row.sourced_id): row for row in rows if row.sourced_id
        }
        coded = local_code_schools(d.pk for d in self.districts.values() if d is not None)
        for org in schools:
            parent = self.districts.get(org.parent)
            own = keyed.get((parent.pk if parent is not None else None, org.sourced_id))
            if org.local_code and parent is not None:
                own = self._by_local_code(org, own, coded.get((parent.pk, org.local_code)))
            self.schools[org.sourced_id] = self._match_school(
                org, {org.sourced_id: own} if own else {}, schools_by_nces
            )

    def _by_local_code(self, org: Org, own: School | None, coded: School | None) -> School | None:
        """A school identified by the district's local code (after sourcedId and NCES id, which it has not):
        the saved mapping finds it, and gives the org its NCES id."""
        if own is not None and coded is not None and own.pk != coded.pk:
            reason = LOCAL_CODE_CONFLICT.format(code=org.local_code, coded=coded, stored=own)
            self.errors.add(ORGS, org.line, "identifier", reason)
        found = coded or own
        if found is not None:
            org.nces_id = found.nces_id
        return found

    def _find(self, org: Org, by_sourced_id: dict[str, M], by_nces: dict[str, M]) -> M | None:
        found = by_sourced_id.get(org.sourced_id) or by_nces.get(org.nces_id)
        holder = by_nces.get(org.nces_id)
        if found is not None and holder is not None and holder.pk != found.pk:
            self.errors.add(ORGS, org.line, "identifier", NCES_TAKEN.format(nces=org.nces_id, name=holder))
        return found

    def _match_district(self, org: Org, *stored: dict[str, District]) -> District | None:
        found = self._find(org, *stored)
        if self.district_ids is not None and (found is None or found.pk not in self.district_ids):
            reason = DISTRICT_NOT_YOURS.format(name=org.name, nces=org.nces_id)
            self.errors.add(ORGS, org.line, "identifier", reason)
        return found

    def _match_school(self, org: Org, *stored: dict[str, School]) -> School | None:
        found = self._find(org, *stored)
        parent = self.districts.get(org.parent)
        if found is not None and (parent is None or found.district_id != parent.pk):
            reason = SCHOOL_IN_OTHER_DISTRICT.format(name=found.name, district=found.district.name)
            self.errors.add(ORGS, org.line, "parentSourcedId", reason)
        return found


def _stored(queryset: QuerySet[M], orgs: list[Org]) -> tuple[list[M], dict[str, M]]:
    """The stored rows any of the orgs could be, and those rows by nces_id."""
    sourced_ids = [org.sourced_id for org in orgs]
    nces_ids = [org.nces_id for org in orgs]
    rows = list(queryset.filter(Q(sourced_id__in=sourced_ids) | Q(nces_id__in=nces_ids)))
    return rows, {row.nces_id: row for row in rows}  # type: ignore[attr-defined]


def _differences(roster: Roster, matcher: _OrgMatcher, school_year: str) -> list[dict[str, Any]]:
    """Each change to stored data a re-import should not make unconfirmed, where orgs.csv asks for it."""
    found: list[dict[str, Any]] = []
    for org in roster.districts:
        stored_district = matcher.districts.get(org.sourced_id)
        if stored_district is not None and stored_district.name != org.name:
            reason = RENAMES.format(kind="District", old=stored_district.name, new=org.name)
            found.append({"line": org.line, "column": "name", "reason": reason})
    schools = {org.sourced_id: matcher.schools.get(org.sourced_id) for org in roster.schools}
    stored_counts = {
        e.school_id: e
        for e in Enrollment.objects.filter(school__in=[s for s in schools.values() if s], school_year=school_year)
    }
    for org in roster.schools:
        school = schools[org.sourced_id]
        if school is None:
            continue
        for reason in _school_differences(org, school, roster, stored_counts.get(school.pk), school_year):
            found.append({"line": org.line, "column": "", "reason": reason})
    return found


def _school_differences(
    org: Org, school: School, roster: Roster, stored: Enrollment | None, school_year: str
) -> Iterator[str]:
    if school.name != org.name:
        yield RENAMES.format(kind="School", old=school.name, new=org.name)
    tally = roster.tallies[org.sourced_id]
    span = (tally.lowest, tally.highest)
    if tally.lowest is not None and span != (school.lowest_grade, school.highest_grade):
        yield REGRADES.format(name=school.name, old=_span(school.lowest_grade, school.highest_grade), new=_span(*span))
    if stored is not None and tally.total:
        counts = roster.enrollment_counts(org.sourced_id)
        lost = [name for name in ENROLLMENT_FIELDS if getattr(stored, name) is not None and counts.get(name) is None]
        if lost:
            yield UNCOLLECTS.format(name=school.name, year=school_year, fields=", ".join(lost))


def _span(lowest: int | None, highest: int | None) -> str:
    return f"{lowest}–{highest}"


def _check_grade_spans(roster: Roster, matcher: _OrgMatcher, errors: ErrorLog) -> None:
    """A new school with students needs a grade span, and only its students' grades give one."""
    for org in roster.schools:
        tally = roster.tallies[org.sourced_id]
        if tally.total and tally.lowest is None and matcher.schools.get(org.sourced_id) is None:
            errors.add(ORGS, org.line, "", NO_GRADE_SPAN)


# --- writing --------------------------------------------------------------------------------


class _RolledBack(Exception):
    pass


class _Writer:
    def __init__(
        self,
        roster: Roster,
        matcher: _OrgMatcher,
        errors: ErrorLog,
        *,
        actor: Any,
        school_year: str,
        import_uuid: UUID | None,
    ) -> None:
        self.roster = roster
        self.matcher = matcher
        self.errors = errors
        self.actor = actor
        self.school_year = school_year
        self.import_uuid = import_uuid
        self.stats: dict[str, Counter[str]] = {"districts": Counter(), "schools": Counter(), "enrollments": Counter()}
        self.districts: dict[str, District] = {}
        self.per_school: list[dict[str, Any]] = []
        self.warnings: list[str] = []

    def write(self) -> bool:
        """Everything in one transaction; any error rolls all of it back."""
        try:
            with transaction.atomic():
                for org in self.roster.districts:
                    self._district(org)
                for org in self.roster.schools:
                    self._school(org)
                if self.errors:
                    raise _RolledBack
                self._audit()
        except _RolledBack:
            return False
        return True

    @contextmanager
    def _recording(self, org: Org) -> Iterator[None]:
        """A service's validation error becomes an error on the org's line of orgs.csv."""
        try:
            yield
        except ValidationError as error:
            for name, messages in validation_error_fields(error).items():
                for message in messages:
                    self.errors.add(ORGS, org.line, ORG_COLUMNS.get(name, ""), message)

    def _upsert(
        self, kind: str, stored: M | None, fields: dict[str, Any], create: Callable[..., M], update: Callable[..., M]
    ) -> M:
        if stored is None:
            self.stats[kind]["created"] += 1
            return create(**fields)
        changes = {name: value for name, value in fields.items() if getattr(stored, name) != value}
        self.stats[kind]["updated" if changes else "unchanged"] += 1
        return update(stored, **changes) if changes else stored

    def _district(self, org: Org) -> None:
        fields = {"name": org.name, "nces_id": org.nces_id, "state": org.state, "sourced_id": org.sourced_id}
        with self._recording(org):
            self.districts[org.sourced_id] = self._upsert(
                "districts",
                _locked(District, self.matcher.districts.get(org.sourced_id)),
                fields,
                create=lambda **f: services.district_create(actor=self.actor, **f),
                update=lambda d, **c: services.district_update(actor=self.actor, district=d, **c),
            )

    def _school(self, org: Org) -> None:
        district = self.districts.get(org.parent)
        if district is None:
            return  # its district failed, and said so
        tally = self.roster.tallies[org.sourced_id]
        stored = _locked(School, self.matcher.schools.get(org.sourced_id))
        if stored is None and not tally.total:
            self.stats["schools"]["skipped"] += 1
            self.warnings.append(SCHOOL_SKIPPED.format(name=org.name))
            return
        with self._recording(org):
            school = self._upsert(
                "schools",
                stored,
                _school_fields(org, tally),
                create=lambda **f: services.school_create(actor=self.actor, district=district, **f),
                update=lambda s, **c: services.school_update(actor=self.actor, school=s, **c),
            )
            if tally.total:
                self._enrollment(org, school, tally)

    def _enrollment(self, org: Org, school: School, tally: SchoolTally) -> None:
        counts = self.roster.enrollment_counts(org.sourced_id)
        stored = Enrollment.objects.filter(school=school, school_year=self.school_year).first()
        wanted = {"total": tally.total, "source": ONEROSTER_SOURCE, **counts}
        if stored is not None and all(getattr(stored, name) == value for name, value in wanted.items()):
            self.stats["enrollments"]["unchanged"] += 1
        else:
            self.stats["enrollments"]["updated" if stored else "created"] += 1
            services.enrollment_import(
                actor=self.actor, school=school, school_year=self.school_year, total=tally.total, counts=counts
            )
        self.per_school.append(_school_summary(school, tally.total, counts))

    def _audit(self) -> None:
        for district in self.districts.values():
            schools = [row for row in self.per_school if row["district_id"] == district.pk]
            students = sum(row["total"] for row in schools)
            audit_record(
                actor=self.actor,
                action=AuditEntry.Action.IMPORT,
                object_type=RosterImport._meta.label_lower,
                object_uuid=self.import_uuid,
                summary=f"Imported OneRoster enrollment for {self.school_year}: "
                f"{students} students in {len(schools)} schools of {district}",
                after={
                    "school_year": self.school_year,
                    "schools": {row["nces_id"]: {"total": row["total"], **row["counts"]} for row in schools},
                },
                district_id=district.pk,
            )

    def summary(self) -> dict[str, Any]:
        warnings = [*self.warnings, *self.roster.ignored_columns]
        if self.roster.unplaced:
            warnings.append(STUDENTS_UNPLACED.format(count=self.roster.unplaced))
        return {
            "version": self.roster.version,
            "school_year": self.school_year,
            "students": self.roster.students,
            "students_unplaced": self.roster.unplaced,
            "districts": dict(self.stats["districts"]),
            "schools": dict(self.stats["schools"]),
            "enrollments": dict(self.stats["enrollments"]),
            "not_collected": [name for name in ENROLLMENT_FIELDS if name not in self.roster.collected],
            "per_school": self.per_school,
            "warnings": warnings,
        }


def _locked(model: type[M], stored: M | None) -> M | None:
    """The stored row again, locked until the import commits (PostgreSQL; SQLite locks the database)."""
    return model._default_manager.select_for_update().get(pk=stored.pk) if stored is not None else None


def _school_fields(org: Org, tally: SchoolTally) -> dict[str, Any]:
    fields: dict[str, Any] = {"name": org.name, "nces_id": org.nces_id, "sourced_id": org.sourced_id}
    if tally.lowest is not None and tally.highest is not None:
        fields |= {
            "lowest_grade": tally.lowest,
            "highest_grade": tally.highest,
            "level": school_level(tally.lowest, tally.highest),
        }
    return fields


def _school_summary(school: School, total: int, counts: dict[str, int | None]) -> dict[str, Any]:
    return {
        "district_id": school.district_id,
        "name": school.name,
        "nces_id": school.nces_id,
        "lowest_grade": school.lowest_grade,
        "highest_grade": school.highest_grade,
        "total": total,
        "counts": counts,
    }


# --- uploads run as RosterImport records ------------------------------------------------------


def roster_import_create(
    *, actor: Any, upload: UploadedFile, school_year: str, district: District | None
) -> RosterImport:
    """Store the upload where only this process can read it, and queue its import."""
    roster_import = RosterImport(
        uploaded_by=actor, district=district, school_year=school_year, original_name=(upload.name or "")[:255]
    )
    validate_record(roster_import)
    roster_import.upload_path = _store_upload(roster_import.uuid, upload)
    roster_import.save()
    return roster_import


def _store_upload(uuid: UUID, upload: UploadedFile) -> str:
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    relative = f"{UPLOAD_FOLDER}/{uuid}.zip"
    descriptor = os.open(Path(settings.MEDIA_ROOT) / relative, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return relative


def roster_import_execute(roster_import: RosterImport) -> RosterImport:
    """Run a queued import, keeping its progress and outcome on the record; the upload is deleted after."""
    if roster_import.status != RosterImport.Status.QUEUED:
        return roster_import  # a task delivered twice runs once
    now = timezone.now()
    RosterImport.objects.filter(pk=roster_import.pk).update(
        status=RosterImport.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    outcome: RosterOutcome | None = None
    try:
        outcome = roster_import_run(
            path=Path(settings.MEDIA_ROOT) / roster_import.upload_path,
            school_year=roster_import.school_year,
            actor=roster_import.uploaded_by,
            district_ids=frozenset({roster_import.district_id}) if roster_import.district_id else None,
            progress=_ProgressWriter(roster_import.pk),
            import_uuid=roster_import.uuid,
            confirmed=frozenset(roster_import.confirmed_changes),
        )
    except Exception:
        logger.exception("Roster import %s stopped", roster_import.uuid)
        outcome = RosterOutcome(False, errors=[{"file": "", "line": None, "column": "", "reason": IMPORT_CRASHED}])
    finally:
        if outcome is None or not outcome.changes:  # kept only while it waits for confirmation
            _delete_upload(roster_import)
    if outcome.changes:
        return _await_confirmation(roster_import, outcome)
    return _finish(roster_import, outcome)


def _await_confirmation(roster_import: RosterImport, outcome: RosterOutcome) -> RosterImport:
    """Keep the upload and show the changes; nothing is written until someone confirms them."""
    roster_import.refresh_from_db()
    roster_import.status = RosterImport.Status.CONFIRM
    roster_import.errors = []
    roster_import.errors_not_shown = 0
    roster_import.summary = {"changes": outcome.changes}
    roster_import.phase = ""
    roster_import.progress_done = roster_import.progress_total
    roster_import.finished_at = timezone.now()
    validate_record(roster_import)
    roster_import.save()
    return roster_import


def roster_import_confirm(*, actor: Any, roster_import: RosterImport) -> RosterImport:
    """Queue the import again, allowed to make the changes it showed (and only those); audited.

    The caller enqueues it (tasks.roster_import_enqueue)."""
    changes = [change["reason"] for change in (roster_import.summary or {}).get("changes", [])]
    with transaction.atomic():
        queued = RosterImport.objects.filter(pk=roster_import.pk, status=RosterImport.Status.CONFIRM).update(
            status=RosterImport.Status.QUEUED,
            confirmed_changes=changes,
            confirmed_by=actor,
            progress_done=0,
            progress_total=0,
            finished_at=None,
        )
        if not queued:
            raise ValidationError(NOT_AWAITING_CONFIRMATION)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=roster_import,
            summary=CONFIRMED_SUMMARY.format(count=len(changes), year=roster_import.school_year),
            after={"confirmed_changes": changes},
            district_id=roster_import.district_id,
        )
    roster_import.refresh_from_db()
    return roster_import


def roster_import_discard(*, actor: Any, roster_import: RosterImport) -> RosterImport:
    """Drop an import that waits for confirmation: its upload is deleted and nothing changes."""
    if roster_import.status != RosterImport.Status.CONFIRM:
        raise ValidationError(NOT_AWAITING_CONFIRMATION)
    return roster_import_abandon(roster_import, IMPORT_DISCARDED)


def roster_imports_recover(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Fail the running roster imports whose worker stopped (no heartbeat for
    IMPORT_HEARTBEAT_TIMEOUT_MINUTES) and delete uploads no live import names: they hold students'
    names and birth dates. Imports left waiting for confirmation past CONFIRM_WINDOW are discarded too.
    Returns (imports failed, files deleted)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(minutes=settings.IMPORT_HEARTBEAT_TIMEOUT_MINUTES)
    running = RosterImport.objects.filter(status=RosterImport.Status.RUNNING)
    stale = list(running.annotate(beat=Coalesce("heartbeat_at", "started_at")).filter(beat__lt=cutoff))
    for roster_import in stale:
        roster_import_abandon(roster_import, WORKER_STOPPED)
    waiting = RosterImport.objects.filter(status=RosterImport.Status.CONFIRM)
    expired = list(waiting.filter(finished_at__lt=(now or timezone.now()) - CONFIRM_WINDOW))
    for waited in expired:
        roster_import_abandon(waited, CONFIRM_EXPIRED.format(hours=int(CONFIRM_WINDOW.total_seconds() // 3600)))
    live = RosterImport.objects.filter(
        status__in=[RosterImport.Status.QUEUED, RosterImport.Status.RUNNING, RosterImport.Status.CONFIRM]
    ).values_list("upload_path", flat=True)
    return len(stale) + len(expired), uploads_orphaned_delete(Path(settings.MEDIA_ROOT), UPLOAD_FOLDER, live)


def roster_import_abandon(roster_import: RosterImport, reason: str) -> RosterImport:
    """An import that will never run (it could not be queued): delete the upload, record why."""
    _delete_upload(roster_import)
    return _finish(
        roster_import, RosterOutcome(False, errors=[{"file": "", "line": None, "column": "", "reason": reason}])
    )


def _delete_upload(roster_import: RosterImport) -> None:
    if roster_import.upload_path:
        (Path(settings.MEDIA_ROOT) / roster_import.upload_path).unlink(missing_ok=True)
    roster_import.upload_path = ""
    RosterImport.objects.filter(pk=roster_import.pk).update(upload_path="")


def _finish(roster_import: RosterImport, outcome: RosterOutcome) -> RosterImport:
    roster_import.refresh_from_db()
    roster_import.status = RosterImport.Status.SUCCEEDED if outcome.succeeded else RosterImport.Status.FAILED
    roster_import.errors = outcome.errors
    roster_import.errors_not_shown = outcome.errors_not_shown
    roster_import.summary = outcome.summary
    roster_import.phase = ""
    roster_import.progress_done = roster_import.progress_total
    roster_import.finished_at = timezone.now()
    validate_record(roster_import)
    roster_import.save()
    return roster_import


class _ProgressWriter:
    """Progress onto the record, at most every half second: the status page polls it."""

    def __init__(self, pk: int) -> None:
        self.pk = pk
        self.phase = ""
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase == self.phase and now - self.last < PROGRESS_INTERVAL_SECONDS:
            return
        self.phase, self.last = phase, now
        RosterImport.objects.filter(pk=self.pk).update(
            phase=phase[:64], progress_done=min(done, total), progress_total=total, heartbeat_at=timezone.now()
        )


# --- who may import, and see which imports --------------------------------------------------
# (The access functions of RosterImport; they belong with access.py's once that file is free.)


def roster_import_allowed(user: Any) -> bool:
    scope = user_scope(user)
    return scope.platform_admin or bool(scope.district_admin_ids)


def roster_import_districts(user: Any) -> QuerySet[District]:
    """The districts the user may import into."""
    scope = user_scope(user)
    if scope.platform_admin:
        return District.objects.all()
    return District.objects.filter(pk__in=scope.district_admin_ids)


def roster_imports_visible_to(user: Any) -> QuerySet[RosterImport]:
    scope = user_scope(user)
    if scope.platform_admin:
        return RosterImport.objects.all()
    return RosterImport.objects.filter(district_id__in=scope.district_admin_ids)


def roster_import_get_for_user(user: Any, uuid: UUID | str) -> RosterImport:
    """403 for users who can never import; 404 for an import of a district not theirs."""
    if not roster_import_allowed(user):
        raise PermissionDenied(NOT_AN_IMPORTER)
    try:
        found = roster_imports_visible_to(user).select_related("district", "uploaded_by").get(uuid=uuid)
    except (RosterImport.DoesNotExist, ValueError, ValidationError):
        raise Http404(NOT_FOUND) from None
    if found.status == RosterImport.Status.RUNNING and _heart_stopped(found):
        found = roster_import_abandon(found, WORKER_STOPPED)  # the status page shows it, not "running"
    return found


def _heart_stopped(roster_import: RosterImport) -> bool:
    beat = roster_import.heartbeat_at or roster_import.started_at
    timeout = datetime.timedelta(minutes=settings.IMPORT_HEARTBEAT_TIMEOUT_MINUTES)
    return beat is not None and beat < timezone.now() - timeout
