"""Validators for the identifiers that the directory's records carry."""

from __future__ import annotations

import re
import zoneinfo

from django.core.exceptions import ValidationError

ORI_INVALID = "An ORI is 9 characters: the 2-letter state code followed by 7 letters or digits."
NCES_DISTRICT_INVALID = "An NCES district id is exactly 7 digits."
NCES_SCHOOL_INVALID = "An NCES school id is exactly 12 digits."
TIME_ZONE_INVALID = "Not a known IANA time zone (for example America/Chicago)."
SCHOOL_YEAR_INVALID = "A school year is written as two consecutive years, for example 2025-2026."

_ORI = re.compile(r"^[A-Z]{2}[A-Z0-9]{7}$")
_SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")


def validate_ori(value: str) -> None:
    if not _ORI.match(value or ""):
        raise ValidationError(ORI_INVALID, code="invalid_ori")


def validate_nces_district_id(value: str) -> None:
    if not re.fullmatch(r"\d{7}", value or ""):
        raise ValidationError(NCES_DISTRICT_INVALID, code="invalid_nces_district")


def validate_nces_school_id(value: str) -> None:
    if not re.fullmatch(r"\d{12}", value or ""):
        raise ValidationError(NCES_SCHOOL_INVALID, code="invalid_nces_school")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(TIME_ZONE_INVALID, code="invalid_time_zone")


def validate_school_year(value: str) -> None:
    match = _SCHOOL_YEAR.match(value or "")
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise ValidationError(SCHOOL_YEAR_INVALID, code="invalid_school_year")


LOCAL_CODE_INVALID = (
    "A local code is 1 to 64 letters, digits, spaces or - _ . / #, starting with a letter or digit "
    "and not ending with a space."
)
LOCAL_CODE_LOOKS_LIKE_NCES = "A local code of 12 digits would be read as an NCES school id; use the NCES id itself."
# Never starting with - (or = + @): a spreadsheet would take it for a formula (lib/csv_export.py).
_LOCAL_CODE = re.compile(r"[A-Za-z0-9]([A-Za-z0-9\-_./# ]{0,62}[A-Za-z0-9\-_./#])?")


def validate_local_school_code(value: str) -> None:
    if not _LOCAL_CODE.fullmatch(value or ""):
        raise ValidationError(LOCAL_CODE_INVALID, code="invalid_local_code")
    if re.fullmatch(r"\d{12}", value):
        raise ValidationError(LOCAL_CODE_LOOKS_LIKE_NCES, code="local_code_nces")
