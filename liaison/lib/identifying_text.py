"""Free text about children must not identify them: find e-mail addresses, phone numbers and
dates that look like birth dates, and say why the text is refused."""

from __future__ import annotations

import datetime
import re

EMAIL_IN_TEXT = "Remove the e-mail address: notes must not identify anyone."
PHONE_IN_TEXT = "Remove the phone number: notes must not identify anyone."
BIRTH_DATE_IN_TEXT = "Remove the date that looks like a birth date: notes must not identify a student."

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)")
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_WORD_DATE = re.compile(rf"\b(?:{_MONTHS})[a-z]*\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE)
_DOB = re.compile(r"\b(?:dob|d\.o\.b\.?|born|birth\s*date|birthday)\b", re.IGNORECASE)

# School-age children were born between 3 and 22 years ago.
YOUNGEST_AGE, OLDEST_AGE = 3, 22


def _full_year(year: int) -> int:
    if year >= 100:
        return year
    return 2000 + year if year < 50 else 1900 + year


def _is_birth_year(year: int, today: datetime.date) -> bool:
    return today.year - OLDEST_AGE <= _full_year(year) <= today.year - YOUNGEST_AGE


def _years_in(text: str) -> list[int]:
    years = [int(m.group(3)) for m in _NUMERIC_DATE.finditer(text)]
    years += [int(m.group(1)) for m in _ISO_DATE.finditer(text)]
    years += [int(m.group(1)) for m in _WORD_DATE.finditer(text)]
    return years


def _mentions_birth_date(text: str, today: datetime.date) -> bool:
    if any(_is_birth_year(year, today) for year in _years_in(text)):
        return True
    return bool(_DOB.search(text)) and bool(re.search(r"\d", text))


def identifying_text_problems(text: str, *, today: datetime.date | None = None) -> list[str]:
    """Reasons the text must not be stored; empty when it is fine."""
    today = today or datetime.date.today()
    problems = []
    if _EMAIL.search(text):
        problems.append(EMAIL_IN_TEXT)
    if _PHONE.search(text):
        problems.append(PHONE_IN_TEXT)
    if _mentions_birth_date(text, today):
        problems.append(BIRTH_DATE_IN_TEXT)
    return problems
