"""Reading and checking the rows of a contacts CSV. Nothing here writes to the database.

The file is streamed (csv.reader over the open file) in chunks of rows. Officers are resolved once
per import, schools and existing client ids once per chunk, and each row is then checked in memory
by rules.record_problems, the same function services.interaction_record uses for a single record.
"""

from __future__ import annotations

import csv
import datetime
import operator
import re
import time
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from liaison.lib.bounded_input import InputTooLarge

from . import rules
from .vocabulary import DEFAULT_ROLE

# --- the columns (README.md, "Importing contacts") ---------------------------------------------

IDENTITY_COLUMNS = ("client_uuid", "badge_number", "school_nces_id")
CONTACT_COLUMNS = rules.INTERACTION_FIELDS
ENFORCEMENT_COLUMNS = rules.ENFORCEMENT_FIELDS
COLUMNS = (*IDENTITY_COLUMNS, *CONTACT_COLUMNS, *ENFORCEMENT_COLUMNS)
REQUIRED_COLUMNS = ("badge_number", "school_nces_id", "kind", "occurred_at")
# A student id must never travel through a bulk file, not even to be turned into a key.
STUDENT_ID_COLUMNS = frozenset({"student_id", "student_key", "student_number", "sis_id"})

EMPTY_FILE = "The file is empty: its first line must name the columns."
UNKNOWN_COLUMN = "“{name}” is not a column Liaison imports (the README lists them)."
MISSING_COLUMN = "The column “{name}” is missing."
REPEATED_COLUMN = "The column “{name}” appears twice."
NO_STUDENT_IDS = "Remove the “{name}” column: a bulk import never carries student ids."
WRONG_CELL_COUNT = "This line has {found} values; the header names {expected} columns."
NOT_UTF8 = "The file is not UTF-8 text from about this line on; save it as “CSV UTF-8” and upload it again."
NOT_CSV = "This line cannot be read as CSV ({error}); nothing after it was read."
NOT_A_UUID = "“{value}” is not a UUID."
UNKNOWN_BADGE = "No officer of this agency has badge number “{value}”."
UNKNOWN_SCHOOL = "No school has NCES id “{value}”."
NOT_A_NUMBER = "“{value}” is not a whole number."
NOT_YES_OR_NO = "“{value}” is not true or false."
NOT_A_TIME = "“{value}” is not a date and time such as 2025-10-01T09:30:00-04:00, or 2025-10-01 09:30 (local)."
NO_SUCH_LOCAL_TIME = "{value} did not happen in {zone}: the clocks moved forward past it."
UUID_REPEATED = "This client_uuid is also on an earlier line of the file."
UUID_TAKEN = "This id belongs to another agency's record."
UUID_REUSED = "This id is already stored with a different record (kind, officer, school or action type)."

# What each column holds, for the upload page (the README says the same at more length).
COLUMN_NOTES = {
    "client_uuid": "Optional. The record's id in the system it came from; a row whose id is stored is skipped.",
    "badge_number": "The officer's badge number in the agency.",
    "school_nces_id": "The school's 12-digit NCES id.",
    "kind": "What kind of contact.",
    "role": "Optional: follows from the kind.",
    "occurred_at": "2025-10-01T09:30:00-04:00, or 2025-10-01 09:30 in the agency's time zone.",
    "duration_minutes": "Optional whole minutes, 1 to 1440.",
    "student_count": "Optional, 0 to 5000.",
    "note": "Optional, at most 500 characters; no names, e-mail addresses, phone numbers or birth dates.",
    "staff_role": "Only on a staff consultation.",
    "service": "Only on a referral to services.",
    "instead_of_enforcement": "Optional: true or false.",
    "admin_consulted": "Enforcement: true or false.",
    "rms_report_number": "Enforcement, optional: the records-management system's report number.",
}
MAX_ERRORS_SHOWN = 200
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0"})
# Problems that rules.py reports under a name that is not a column.
RULE_COLUMNS = {"school": "school_nces_id", "enforcement": "action_type"}
IMPORTED = "import"  # Interaction.Source.IMPORT (models are not imported here)


# --- errors ---------------------------------------------------------------------------------------


@dataclass
class ErrorLog:
    """Every problem with line, column and reason; the first MAX_ERRORS_SHOWN are kept, the rest counted."""

    shown: list[dict[str, Any]] = field(default_factory=list)
    not_shown: int = 0

    def add(self, line: int | None, column: str, reason: str) -> None:
        if len(self.shown) < MAX_ERRORS_SHOWN:
            self.shown.append({"line": line, "column": column, "reason": reason})
        else:
            self.not_shown += 1

    @property
    def count(self) -> int:
        return len(self.shown) + self.not_shown

    def mark(self) -> tuple[int, int]:
        return len(self.shown), self.not_shown

    def extend(self, other: ErrorLog) -> None:
        """Log another log's problems after these, in their order."""
        for problem in other.shown:
            self.add(problem["line"], problem["column"], problem["reason"])
        self.not_shown += other.not_shown

    def restore(self, mark: tuple[int, int]) -> None:
        """Forget the problems logged since `mark`."""
        del self.shown[mark[0] :]
        self.not_shown = mark[1]

    def __bool__(self) -> bool:
        return bool(self.shown)


class Phases:
    """Wall seconds spent in each phase of an import, for its summary and the benchmark."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    def rounded(self) -> dict[str, float]:
        return {name: round(seconds, 2) for name, seconds in self.seconds.items()}


# --- reading ---------------------------------------------------------------------------------------


class CsvRows:
    """The header and the rows of a CSV file, streamed; `line` numbers are the file's own (1 = header)."""

    def __init__(self, stream: Iterable[str], errors: ErrorLog) -> None:
        self.errors = errors
        self.reader = csv.reader(stream)
        self.names: list[str] = []
        self.width = 0
        self.line = 0
        self.ended = False

    def read_header(self) -> bool:
        """Read and check the header; False (with errors logged) when the file cannot be imported."""
        names = self._next()
        if names is None:
            if not self.errors:  # not already refused as other than UTF-8
                self.errors.add(1, "", EMPTY_FILE)
            return False
        self.line = self.reader.line_num
        self.names = [name.strip().lower() for name in names]
        self.width = len(self.names)
        met: set[str] = set()
        for name in self.names:
            self._header_name(name, met)
        for name in REQUIRED_COLUMNS:
            if name not in met:
                self.errors.add(1, name, MISSING_COLUMN.format(name=name))
        return not self.errors

    def _header_name(self, name: str, met: set[str]) -> None:
        if name in STUDENT_ID_COLUMNS:
            self.errors.add(1, name, NO_STUDENT_IDS.format(name=name))
        elif name not in COLUMNS:
            self.errors.add(1, name, UNKNOWN_COLUMN.format(name=name))
        elif name in met:
            self.errors.add(1, name, REPEATED_COLUMN.format(name=name))
        met.add(name)

    def _next(self) -> list[str] | None:
        try:
            return next(self.reader)
        except StopIteration:
            return None
        except UnicodeDecodeError:
            self.errors.add(self.reader.line_num + 1, "", NOT_UTF8)
            return None
        except csv.Error as error:
            self.errors.add(self.reader.line_num, "", NOT_CSV.format(error=error))
            return None
        except InputTooLarge as error:
            self.errors.add(error.line, "", str(error))
            return None

    def read_into(self, chunk: list[tuple[int, list[str]]], size: int, errors: ErrorLog) -> None:
        """Add rows to `chunk` until it holds `size` (or the file ends), their problems logged in `errors`.

        (The loop reads the csv.reader directly, not through _next: a million rows, a few µs each.)
        """
        if self.ended or len(chunk) >= size:
            return
        reader, width = self.reader, self.width
        try:
            for cells in reader:
                start, self.line = self.line + 1, reader.line_num
                if len(cells) != width:
                    if cells:
                        errors.add(start, "", WRONG_CELL_COUNT.format(found=len(cells), expected=width))
                    continue
                chunk.append((start, cells))
                if len(chunk) >= size:
                    return
        except UnicodeDecodeError:
            errors.add(reader.line_num + 1, "", NOT_UTF8)
        except csv.Error as error:
            errors.add(reader.line_num, "", NOT_CSV.format(error=error))
        except InputTooLarge as error:
            errors.add(error.line, "", str(error))
        self.ended = True


class ChunksAhead:
    """A file's chunks of rows, the next one read ahead a few rows at a time (`read_some`).

    The writer asks for rows while the database is storing the chunk before (import_writers), so that
    reading the file overlaps the database's work instead of leaving it idle: a slice after each block
    of rows sent, while the server still has rows to store, rather than the whole chunk after the last
    block, when the server would soon wait for this process. Problems found in the chunk read ahead
    join the import's log only when the chunk is taken: until then the chunk before may still be
    undone, and its problems with it (imports._Run._write_new).
    """

    def __init__(self, rows: CsvRows, size: int) -> None:
        self.rows = rows
        self.size = size
        self.ahead: list[tuple[int, list[str]]] = []
        self.problems = ErrorLog()

    def read_some(self, count: int) -> None:
        """Read up to `count` more rows of the next chunk."""
        self.rows.read_into(self.ahead, min(self.size, len(self.ahead) + count), self.problems)

    def peek(self) -> tuple[list[tuple[int, list[str]]], bool]:
        """The next chunk, read whole (the very list iterating will give), and whether reading it found problems."""
        self.rows.read_into(self.ahead, self.size, self.problems)
        return self.ahead, bool(self.problems)

    def __iter__(self) -> Iterator[list[tuple[int, list[str]]]]:
        while True:
            self.rows.read_into(self.ahead, self.size, self.problems)
            chunk, problems = self.ahead, self.problems
            self.ahead, self.problems = [], ErrorLog()
            self.rows.errors.extend(problems)
            if not chunk:
                return
            yield chunk


# --- what a checked row becomes ---------------------------------------------------------------


class NewContact(NamedTuple):
    """One row that passed every check, in the types the writers format for the database."""

    client_uuid: str | None  # canonical text; None: the server makes one
    officer_id: int
    created_by_id: int
    school_id: int
    district_id: int
    values: dict[str, Any]  # the row by column, with rules.INTERACTION_FIELDS as values
    occurred_on: datetime.date
    details: dict[str, Any] | None  # rules.ENFORCEMENT_FIELDS, defaults applied


class Officer(NamedTuple):
    id: int
    user_id: int


class School(NamedTuple):
    id: int
    district_id: int


@dataclass
class ImportContext:
    """What every row is checked against, loaded once per import."""

    agency_id: int
    time_zone: zoneinfo.ZoneInfo
    officers: dict[str, Officer]
    served_district_ids: frozenset[int]
    now: datetime.datetime
    actor_id: int | None = None
    # The largest record id when the import began: larger ones of this agency's imports are its own.
    after_id: int = 0
    schools: dict[str, School | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.today = self.now.astimezone(self.time_zone).date()


class Stored(NamedTuple):
    """A stored record found by its uuid."""

    id: int
    agency_id: int
    source: str
    kind: str = ""
    officer_id: int | None = None
    school_id: int | None = None
    action_type: str | None = None


# Finds schools by NCES id, and stored records by uuid: a few queries per chunk.
SchoolLookup = Callable[[Iterable[str]], Mapping[str, School]]
UuidLookup = Callable[[list[str]], Mapping[str, Stored]]


# --- checking --------------------------------------------------------------------------------------

_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# The fast path: the columns whose values it remembers, and the checks it repeats from the model fields.
_QUICK_CODED = (
    "kind", "role", "grade_band", "setting", "initiated_by", "staff_role", "service", "instead_of_enforcement",
)  # fmt: skip


def _limit(value: int | None) -> int:
    assert value is not None, "the fast path repeats the model field's range"
    return value


_DURATION_LOW = _limit(rules.INTERACTION_RULES["duration_minutes"].minimum)
_DURATION_HIGH = _limit(rules.INTERACTION_RULES["duration_minutes"].maximum)
_STUDENTS_LOW = _limit(rules.INTERACTION_RULES["student_count"].minimum)
_STUDENTS_HIGH = _limit(rules.INTERACTION_RULES["student_count"].maximum)


def canonical_uuid(text: str) -> str | None:
    """A UUID as lower-case text with dashes (what PostgreSQL prints), or None when it is not one."""
    lowered = text.lower()
    if _CANONICAL_UUID.fullmatch(lowered):
        return lowered
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


class Problems(dict[str, list[str]]):
    def add(self, column: str, message: str) -> None:
        self.setdefault(column, []).append(message)


def _integer(text: str, column: str, problems: Problems) -> int | None:
    try:
        return int(text)
    except ValueError:
        problems.add(column, NOT_A_NUMBER.format(value=text))
        return None


def _yes_no(text: str, column: str, problems: Problems) -> bool | None:
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    problems.add(column, NOT_YES_OR_NO.format(value=text))
    return None


def parse_moment(text: str, zone: zoneinfo.ZoneInfo) -> tuple[datetime.datetime, datetime.date] | str:
    """ISO 8601 with an offset, or a local date and time in the agency's zone → (moment, local day), or why not."""
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        return NOT_A_TIME.format(value=text)
    if len(text) <= len("2025-10-01"):
        return NOT_A_TIME.format(value=text)  # a date without a time
    if parsed.tzinfo is not None:
        return parsed, parsed.astimezone(zone).date()
    moment = parsed.replace(tzinfo=zone)
    if moment.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) != parsed:
        return NO_SUCH_LOCAL_TIME.format(value=text, zone=zone.key)
    return moment, parsed.date()


class RowChecker:
    """Checks rows against an ImportContext; a row's problems go to the ErrorLog under its line."""

    def __init__(self, context: ImportContext, names: list[str], errors: ErrorLog) -> None:
        self.context = context
        self.errors = errors
        self.names = names
        self.detail_names = tuple(name for name in names if name in ENFORCEMENT_COLUMNS)
        # Client ids of the chunk so far. Those of earlier chunks are found among the stored records,
        # this import's own (its transaction sees them), so a million ids need not be held here.
        self.seen: set[str] = set()
        self.stored: Mapping[str, Stored] = {}
        self.skipped = 0
        # The fast path (see `_quick`): the coded values of rows the full check found good.
        self.good_codes: dict[tuple[Any, ...], tuple[str, bool | None]] = {}
        self.coded_names = tuple(name for name in _QUICK_CODED if name in names)
        detail_cells = [at for at, name in enumerate(names) if name in ENFORCEMENT_COLUMNS]
        # the row's enforcement cells, as a tuple (itemgetter of one index returns the cell alone)
        self.detail_cells: Callable[[list[str]], Any] = (
            operator.itemgetter(*detail_cells, *detail_cells) if detail_cells else lambda cells: ()
        )
        self.future = context.now + rules.FUTURE_TOLERANCE

    def needs_lookup(self, chunk: list[tuple[int, list[str]]]) -> bool:
        """Whether preparing the chunk would query the database (schools not met before)."""
        nces_at = self.names.index("school_nces_id")
        return not {cells[nces_at].strip() for _, cells in chunk} <= self.context.schools.keys()

    @contextmanager
    def logging_to(self, log: ErrorLog) -> Iterator[None]:
        """Problems found meanwhile go to `log` instead."""
        before, self.errors = self.errors, log
        try:
            yield
        finally:
            self.errors = before

    def prepare(self, chunk: list[tuple[int, list[str]]], schools: SchoolLookup, stored: UuidLookup | None) -> None:
        """Look up, in one query each, the chunk's schools not met before and its client ids already stored
        (with `stored` None, none: the caller lets the uuid index find them, see imports._Run)."""
        nces_at = self.names.index("school_nces_id")
        unknown = {cells[nces_at].strip() for _, cells in chunk} - self.context.schools.keys()
        if unknown:
            found = schools(unknown)
            self.context.schools.update({nces: found.get(nces) for nces in unknown})
        self.seen = set()
        self.stored = {}
        if stored is not None and "client_uuid" in self.names:
            at = self.names.index("client_uuid")
            self.stored = stored([u for _, cells in chunk if (u := canonical_uuid(cells[at].strip()))])

    def check(self, line: int, cells: list[str]) -> NewContact | None:
        """The row as a NewContact, or None: already stored (skipped), or wrong (logged)."""
        raw: dict[str, Any] = dict(zip(self.names, map(str.strip, cells), strict=True))
        if not raw.get("note") and not any(self.detail_cells(cells)):
            quick = self._quick(raw)
            if quick is not None:
                return quick
        return self._check(line, raw)

    def _quick(self, raw: dict[str, Any]) -> NewContact | None:
        """The common row, a contact without note or enforcement details, checked in a few lookups.

        None means "not sure": the full check (`_check`) then decides and words every problem. The
        fast path accepts only rows the full check accepts, with the same values: the combination
        of coded values (kind, role, grade band, …, instead_of_enforcement) must be one a full check
        already passed in this import, and the rest is what rules.record_problems checks of such a
        row: a known officer, a served school, numbers in the model fields' ranges, a time that
        parses and is not in the future (parse_moment, as the full check). Rows with a note or any
        enforcement detail always take the full check. tests/test_import_fast_path.py holds the two together.
        """
        context = self.context
        client_uuid = raw.get("client_uuid") or None
        if client_uuid is not None:
            client_uuid = client_uuid.lower()
            if not _CANONICAL_UUID.fullmatch(client_uuid) or client_uuid in self.seen or client_uuid in self.stored:
                return None
        get: Callable[[str], Any] = raw.get
        codes = self.good_codes.get(tuple(map(get, self.coded_names)))
        officer = context.officers.get(raw["badge_number"])
        school = context.schools.get(raw["school_nces_id"])
        if codes is None or officer is None or school is None or school.district_id not in context.served_district_ids:
            return None
        try:
            duration = int(raw["duration_minutes"]) if raw.get("duration_minutes") else None
            students = int(raw["student_count"]) if raw.get("student_count") else None
        except ValueError:
            return None
        if (duration is not None and not _DURATION_LOW <= duration <= _DURATION_HIGH) or (
            students is not None and not _STUDENTS_LOW <= students <= _STUDENTS_HIGH
        ):
            return None
        parsed = parse_moment(raw["occurred_at"], context.time_zone)
        if isinstance(parsed, str) or parsed[0] > self.future:
            return None
        raw["role"], raw["instead_of_enforcement"] = codes
        raw["duration_minutes"], raw["student_count"], (raw["occurred_at"], occurred_on) = duration, students, parsed
        if client_uuid is not None:
            self.seen.add(client_uuid)
        created_by = context.actor_id or officer.user_id
        return NewContact(client_uuid, officer.id, created_by, school.id, school.district_id, raw, occurred_on, None)

    def _check(self, line: int, raw: dict[str, Any]) -> NewContact | None:
        codes = tuple(map(raw.get, self.coded_names))
        problems = Problems()
        client_uuid = self._client_uuid(raw.get("client_uuid") or "", problems)
        if client_uuid is not None and client_uuid in self.stored:
            self._stored(line, client_uuid, raw, problems)
            return None
        officer = self._officer(raw["badge_number"], problems)
        school = self._school(raw["school_nces_id"], problems)
        role_given = bool(raw.get("role"))
        occurred_on = self._convert(raw, problems)
        details = self._details(raw, problems)
        self._apply_rules(raw, details, school, problems, role_given=role_given)
        if problems or officer is None or school is None or occurred_on is None:
            self._log(line, problems)
            return None
        if details is not None:
            details = rules.enforcement_defaults(details)
        elif not raw.get("note"):
            self.good_codes[codes] = (raw["role"], raw["instead_of_enforcement"])
        created_by = self.context.actor_id or officer.user_id
        return NewContact(client_uuid, officer.id, created_by, school.id, school.district_id, raw, occurred_on, details)

    def _stored(self, line: int, client_uuid: str, raw: dict[str, Any], problems: Problems) -> None:
        """A row already stored is skipped, unless this import stored it or it is another agency's."""
        found = self.stored[client_uuid]
        if found.agency_id != self.context.agency_id:
            problems.add("client_uuid", UUID_TAKEN)
        elif not self._same_record(found, raw):
            problems.add("client_uuid", UUID_REUSED)
        elif found.id > self.context.after_id and found.source == IMPORTED and not problems:
            problems.add("client_uuid", UUID_REPEATED)  # stored by this import, from an earlier chunk
        if problems:
            self._log(line, problems)
        else:
            self.skipped += 1

    def _same_record(self, found: Stored, raw: dict[str, Any]) -> bool:
        """Whether the row describes the stored record (a re-import), not another one under its id."""
        officer = self.context.officers.get(raw.get("badge_number", ""))
        school = self.context.schools.get(raw.get("school_nces_id", ""))
        sent = (
            raw.get("kind"),
            officer.id if officer else None,
            school.id if school else None,
            raw.get("action_type") or None,
        )
        return sent == (found.kind, found.officer_id, found.school_id, found.action_type)

    def _log(self, line: int, problems: Problems) -> None:
        for column, messages in problems.items():
            for message in messages:
                self.errors.add(line, column, message)

    def _client_uuid(self, text: str, problems: Problems) -> str | None:
        if not text:
            return None
        value = canonical_uuid(text)
        if value is None:
            problems.add("client_uuid", NOT_A_UUID.format(value=text))
            return None
        if value in self.seen:
            problems.add("client_uuid", UUID_REPEATED)
        self.seen.add(value)
        return value

    def _officer(self, badge: str, problems: Problems) -> Officer | None:
        officer = self.context.officers.get(badge)
        if officer is None:
            problems.add("badge_number", UNKNOWN_BADGE.format(value=badge) if badge else rules.REQUIRED)
        return officer

    def _school(self, nces_id: str, problems: Problems) -> School | None:
        school = self.context.schools.get(nces_id)
        if school is None:
            problems.add("school_nces_id", UNKNOWN_SCHOOL.format(value=nces_id) if nces_id else rules.REQUIRED)
        return school

    def _convert(self, raw: dict[str, Any], problems: Problems) -> datetime.date | None:
        """Turn the row's numbers, flags and time into values, in place; returns the local day."""
        raw["role"] = raw.get("role") or DEFAULT_ROLE.get(raw["kind"], "")
        for name in ("duration_minutes", "student_count"):
            raw[name] = _integer(raw[name], name, problems) if raw.get(name) else None
        flag = raw.get("instead_of_enforcement")
        raw["instead_of_enforcement"] = _yes_no(flag, "instead_of_enforcement", problems) if flag else None
        if not raw["occurred_at"]:
            raw["occurred_at"] = None
            return None
        parsed = parse_moment(raw["occurred_at"], self.context.time_zone)
        if isinstance(parsed, str):
            problems.add("occurred_at", parsed)
            raw["occurred_at"] = None
            return None
        raw["occurred_at"], occurred_on = parsed
        return occurred_on

    def _details(self, raw: dict[str, Any], problems: Problems) -> dict[str, Any] | None:
        details: dict[str, Any] = {name: raw[name] for name in self.detail_names if raw[name]}
        if not details:
            return None
        if "admin_consulted" in details:
            details["admin_consulted"] = _yes_no(details["admin_consulted"], "admin_consulted", problems)
        return details

    def _apply_rules(
        self,
        raw: dict[str, Any],
        details: dict[str, Any] | None,
        school: School | None,
        problems: Problems,
        *,
        role_given: bool,
    ) -> None:
        found = rules.record_problems(
            raw,
            details,
            district_id=school.district_id if school is not None else None,
            served_district_ids=self.context.served_district_ids,
            now=self.context.now,
            today=self.context.today,
        )
        for name, messages in found.items():
            column = RULE_COLUMNS.get(name, name)
            if column in problems or (name == "role" and not role_given):
                continue  # already explained: a value that did not parse, or a role left to a bad kind
            for message in messages:
                problems.add(column, message)
