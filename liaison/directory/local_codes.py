"""A district's local school codes: what its SIS writes in OneRoster's `identifier` instead of NCES ids.

The district's admins keep the mapping (local code → school) on a page, or download it as CSV,
edit it and upload it again. Saving replaces the whole mapping, all or nothing: one bad row (or
field) and nothing changes, with every problem named by row and column (or by school on the page).
The OneRoster import reads the mapping through `local_code_schools`, within each district only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from liaison.accounts.audit import audit_record
from liaison.lib.bounded_input import InputTooLarge, bounded_lines

from .models import District, School, SchoolLocalCode
from .validators import validate_local_school_code

CSV_COLUMNS = ("local_code", "nces_id", "school")
MAX_CSV_ROWS = 5_000  # the largest US districts have about 1,600 schools
MAX_CSV_LINE = 1_000

# --- messages (tests import these) ------------------------------------------------------------

SAVED_SUMMARY = "Local school codes of {district}: {count} saved"
CSV_EMPTY = "The file is empty; it needs a header row: local_code,nces_id,school."
CSV_MISSING_COLUMN = "The header has no {column} column (it needs local_code and nces_id; school is optional)."
CSV_NOT_UTF8 = "The file is not UTF-8 text; save it as CSV UTF-8."
CSV_UNREADABLE = "The file cannot be read as CSV ({detail})."
CSV_TOO_MANY_ROWS = f"The file has more than {MAX_CSV_ROWS:,} rows."
CSV_MISSING_VALUE = "A value is required."
UNKNOWN_SCHOOL = "No school of {district} has the NCES id {value!r}."
SCHOOL_TWICE = "{school} already has a code on row {row}; a school has one local code."
CODE_TWICE = "The code {code!r} is already given to {school}; a code names one school."


@dataclass(frozen=True)
class CodeError:
    """One problem: a CSV row and column, or (row None) the page's field for a school."""

    row: int | None
    field: str
    message: str


class LocalCodesInvalid(Exception):
    def __init__(self, errors: list[CodeError]) -> None:
        super().__init__(f"{len(errors)} problems")
        self.errors = errors


@dataclass(frozen=True)
class Entry:
    """A school's code as given: on CSV row `row`, or on the page (row None, field named by the school)."""

    row: int | None
    school: School
    code: str


# --- reading ------------------------------------------------------------------------------------


def local_codes_of(district: District) -> dict[int, str]:
    """School id → its local code, for the district's schools that have one."""
    return dict(SchoolLocalCode.objects.filter(district=district).values_list("school_id", "code"))


def local_code_schools(district_ids: Iterable[int]) -> dict[tuple[int, str], School]:
    """(district id, code) → school, for the import's matcher."""
    rows = SchoolLocalCode.objects.filter(district_id__in=list(district_ids)).select_related("school__district")
    return {(row.district_id, row.code): row.school for row in rows}


def local_code_schools_listed(district: District) -> list[School]:
    """The district's schools in the order the page and the download list them."""
    return list(School.objects.filter(district=district).order_by("name", "nces_id"))


def local_codes_csv_rows(district: District) -> list[list[str]]:
    """The download: every school of the district, with its code or a blank to fill in."""
    codes = local_codes_of(district)
    schools = local_code_schools_listed(district)
    return [list(CSV_COLUMNS), *([codes.get(s.pk, ""), s.nces_id, s.name] for s in schools)]


# --- checking and saving -------------------------------------------------------------------------


def _field(entry: Entry) -> str:
    return "local_code" if entry.row is not None else str(entry.school.uuid)


def local_codes_check(entries: list[Entry]) -> list[CodeError]:
    """Every problem with the entries (blank codes mean "no code"), in the order given."""
    errors: list[CodeError] = []
    by_school: dict[int, Entry] = {}
    by_code: dict[str, Entry] = {}
    for entry in entries:
        if entry.school.pk in by_school:
            first = by_school[entry.school.pk]
            errors.append(CodeError(entry.row, "nces_id", SCHOOL_TWICE.format(school=entry.school, row=first.row)))
            continue
        by_school[entry.school.pk] = entry
        if not entry.code:
            continue
        try:
            validate_local_school_code(entry.code)
        except ValidationError as error:
            errors.extend(CodeError(entry.row, _field(entry), message) for message in error.messages)
            continue
        holder = by_code.setdefault(entry.code.casefold(), entry)
        if holder is not entry:
            errors.append(CodeError(entry.row, _field(entry), CODE_TWICE.format(code=entry.code, school=holder.school)))
    return errors


def local_codes_save(*, actor: Any, district: District, entries: list[Entry]) -> int:
    """Replace the district's mapping with the entries' non-blank codes; schools not given lose theirs.

    Raises LocalCodesInvalid, changing nothing, when any entry is wrong. Returns the codes saved.
    """
    if any(entry.school.district_id != district.pk for entry in entries):
        raise ValueError("every entry's school must be the district's")  # the callers only offer its schools
    errors = local_codes_check(entries)
    if errors:
        raise LocalCodesInvalid(errors)
    wanted = {entry.school.pk: entry.code for entry in entries if entry.code}
    with transaction.atomic():
        District.objects.select_for_update().filter(pk=district.pk).first()  # one save at a time per district
        before = _by_nces(district)
        SchoolLocalCode.objects.filter(district=district).delete()
        SchoolLocalCode.objects.bulk_create(
            SchoolLocalCode(district=district, school_id=school_id, code=code) for school_id, code in wanted.items()
        )
        after = _by_nces(district)
        if before != after:
            audit_record(
                actor=actor,
                action="update",
                obj=district,
                object_type=SchoolLocalCode._meta.label_lower,
                summary=SAVED_SUMMARY.format(district=district, count=len(wanted)),
                before={"codes": before},
                after={"codes": after},
                district_id=district.pk,
            )
    return len(wanted)


def _by_nces(district: District) -> dict[str, str]:
    rows = SchoolLocalCode.objects.filter(district=district).values_list("school__nces_id", "code")
    return dict(sorted(rows))


# --- the uploaded CSV -----------------------------------------------------------------------------


def local_codes_csv_read(stream: IO[bytes], district: District) -> list[Entry]:
    """The entries of an uploaded CSV (local_code,nces_id[,school]). Raises LocalCodesInvalid with
    every problem by row and column; the school column is for people and is not read."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    schools = {school.nces_id: school for school in School.objects.filter(district=district)}
    errors: list[CodeError] = []
    entries: list[Entry] = []
    try:
        reader = csv.reader(bounded_lines(text, file="the file", max_chars=MAX_CSV_LINE, max_columns=20))
        header = [cell.strip().lower() for cell in next(reader, [])]
        if not header:
            raise LocalCodesInvalid([CodeError(None, "", CSV_EMPTY)])
        missing = [column for column in CSV_COLUMNS[:2] if column not in header]
        if missing:
            problems = [CodeError(1, column, CSV_MISSING_COLUMN.format(column=column)) for column in missing]
            raise LocalCodesInvalid(problems)
        code_at, nces_at = header.index("local_code"), header.index("nces_id")
        for row in reader:
            if reader.line_num > MAX_CSV_ROWS + 1:
                raise LocalCodesInvalid([CodeError(reader.line_num, "", CSV_TOO_MANY_ROWS)])
            if not any(cell.strip() for cell in row):
                continue
            cells = [*row, "", ""]
            code, nces = cells[code_at].strip(), cells[nces_at].strip()
            school = schools.get(nces)
            if school is None:
                message = UNKNOWN_SCHOOL.format(district=district, value=nces[:20]) if nces else CSV_MISSING_VALUE
                errors.append(CodeError(reader.line_num, "nces_id", message))
                continue
            entries.append(Entry(reader.line_num, school, code))
    except UnicodeDecodeError:
        raise LocalCodesInvalid([CodeError(None, "", CSV_NOT_UTF8)]) from None
    except InputTooLarge as error:
        raise LocalCodesInvalid([CodeError(error.line, "", str(error))]) from None
    except csv.Error as error:
        raise LocalCodesInvalid([CodeError(None, "", CSV_UNREADABLE.format(detail=error))]) from None
    errors.extend(local_codes_check(entries))
    if errors:
        raise LocalCodesInvalid(sorted(errors, key=lambda e: e.row or 0))
    return entries
