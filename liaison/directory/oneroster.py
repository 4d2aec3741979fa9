"""Reading a OneRoster CSV set (1.1, or 1.2 with roles.csv) into enrollment counts per school.

Student rows are read one at a time and folded into per-school counters; only the counts
leave this module. Nothing here touches the database: `read_roster` returns the district
and school orgs with the counts, and records every problem in an ErrorLog (file, line,
column, reason) instead of stopping at the first.

Rules (DOMAIN.md, "Standards for import"; CRDC for the categories):
- Only students count (users.csv `role`, or roles.csv in 1.2). Rows with status
  `tobedeleted` are skipped. `enabledUser=false` still counts: it says the student may not
  sign in to systems, not that they left the school (kindergartners often have no login).
- A student is placed in every school that users.csv `orgSourcedIds`/`primaryOrgSourcedId`,
  roles.csv or enrollments.csv names for them, and counts once in each.
- Race/ethnicity: Hispanic or Latino first; otherwise two or more races when two or more race
  flags or the two-or-more flag are set; otherwise the one race; none set, no race counted.
  The categories are counted only when the file set carries the Hispanic column and all five
  race columns, since a missing column would move students between categories.
- Sex: male, female, and other (nonbinary, as CRDC counts it); unspecified is not counted.
- Disability and English-learner status are not in OneRoster's core CSV: never counted here.

Messages about the student files never quote a cell: a misaligned row can carry a student's
name into any column, and the errors are stored and shown.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import zipfile
from collections.abc import Callable, Generator, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path, PurePosixPath
from typing import IO, Any

from liaison.lib.bounded_input import InputTooLarge, bounded_lines, zip_check
from liaison.lib.states import STATE_FIPS

from .models import ENROLLMENT_FIELDS, District, School

MANIFEST = "manifest.csv"
ORGS = "orgs.csv"
USERS = "users.csv"
ROLES = "roles.csv"
ENROLLMENTS = "enrollments.csv"
DEMOGRAPHICS = "demographics.csv"
ROSTER_FILES = (MANIFEST, ORGS, USERS, ROLES, ENROLLMENTS, DEMOGRAPHICS)
REQUIRED_FILES = (ORGS, USERS)

MAX_ERRORS = 200
PROGRESS_EVERY_ROWS = 5000
NAME_LIMIT = min(District._meta.get_field("name").max_length or 200, School._meta.get_field("name").max_length or 200)
SOURCED_ID_LIMIT = 255

# --- messages (tests import these) ------------------------------------------------------

NOT_A_ROSTER = "Not a folder or a zip file."
BAD_ZIP = "Not a readable zip file."
MISSING_FILE = "The roster has no {name}."
DUPLICATE_FILE = "The zip holds more than one {name}."
DELTA_NOT_SUPPORTED = "Only bulk exports can be imported; the manifest marks {name} as a delta."
EMPTY_FILE = "The file is empty; it needs at least a header row."
MISSING_COLUMN = "The required column {column} is missing."
DUPLICATE_COLUMN = "The column {column} appears more than once."
WRONG_FIELD_COUNT = "This row has {found} fields; the header has {expected}."
NOT_UTF8 = "This cell is not UTF-8 text; export the file as UTF-8."
UNREADABLE_CSV = "The file cannot be read as CSV from here on ({detail})."
MISSING_VALUE = "A value is required."
VALUE_TOO_LONG = "The value is longer than {limit} characters."
DUPLICATE_SOURCED_ID = "Another row of this file has the same sourcedId."
BAD_STATUS = "Status must be active or tobedeleted."
BAD_BOOLEAN = "Expected true or false."
BAD_SEX = "Sex must be male, female, other or unspecified."
BAD_GRADE = "Not a OneRoster grade code (PK, KG, 01 to 12, or IT, PR, TK, 13, PS, UG, Other)."
UNKNOWN_ORG = "No org in orgs.csv has this sourcedId."
NOT_A_SCHOOL = "This org is not a school in orgs.csv."
UNKNOWN_USER = "No user in users.csv has this sourcedId."
NO_ROLES = "users.csv has no role column and there is no roles.csv, so students cannot be told apart."
NO_PLACEMENT = (
    "Nothing places students in schools: users.csv has no orgSourcedIds or primaryOrgSourcedId column "
    "and there is no enrollments.csv or roles.csv."
)
NO_SCHOOLS = "orgs.csv has no active org of type school."
BAD_DISTRICT_NCES = "An NCES district id is exactly 7 digits; {value!r} is not."
BAD_SCHOOL_NCES = "An NCES school id is exactly 12 digits; {value!r} is not."
UNKNOWN_LOCAL_CODE = (
    "{value!r} is neither a 12-digit NCES school id nor a local code saved for this district "
    "(the district's Local school codes page maps them)."
)
UNKNOWN_FIPS = "The NCES id {value} does not start with the FIPS code of a US state or territory."
PARENT_NOT_DISTRICT = "The parent {value!r} is not a district in orgs.csv."
NCES_OUTSIDE_DISTRICT = "The NCES school id must start with its district's NCES id {district}."
DUPLICATE_NCES = "Another org in orgs.csv has the NCES id {value}."

# --- vocabularies -------------------------------------------------------------------------

# OneRoster grade codes (CEDS). TK counts as kindergarten, as California reports it.
GRADE_CODES: dict[str, int] = {
    "IT": -1,
    "PR": -1,
    "PK": -1,
    "TK": 0,
    "KG": 0,
    **{f"{grade:02d}": grade for grade in range(1, 13)},
    **{str(grade): grade for grade in range(1, 10)},
}
UNGRADED_CODES = frozenset({"13", "PS", "UG", "OTHER"})  # valid, but outside a K-12 grade span

COUNTED_FIELDS = (
    "total",
    "hispanic_latino",
    "american_indian_alaska_native",
    "asian",
    "native_hawaiian_pacific_islander",
    "black",
    "white",
    "two_or_more_races",
    "male",
    "female",
    "nonbinary",
)
RACE_FIELDS = frozenset(COUNTED_FIELDS[1:8])
SEX_FIELDS = frozenset(COUNTED_FIELDS[8:])
_AT = {name: position for position, name in enumerate(COUNTED_FIELDS)}

HISPANIC = "hispanicOrLatinoEthnicity"
TWO_OR_MORE = "demographicRaceTwoOrMoreRaces"
RACE_COLUMNS: dict[str, int] = {
    "americanIndianOrAlaskaNative": _AT["american_indian_alaska_native"],
    "asian": _AT["asian"],
    "blackOrAfricanAmerican": _AT["black"],
    "nativeHawaiianOrOtherPacificIslander": _AT["native_hawaiian_pacific_islander"],
    "white": _AT["white"],
}
SEX_CODES: dict[str, int | None] = {
    "male": _AT["male"],
    "m": _AT["male"],
    "female": _AT["female"],
    "f": _AT["female"],
    "other": _AT["nonbinary"],
    "nonbinary": _AT["nonbinary"],
    "x": _AT["nonbinary"],
    "unspecified": None,
    "unknown": None,
    "": None,
}
BOOLEANS = {"true": True, "false": False, "": False}

# Header spellings seen in real exports and vendor documents, besides case differences
# (demographicRaceTwoorMoreRaces, americanIndianorAlaskaNative match case-insensitively).
COLUMN_VARIANTS: dict[str, tuple[str, ...]] = {
    TWO_OR_MORE: ("demogrphicRaceTwoOrMoreRaces", "demographicRaceTwoOrMoreRace"),
    "americanIndianOrAlaskaNative": ("americanIndianOrAlaskanNative",),
    "nativeHawaiianOrOtherPacificIslander": (
        "nativeHawaiianOrOtherPacificIslande",
        "nativeHawaiianOrPacificIslander",
        "naitiveHawaiianOrPacificIslander",
        "nativeAmericanOrOtherPacificIslander",
    ),
}

# Every column of the standard files (1.1 and 1.2), read or not: a heading among these is never
# taken for a misspelling of a column we read.
STANDARD_COLUMNS: dict[str, frozenset[str]] = {
    name: frozenset(column.lower() for column in columns.split(","))
    for name, columns in {
        MANIFEST: "propertyName,value",
        ORGS: "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId,metadata",
        USERS: "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,"
        "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,"
        "preferredFirstName,preferredMiddleName,preferredLastName,primaryOrgSourcedId,pronouns,metadata",
        ROLES: "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,"
        "userProfileSourcedId",
        ENROLLMENTS: "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,"
        "beginDate,endDate,metadata",
        DEMOGRAPHICS: "sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,"
        "blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,demographicRaceTwoOrMoreRaces,"
        "hispanicOrLatinoEthnicity,countryOfBirthCode,stateOfBirthAbbreviation,cityOfBirth,"
        "publicSchoolResidenceStatus,metadata",
    }.items()
}
NEAR_MISS_CUTOFF = 0.85  # difflib's ratio: a letter or two off in a name of 10 or more
NEAR_MISS_COLUMN = "The column {heading!r} looks like a misspelling of {known!r}; rename it to {known!r}."
IGNORED_COLUMN = "{file}: the column {heading!r} is not a OneRoster column Liaison reads; it was ignored."

# Columns each file must have, and the ones read when present.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    MANIFEST: (("propertyName", "value"), ()),
    ORGS: (("sourcedId", "name", "type", "identifier", "parentSourcedId"), ("status",)),
    USERS: (("sourcedId",), ("status", "enabledUser", "role", "orgSourcedIds", "primaryOrgSourcedId", "grades")),
    ROLES: (("sourcedId", "userSourcedId", "role", "orgSourcedId"), ("status",)),
    ENROLLMENTS: (("sourcedId", "schoolSourcedId", "userSourcedId", "role"), ("status",)),
    DEMOGRAPHICS: (("sourcedId",), ("status", "sex", HISPANIC, TWO_OR_MORE, *RACE_COLUMNS)),
}

_FIPS_STATES = {fips: state for state, fips in STATE_FIPS.items()}
_DISTRICT_NCES = re.compile(r"\d{7}")
_SCHOOL_NCES = re.compile(r"\d{12}")

_Rows = Generator[tuple[int, list[str]], None, None]
Progress = Callable[[str, int, int], None]
"""progress(phase, done, total): called now and then while reading, in bytes."""


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterError:
    file: str
    line: int | None
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "reason": self.reason}


class ErrorLog:
    """Every error found, the first `limit` kept in full and the rest counted."""

    def __init__(self, limit: int = MAX_ERRORS) -> None:
        self.limit = limit
        self.items: list[RosterError] = []
        self.not_shown = 0

    def add(self, file: str, line: int | None, column: str, reason: str) -> None:
        if len(self.items) < self.limit:
            self.items.append(RosterError(file, line, column, reason))
        else:
            self.not_shown += 1

    def __len__(self) -> int:
        return len(self.items) + self.not_shown

    def as_list(self) -> list[dict[str, Any]]:
        return [item.as_dict() for item in self.items]


@dataclass
class Org:
    """A district or school row of orgs.csv."""

    sourced_id: str
    line: int
    kind: str
    name: str
    nces_id: str
    parent: str = ""
    state: str = ""
    # A school whose identifier is the district's own code, not an NCES id: matched to a stored
    # school through the district's saved local codes, which then give its nces_id.
    local_code: str = ""


@dataclass
class SchoolTally:
    counts: list[int] = field(default_factory=lambda: [0] * len(COUNTED_FIELDS))
    lowest: int | None = None
    highest: int | None = None

    @property
    def total(self) -> int:
        return self.counts[0]

    def add_student(self, lowest: int | None, highest: int | None) -> None:
        self.counts[0] += 1
        if lowest is not None and (self.lowest is None or lowest < self.lowest):
            self.lowest = lowest
        if highest is not None and (self.highest is None or highest > self.highest):
            self.highest = highest


@dataclass
class Roster:
    """What a roster holds, as aggregates: the orgs and each school's counts."""

    version: str
    districts: list[Org]
    schools: list[Org]
    tallies: dict[str, SchoolTally]
    collected: frozenset[str]
    students: int
    unplaced: int
    ignored_columns: list[str] = field(default_factory=list)

    def enrollment_counts(self, school_sourced_id: str) -> dict[str, int | None]:
        """The subgroup counts for Enrollment: None where the file set does not carry the subgroup."""
        counts = self.tallies[school_sourced_id].counts
        return {
            name: counts[_AT[name]] if name in _AT and name in self.collected else None for name in ENROLLMENT_FIELDS
        }


def school_level(lowest: int, highest: int) -> str:
    """The school level of a grade span, by NCES's rules, with K–12 for spans from PK, K or 1 to 12."""
    if lowest <= 1 and highest == 12:
        return School.Level.K12
    if lowest >= 7 and highest == 12:
        return School.Level.HIGH
    if lowest <= 3 and highest <= 8:
        return School.Level.ELEMENTARY
    if 4 <= lowest <= 7 and highest <= 9:
        return School.Level.MIDDLE
    return School.Level.OTHER


# --- the files: a folder or a zip ---------------------------------------------------------


class RosterSource:
    """The roster's files, found by name whatever their case, in a folder or anywhere in a zip."""

    def __init__(self, path: Path, archive: zipfile.ZipFile | None, members: dict[str, Any]) -> None:
        self.path = path
        self.archive = archive
        self.members = members

    def has(self, name: str) -> bool:
        return name in self.members

    def size(self, name: str) -> int:
        member = self.members[name]
        return member.file_size if self.archive is not None else member.stat().st_size

    def open(self, name: str) -> IO[bytes]:
        if self.archive is not None:
            return self.archive.open(self.members[name])
        return open(self.members[name], "rb")

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()


def open_source(path: Path, errors: ErrorLog) -> RosterSource | None:
    if path.is_dir():
        files = {child.name.lower(): child for child in path.iterdir() if child.is_file()}
        return RosterSource(path, None, {name: files[name] for name in ROSTER_FILES if name in files})
    if not path.is_file():
        errors.add(path.name, None, "", NOT_A_ROSTER)
        return None
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        errors.add(path.name, None, "", BAD_ZIP)
        return None
    try:
        zip_check(archive, file=path.name)
    except InputTooLarge as error:
        archive.close()
        errors.add(path.name, None, "", str(error))
        return None
    return RosterSource(path, archive, _zip_members(archive, errors))


def _zip_members(archive: zipfile.ZipFile, errors: ErrorLog) -> dict[str, zipfile.ZipInfo]:
    members: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        parts = PurePosixPath(info.filename).parts
        name = parts[-1].lower() if parts else ""
        if info.is_dir() or "__MACOSX" in parts or name not in ROSTER_FILES:
            continue
        if name in members:
            errors.add(name, None, "", DUPLICATE_FILE.format(name=name))
        members[name] = info
    return members


# --- reading ------------------------------------------------------------------------------


def read_roster(
    path: Path,
    *,
    errors: ErrorLog,
    progress: Progress | None = None,
    check_orgs: Callable[[list[Org], list[Org]], None] | None = None,
) -> Roster | None:
    """Read and check the whole roster. None when it could not be read far enough to count.

    `check_orgs(districts, schools)` runs once orgs.csv is read, so checks against stored
    records report their errors in file order.
    """
    source = open_source(path, errors)
    if source is None:
        return None
    with ExitStack() as files:
        files.callback(source.close)
        return _Reader(source, files, errors, progress).read(check_orgs)


class _Person:
    """What the reader keeps about a user between files: never a name or an id of theirs."""

    __slots__ = ("highest", "lowest", "schools", "student")

    def __init__(self, student: bool) -> None:
        self.student = student
        self.schools: tuple[str, ...] = ()
        self.lowest: int | None = None
        self.highest: int | None = None

    def place(self, school: str) -> None:
        if school not in self.schools:
            self.schools = (*self.schools, school)

    def add_grade(self, grade: int) -> None:
        self.lowest = grade if self.lowest is None else min(self.lowest, grade)
        self.highest = grade if self.highest is None else max(self.highest, grade)


@dataclass
class _Table:
    """Where a file's known columns are. Rows get one blank cell appended, where missing columns point."""

    name: str
    header: list[str]
    at: dict[str, int]
    present: frozenset[str]

    def cell(self, row: list[str], column: str) -> str:
        return row[self.at[column]].strip()

    def take(self, *columns: str) -> Callable[[list[str]], tuple[str, ...]]:
        """The raw cells of two or more columns in one call (the loops over student rows use it)."""
        return itemgetter(*(self.at[column] for column in columns))

    def heading(self, column: str) -> str:
        """The column as the file spells it."""
        return self.header[self.at[column]].strip() if column in self.present else column


class _Meter:
    """Bytes read so far across the roster's files, for the caller's progress callback."""

    def __init__(self, callback: Progress | None, total: int) -> None:
        self.callback = callback
        self.total = max(total, 1)
        self.base = 0

    def at(self, name: str, position: int) -> None:
        if self.callback is not None:
            self.callback(f"Reading {name}", min(self.base + position, self.total), self.total)

    def finished(self, name: str, size: int) -> None:
        self.base += size
        self.at(name, 0)


_ACTIVE = frozenset({"", "active"})
_SKIPPED = frozenset({"tobedeleted", "inactive"})


def _split(value: str) -> list[str]:
    if "," not in value:  # the usual single value, quickly
        value = value.strip()
        return [value] if value else []
    return [part.strip() for part in value.split(",") if part.strip()]


def _is(value: str, word: str) -> bool:
    return value == word or value.strip().lower() == word


def _normal(heading: str) -> str:
    return heading.strip().lstrip("\ufeff").lower()


def _lookup(columns: Iterable[str]) -> dict[str, str]:
    """Normalised heading → canonical column, with the known misspellings."""
    found: dict[str, str] = {}
    for column in columns:
        for spelling in (column, *COLUMN_VARIANTS.get(column, ())):
            found[_normal(spelling)] = column
    return found


class _Reader:
    def __init__(self, source: RosterSource, files: ExitStack, errors: ErrorLog, progress: Progress | None) -> None:
        self.source = source
        self.files = files
        self.errors = errors
        total = sum(source.size(name) for name in ROSTER_FILES if source.has(name) and name != MANIFEST)
        self.meter = _Meter(progress, total)
        self.has_roles = source.has(ROLES)
        self.version = "1.2" if self.has_roles else "1.1"
        self.org_kinds: dict[str, str] = {}
        self.deleted_orgs: set[str] = set()
        self.nces_lines: dict[str, int] = {}
        self.districts: list[Org] = []
        self.schools: dict[str, Org] = {}
        self.tallies: dict[str, SchoolTally] = {}
        self.people: dict[str, _Person] = {}
        self.others: set[str] = set()  # active users who are not students (1.1)
        self.deleted_users: set[str] = set()
        self.collected: set[str] = {"total"}
        self.schools_named: dict[bool, dict[str, tuple[str, ...]]] = {False: {}, True: {}}
        self.race_of: dict[tuple[str, ...], int | None] = {}
        self.ignored: list[str] = []
        self.students = 0
        self.unplaced = 0

    def error(self, file: str, line: int | None, column: str, reason: str) -> None:
        self.errors.add(file, line, column, reason)

    def read(self, check_orgs: Callable[[list[Org], list[Org]], None] | None) -> Roster | None:
        if not self._has_required_files():
            return None
        self._read_manifest()
        orgs_read = self._read_orgs()
        if orgs_read and check_orgs is not None:
            check_orgs(self.districts, list(self.schools.values()))
        if orgs_read:
            self._check_local_codes()
        if not (orgs_read and self._read_users()):
            for name in (ROLES, ENROLLMENTS, DEMOGRAPHICS):  # their headers can still be checked
                if self.source.has(name):
                    self._open_table(name)
            return None
        self._read_roles()
        self._read_enrollments()
        self._tally_students()
        self._read_demographics()
        return self._roster()

    def _roster(self) -> Roster:
        self.people.clear()  # the last trace of individual students
        return Roster(
            version=self.version,
            districts=self.districts,
            schools=list(self.schools.values()),
            tallies=self.tallies,
            collected=frozenset(self.collected),
            students=self.students,
            unplaced=self.unplaced,
            ignored_columns=self.ignored,
        )

    def _has_required_files(self) -> bool:
        missing = [name for name in REQUIRED_FILES if not self.source.has(name)]
        for name in missing:
            self.error(name, None, "", MISSING_FILE.format(name=name))
        return not missing

    # --- CSV plumbing ---

    def _open_table(self, name: str) -> tuple[_Table, _Rows] | None:
        """The file's header checked, and its rows to come; None when it cannot be used."""
        stream = self.files.enter_context(self.source.open(name))
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
        reader = csv.reader(bounded_lines(text, file=name))
        try:
            header = next((row for row in reader if row), None)
        except InputTooLarge as error:
            self.error(name, error.line, "", str(error))
            return None
        except (csv.Error, zipfile.BadZipFile, OSError) as error:
            self.error(name, reader.line_num, "", UNREADABLE_CSV.format(detail=error))
            return None
        if header is None:
            self.error(name, None, "", EMPTY_FILE)
            return None
        table = self._table(name, reader.line_num, header)
        return (table, self._rows(table, stream, reader)) if table is not None else None

    def _table(self, name: str, line: int, header: list[str]) -> _Table | None:
        required, optional = COLUMNS[name]
        lookup = _lookup((*required, *optional))
        index: dict[str, int] = {}
        for position, heading in enumerate(header):
            column = lookup.get(_normal(heading))
            if column is None:
                self._unread_heading(name, line, heading, lookup)
            elif column in index:
                self.error(name, line, heading.strip(), DUPLICATE_COLUMN.format(column=heading.strip()))
            elif column is not None:
                index[column] = position
        missing = [column for column in required if column not in index]
        for column in missing:
            self.error(name, line, column, MISSING_COLUMN.format(column=column))
        if missing:
            return None
        at = {column: index.get(column, len(header)) for column in (*required, *optional)}
        return _Table(name, header, at, frozenset(index))

    def _unread_heading(self, name: str, line: int, heading: str, lookup: dict[str, str]) -> None:
        """A near miss of a column we read is an error (read as missing, it would store "not
        collected" for every count); any other column outside the standard is listed as ignored."""
        normal = _normal(heading)
        if not normal or normal in STANDARD_COLUMNS.get(name, ()):
            return
        close = difflib.get_close_matches(normal, lookup, n=1, cutoff=NEAR_MISS_CUTOFF)
        if close:
            known = lookup[close[0]]
            self.error(name, line, heading.strip(), NEAR_MISS_COLUMN.format(heading=heading.strip(), known=known))
        else:
            self.ignored.append(IGNORED_COLUMN.format(file=name, heading=heading.strip()))

    def _rows(self, table: _Table, stream: IO[bytes], reader: Any) -> _Rows:
        """(line, cells) of each row after the header with as many fields as it and only UTF-8 text."""
        width = len(table.header)
        try:
            for count, row in enumerate(reader, start=1):
                if count % PROGRESS_EVERY_ROWS == 0:
                    self.meter.at(table.name, stream.tell())
                if len(row) == width and "\ufffd" not in "\x1f".join(row):
                    row.append("")
                    yield reader.line_num, row
                elif row:
                    self._bad_row(table, reader.line_num, row)
        except InputTooLarge as error:
            self.error(table.name, error.line, "", str(error))
        except (csv.Error, zipfile.BadZipFile, OSError) as error:
            self.error(table.name, reader.line_num + 1, "", UNREADABLE_CSV.format(detail=error))
        self.meter.finished(table.name, self.source.size(table.name))

    def _bad_row(self, table: _Table, line: int, row: list[str]) -> None:
        if len(row) != len(table.header):
            self.error(table.name, line, "", WRONG_FIELD_COUNT.format(found=len(row), expected=len(table.header)))
        else:
            bad = next(position for position, value in enumerate(row) if "\ufffd" in value)
            self.error(table.name, line, table.header[bad].strip(), NOT_UTF8)

    def _new_id(self, table: _Table, line: int, sourced_id: str, duplicate: bool) -> bool:
        """Whether the row's (stripped) sourcedId is usable: present, not too long, not seen before."""
        if sourced_id and not duplicate and len(sourced_id) <= SOURCED_ID_LIMIT:
            return True
        if not sourced_id:
            self.error(table.name, line, table.heading("sourcedId"), MISSING_VALUE)
            return False
        if len(sourced_id) > SOURCED_ID_LIMIT:
            self.error(table.name, line, table.heading("sourcedId"), VALUE_TOO_LONG.format(limit=SOURCED_ID_LIMIT))
            return False
        self.error(table.name, line, table.heading("sourcedId"), DUPLICATE_SOURCED_ID)
        return False

    def _deleted(self, table: _Table, line: int, status: str) -> bool:
        """Whether the row's status (the raw cell) says to skip it."""
        if status in _ACTIVE:
            return False
        status = status.strip().lower()
        if status in _ACTIVE or status in _SKIPPED:
            return status in _SKIPPED
        self.error(table.name, line, table.heading("status"), BAD_STATUS)
        return False

    def _boolean(self, table: _Table, line: int, column: str, raw: str) -> bool | None:
        """The raw cell as a boolean (blank is false); None, with an error, when it is neither."""
        value = BOOLEANS.get(raw)
        if value is None:
            value = BOOLEANS.get(raw.strip().lower())
        if value is None:
            self.error(table.name, line, table.heading(column), BAD_BOOLEAN)
        return value

    # --- manifest.csv and orgs.csv ---

    def _read_manifest(self) -> None:
        if not self.source.has(MANIFEST) or (opened := self._open_table(MANIFEST)) is None:
            return
        table, rows = opened
        for line, row in rows:
            key, value = table.cell(row, "propertyName").lower(), table.cell(row, "value").lower()
            if key == "oneroster.version" and value:
                self.version = value
            name = f"{key.removeprefix('file.')}.csv"
            if key.startswith("file.") and value == "delta" and name in ROSTER_FILES:
                self.error(MANIFEST, line, table.heading("value"), DELTA_NOT_SUPPORTED.format(name=name))

    def _read_orgs(self) -> bool:
        opened = self._open_table(ORGS)
        if opened is None:
            return False
        table, rows = opened
        for line, row in rows:
            self._org_row(table, line, row)
        self._check_schools(table)
        if not self.schools:
            self.error(ORGS, None, "", NO_SCHOOLS)
        return True

    def _org_row(self, table: _Table, line: int, row: list[str]) -> None:
        sourced_id = table.cell(row, "sourcedId")
        if not self._new_id(table, line, sourced_id, sourced_id in self.org_kinds or sourced_id in self.deleted_orgs):
            return
        if self._deleted(table, line, row[table.at["status"]]):
            self.deleted_orgs.add(sourced_id)
            return
        kind = table.cell(row, "type").lower()
        self.org_kinds[sourced_id] = kind
        if kind not in ("district", "school"):
            return
        org = Org(
            sourced_id=sourced_id,
            line=line,
            kind=kind,
            name=table.cell(row, "name"),
            nces_id=table.cell(row, "identifier"),
            parent=table.cell(row, "parentSourcedId"),
        )
        self._check_org(table, org)
        if kind == "district":
            self.districts.append(org)
        else:
            self.schools[sourced_id] = org
            self.tallies[sourced_id] = SchoolTally()

    def _check_org(self, table: _Table, org: Org) -> None:
        if not org.name:
            self.error(ORGS, org.line, table.heading("name"), MISSING_VALUE)
        elif len(org.name) > NAME_LIMIT:
            self.error(ORGS, org.line, table.heading("name"), VALUE_TOO_LONG.format(limit=NAME_LIMIT))
        pattern, message = (
            (_DISTRICT_NCES, BAD_DISTRICT_NCES) if org.kind == "district" else (_SCHOOL_NCES, BAD_SCHOOL_NCES)
        )
        column = table.heading("identifier")
        if org.kind == "school" and org.nces_id and not pattern.fullmatch(org.nces_id):
            org.local_code, org.nces_id = org.nces_id, ""  # check_orgs may find it (_check_local_codes)
            return
        if not pattern.fullmatch(org.nces_id):
            self.error(ORGS, org.line, column, message.format(value=org.nces_id[:40]))
            return
        if org.nces_id in self.nces_lines:
            self.error(ORGS, org.line, column, DUPLICATE_NCES.format(value=org.nces_id))
        self.nces_lines[org.nces_id] = org.line
        org.state = _FIPS_STATES.get(org.nces_id[:2], "")
        if not org.state:
            self.error(ORGS, org.line, column, UNKNOWN_FIPS.format(value=org.nces_id))

    def _check_local_codes(self) -> None:
        """A local code the stored mapping did not turn into an NCES id is an error on its line."""
        for school in self.schools.values():
            if school.local_code and not school.nces_id:
                self.error(ORGS, school.line, "identifier", UNKNOWN_LOCAL_CODE.format(value=school.local_code[:40]))

    def _check_schools(self, table: _Table) -> None:
        districts = {district.sourced_id: district for district in self.districts}
        for school in self.schools.values():
            parent = districts.get(school.parent)
            column = table.heading("parentSourcedId")
            if not school.parent:
                self.error(ORGS, school.line, column, MISSING_VALUE)
            elif parent is None:
                self.error(ORGS, school.line, column, PARENT_NOT_DISTRICT.format(value=school.parent[:40]))
            elif _valid_nces(parent) and _valid_nces(school) and not school.nces_id.startswith(parent.nces_id):
                message = NCES_OUTSIDE_DISTRICT.format(district=parent.nces_id)
                self.error(ORGS, school.line, table.heading("identifier"), message)

    # --- users.csv, roles.csv, enrollments.csv: who is a student, and where ---

    def _read_users(self) -> bool:
        opened = self._open_table(USERS)
        if opened is None:
            return False
        table, rows = opened
        if not self._can_count(table):
            return False
        take = table.take(
            "sourcedId", "status", "enabledUser", "role", "orgSourcedIds", "primaryOrgSourcedId", "grades"
        )
        for line, row in rows:
            self._user_row(table, line, *take(row))
        return True

    def _can_count(self, table: _Table) -> bool:
        if "role" not in table.present and not self.has_roles:
            self.error(USERS, None, "role", NO_ROLES)
            return False
        places = {"orgSourcedIds", "primaryOrgSourcedId"} & table.present
        if not places and not self.source.has(ENROLLMENTS) and not self.has_roles:
            self.error(USERS, None, "orgSourcedIds", NO_PLACEMENT)
            return False
        return True

    def _user_row(
        self, table: _Table, line: int, sourced_id: str, status: str, enabled: str, role: str, *places: str
    ) -> None:
        orgs, primary, grades = places
        sourced_id = sourced_id.strip()
        seen = sourced_id in self.people or sourced_id in self.others or sourced_id in self.deleted_users
        if not self._new_id(table, line, sourced_id, seen):
            return
        if status not in _ACTIVE and self._deleted(table, line, status):
            self.deleted_users.add(sourced_id)
            return
        if enabled not in BOOLEANS:  # checked, but false still counts (module doc)
            self._boolean(table, line, "enabledUser", enabled)
        student = _is(role, "student")
        if not student and not self.has_roles:
            self.others.add(sourced_id)
            return
        person = _Person(student)
        self._grades(table, line, person, grades)
        for school in self._schools_named(table, line, "orgSourcedIds", orgs):
            person.place(school)
        for school in self._schools_named(table, line, "primaryOrgSourcedId", primary):
            person.place(school)
        self.people[sourced_id] = person

    def _grades(self, table: _Table, line: int, person: _Person, grades: str) -> None:
        if (grade := GRADE_CODES.get(grades)) is not None:  # the usual single code, quickly
            person.add_grade(grade)
            return
        for code in _split(grades):
            grade = GRADE_CODES.get(code.upper())
            if grade is not None:
                person.add_grade(grade)
            elif code.upper() not in UNGRADED_CODES:
                self.error(USERS, line, table.heading("grades"), BAD_GRADE)

    def _schools_named(
        self, table: _Table, line: int, column: str, cell: str, *, required: bool = False, only: bool = False
    ) -> tuple[str, ...]:
        """The schools a cell of org sourcedIds names. `only`: naming any other org is an error.

        Cells repeat (a school's students all name it), so each one is worked out once unless it has an error.
        """
        known = self.schools_named[only]
        found = known.get(cell)
        if found is None:
            errors = len(self.errors)
            orgs = _split(cell)
            if required and not orgs:
                self.error(table.name, line, table.heading(column), MISSING_VALUE)
            found = tuple(school for org in orgs if (school := self._school(table, line, column, org, only=only)))
            if len(self.errors) == errors:
                known[cell] = found
        return found

    def _school(self, table: _Table, line: int, column: str, org: str, *, only: bool) -> str | None:
        kind = self.org_kinds.get(org)
        if kind == "school":
            return self.schools[org].sourced_id
        if kind is None and org not in self.deleted_orgs:
            self.error(table.name, line, table.heading(column), UNKNOWN_ORG)
        elif kind is not None and only:
            self.error(table.name, line, table.heading(column), NOT_A_SCHOOL)
        return None

    def _person(self, table: _Table, line: int, column: str, sourced_id: str) -> _Person | None:
        """The user a row of another file is about; None (with an error if unknown) to skip the row."""
        person = self.people.get(sourced_id)
        if person is None:
            sourced_id = sourced_id.strip()
            person = self.people.get(sourced_id)
        if person is None and sourced_id not in self.others and sourced_id not in self.deleted_users:
            self.error(table.name, line, table.heading(column), UNKNOWN_USER if sourced_id else MISSING_VALUE)
        return person

    def _read_roles(self) -> None:
        if not self.has_roles or (opened := self._open_table(ROLES)) is None:
            return
        table, rows = opened
        take = table.take("sourcedId", "status", "role", "userSourcedId", "orgSourcedId")
        seen: set[str] = set()
        for line, row in rows:
            sourced_id, status, role, user, org = take(row)
            sourced_id = sourced_id.strip()
            if not self._new_id(table, line, sourced_id, sourced_id in seen):
                continue
            seen.add(sourced_id)
            if (status not in _ACTIVE and self._deleted(table, line, status)) or not _is(role, "student"):
                continue
            person = self._person(table, line, "userSourcedId", user)
            if person is not None:
                person.student = True
                for school in self._schools_named(table, line, "orgSourcedId", org, required=True):
                    person.place(school)

    def _read_enrollments(self) -> None:
        """Class enrollments place students in schools. Duplicate rows cannot change a count: not checked."""
        if not self.source.has(ENROLLMENTS) or (opened := self._open_table(ENROLLMENTS)) is None:
            return
        table, rows = opened
        take = table.take("sourcedId", "status", "role", "userSourcedId", "schoolSourcedId")
        for line, row in rows:
            sourced_id, status, role, user, school = take(row)
            if not sourced_id.strip():
                self.error(ENROLLMENTS, line, table.heading("sourcedId"), MISSING_VALUE)
            if (status not in _ACTIVE and self._deleted(table, line, status)) or not _is(role, "student"):
                continue
            person = self.people.get(user) or self._person(table, line, "userSourcedId", user)
            for named in self._schools_named(table, line, "schoolSourcedId", school, required=True, only=True):
                if person is not None:
                    person.place(named)

    def _tally_students(self) -> None:
        for person in self.people.values():
            if not person.student:
                continue
            self.students += 1
            if not person.schools:
                self.unplaced += 1
            for school in person.schools:
                self.tallies[school].add_student(person.lowest, person.highest)

    # --- demographics.csv: the subgroups ---

    def _read_demographics(self) -> None:
        if not self.source.has(DEMOGRAPHICS) or (opened := self._open_table(DEMOGRAPHICS)) is None:
            return
        table, rows = opened
        races = HISPANIC in table.present and all(column in table.present for column in RACE_COLUMNS)
        sex = "sex" in table.present
        self.collected |= (RACE_FIELDS if races else set()) | (SEX_FIELDS if sex else set())
        take = table.take("sourcedId", "status", "sex")
        race_cells = table.take(*_RACE_ORDER)
        seen: set[str] = set()
        for line, row in rows:
            sourced_id, status, sex_cell = take(row)
            sourced_id = sourced_id.strip()
            if not self._new_id(table, line, sourced_id, sourced_id in seen):
                continue
            seen.add(sourced_id)
            if status not in _ACTIVE and self._deleted(table, line, status):
                continue
            person = self.people.get(sourced_id) or self._person(table, line, "sourcedId", sourced_id)
            if person is None or not person.student or not person.schools:
                continue
            race = self._race(table, line, race_cells(row)) if races else None
            groups = [group for group in (race, self._sex(table, line, sex_cell) if sex else None) if group is not None]
            for school in person.schools:
                counts = self.tallies[school].counts
                for group in groups:
                    counts[group] += 1

    def _sex(self, table: _Table, line: int, cell: str) -> int | None:
        code = cell if cell in SEX_CODES else cell.strip().lower()
        if code not in SEX_CODES:
            self.error(DEMOGRAPHICS, line, table.heading("sex"), BAD_SEX)
            return None
        return SEX_CODES[code]

    def _race(self, table: _Table, line: int, cells: tuple[str, ...]) -> int | None:
        """The student's one CRDC race/ethnicity counter (None: no race set), worked out once per set of cells."""
        race = self.race_of.get(cells, _UNKNOWN)
        if race == _UNKNOWN:
            errors = len(self.errors)
            race = self._classify(table, line, cells)
            if len(self.errors) == errors:
                self.race_of[cells] = race
        return race

    def _classify(self, table: _Table, line: int, cells: tuple[str, ...]) -> int | None:
        """Hispanic first; then two or more races; then the one race. None when none is set or a flag is bad."""
        flags = [BOOLEANS.get(cell) for cell in cells]
        if None in flags:
            flags = [self._boolean(table, line, column, cell) for column, cell in zip(_RACE_ORDER, cells, strict=True)]
            if None in flags:
                return None
        hispanic, two_or_more, *races = flags
        if hispanic:
            return _AT["hispanic_latino"]
        marked = [counter for counter, flag in zip(RACE_COLUMNS.values(), races, strict=True) if flag]
        if two_or_more or len(marked) > 1:
            return _AT["two_or_more_races"]
        return marked[0] if marked else None


_RACE_ORDER = (HISPANIC, TWO_OR_MORE, *RACE_COLUMNS)
_UNKNOWN = -1


def _valid_nces(org: Org) -> bool:
    pattern = _DISTRICT_NCES if org.kind == "district" else _SCHOOL_NCES
    return bool(pattern.fullmatch(org.nces_id))
