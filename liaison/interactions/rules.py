"""The rules a contact or enforcement record must meet, as pure functions of its values.

One place for every per-record check: `services.interaction_record` calls `record_problems` for one
record, and the CSV import calls it for each of a million rows, with officers and schools resolved
once beforehand, so no check needs the database. The field rules (codes, lengths, ranges, what is
required) are read from the models' own field definitions, so a model change changes both doors.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core import validators
from django.db import models

from liaison.lib.identifying_text import identifying_text_problems

from .models import EnforcementDetail, Interaction
from .vocabulary import Kind

ENFORCEMENT_DETAIL_REQUIRED = "An enforcement action needs its details (action type, reason, demographics)."
ENFORCEMENT_DETAIL_NOT_ALLOWED = "Only enforcement actions carry enforcement details."
SCHOOL_NOT_SERVED = "This school is not in a district the officer's agency serves."
IN_THE_FUTURE = "This time is in the future."
SERVICE_ONLY_FOR_REFERRALS = "A service is recorded only on a referral to services."
STAFF_ROLE_ONLY_FOR_STAFF = "A staff role is recorded only on a staff consultation."
CONSULTED_ROLE_WITHOUT_CONSULTATION = "Give the administrator's role only when one was consulted."
REQUIRED = "This field is required."
NOT_A_CODE = "“{value}” is not a code for this field; use one of: {codes}."
TOO_LONG = "At most {limit} characters (this has {length})."
TOO_SMALL = "At least {limit}."
TOO_LARGE = "At most {limit}."

FUTURE_TOLERANCE = datetime.timedelta(minutes=5)

# The values a caller gives; the rest of a record (agency, district, source, …) is derived.
INTERACTION_FIELDS = (
    "kind", "role", "occurred_at", "duration_minutes", "student_count", "grade_band", "setting",
    "initiated_by", "note", "staff_role", "service", "instead_of_enforcement",
)  # fmt: skip
ENFORCEMENT_FIELDS = (
    "action_type", "reason_category", "nibrs_code", "requested_by", "admin_consulted", "admin_consulted_role",
    "student_grade", "race_ethnicity", "sex", "disability", "english_learner", "demographics_source",
    "rms_report_number",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class FieldRule:
    """What a model field accepts, read once from its definition."""

    name: str
    required: bool
    default: Any
    codes: frozenset[str] = frozenset()
    code_list: str = ""
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None

    def problems(self, value: Any) -> list[str]:
        """What is wrong with a value that is present (not None or "")."""
        if self.codes:
            return [] if value in self.codes else [NOT_A_CODE.format(value=value, codes=self.code_list)]
        if self.max_length is not None and isinstance(value, str) and len(value) > self.max_length:
            return [TOO_LONG.format(limit=self.max_length, length=len(value))]
        if self.minimum is not None and value < self.minimum:
            return [TOO_SMALL.format(limit=self.minimum)]
        if self.maximum is not None and value > self.maximum:
            return [TOO_LARGE.format(limit=self.maximum)]
        return []


def _limits(field: models.Field) -> tuple[int | None, int | None]:
    """The tightest minimum and maximum among the field's validators."""
    lows = [int(v.limit_value) for v in field.validators if isinstance(v, validators.MinValueValidator)]
    highs = [int(v.limit_value) for v in field.validators if isinstance(v, validators.MaxValueValidator)]
    return (max(lows) if lows else None), (min(highs) if highs else None)


def _field_rule(model: type[models.Model], name: str) -> FieldRule:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    has_default = field.has_default()
    minimum, maximum = _limits(field)
    codes = [str(code) for code, _ in field.flatchoices]
    return FieldRule(
        name=name,
        required=not field.blank and not has_default,
        default=field.get_default() if has_default else None,
        codes=frozenset(codes),
        code_list=", ".join(codes),
        max_length=field.max_length,
        minimum=minimum,
        maximum=maximum,
    )


INTERACTION_RULES = {name: _field_rule(Interaction, name) for name in INTERACTION_FIELDS}
ENFORCEMENT_RULES = {name: _field_rule(EnforcementDetail, name) for name in ENFORCEMENT_FIELDS}


def _field_problems(rules: Iterable[FieldRule], values: Mapping[str, Any]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for rule in rules:
        value = values.get(rule.name)
        if value is None or value == "":
            if rule.required:
                problems[rule.name] = [REQUIRED]
        elif found := rule.problems(value):
            problems[rule.name] = found
    return problems


def _merge(*parts: Mapping[str, list[str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for part in parts:
        for name, messages in part.items():
            merged.setdefault(name, []).extend(messages)
    return merged


Check = Callable[[Mapping[str, Any]], dict[str, list[str]]]


class _Memoised:
    """A check that depends only on a few coded fields, remembered per combination of their values.

    A file of a million rows repeats a few hundred combinations of kind, role, setting and so on,
    so the import pays for each combination once. Callers get a fresh copy they may change.
    """

    LIMIT = 50_000

    def __init__(self, names: tuple[str, ...], check: Check) -> None:
        self.names = names
        self.check = check
        self.known: dict[tuple[Any, ...], dict[str, list[str]]] = {}

    def __call__(self, values: Mapping[str, Any]) -> dict[str, list[str]]:
        key = tuple(map(values.get, self.names))
        found = self.known.get(key)
        if found is None:
            found = self.check(dict(zip(self.names, key, strict=True)))
            if len(self.known) < self.LIMIT:
                self.known[key] = found
        return {name: list(messages) for name, messages in found.items()} if found else {}


def _coded_contact_problems(values: Mapping[str, Any]) -> dict[str, list[str]]:
    problems = _field_problems(_CODED_CONTACT_RULES, values)
    kind = values.get("kind")
    if values.get("service") and kind != Kind.REFERRAL:
        problems.setdefault("service", []).append(SERVICE_ONLY_FOR_REFERRALS)
    if values.get("staff_role") and kind != Kind.STAFF:
        problems.setdefault("staff_role", []).append(STAFF_ROLE_ONLY_FOR_STAFF)
    return problems


def _detail_problems(details: Mapping[str, Any]) -> dict[str, list[str]]:
    problems = _field_problems(ENFORCEMENT_RULES.values(), details)
    if details.get("admin_consulted_role") and not details.get("admin_consulted"):
        problems.setdefault("admin_consulted_role", []).append(CONSULTED_ROLE_WITHOUT_CONSULTATION)
    return problems


_CODED_CONTACT_RULES = tuple(rule for rule in INTERACTION_RULES.values() if rule.codes)
_OTHER_CONTACT_RULES = tuple(rule for rule in INTERACTION_RULES.values() if not rule.codes)
_coded_contact_check = _Memoised(tuple(rule.name for rule in _CODED_CONTACT_RULES), _coded_contact_problems)
# rms_report_number is free text, so it is checked on its own, not remembered.
_DETAIL_CODES = tuple(name for name in ENFORCEMENT_FIELDS if name != "rms_report_number")
_detail_check = _Memoised(_DETAIL_CODES, _detail_problems)


def interaction_problems(
    values: Mapping[str, Any], *, now: datetime.datetime, today: datetime.date | None = None
) -> dict[str, list[str]]:
    """A contact's own fields: codes and ranges, an identifying note, a future time, kind-only fields."""
    problems = _coded_contact_check(values)
    problems.update(_field_problems(_OTHER_CONTACT_RULES, values))
    note, occurred_at = values.get("note"), values.get("occurred_at")
    if note and "note" not in problems:
        found = identifying_text_problems(note, today=today)
        if found:
            problems["note"] = found
    if occurred_at is not None and occurred_at > now + FUTURE_TOLERANCE:
        problems.setdefault("occurred_at", []).append(IN_THE_FUTURE)
    return problems


def school_problems(district_id: int | None, served_district_ids: Container[int]) -> dict[str, list[str]]:
    """An officer records only at schools of districts their agency serves (None: no school to check)."""
    if district_id is None or district_id in served_district_ids:
        return {}
    return {"school": [SCHOOL_NOT_SERVED]}


def enforcement_problems(kind: str | None, details: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """Enforcement actions, and only they, carry complete details."""
    if kind != Kind.ENFORCEMENT:
        return {"enforcement": [ENFORCEMENT_DETAIL_NOT_ALLOWED]} if details is not None else {}
    if details is None:
        return {"enforcement": [ENFORCEMENT_DETAIL_REQUIRED]}
    problems = _detail_check(details)
    problems.update(_field_problems((ENFORCEMENT_RULES["rms_report_number"],), details))
    return problems


def record_problems(
    values: Mapping[str, Any],
    details: Mapping[str, Any] | None,
    *,
    district_id: int | None,
    served_district_ids: Container[int],
    now: datetime.datetime,
    today: datetime.date | None = None,
) -> dict[str, list[str]]:
    """Everything wrong with a new record, by field name; empty when it may be saved.

    `district_id` is the school's district; `served_district_ids` the districts the officer's agency serves.
    """
    parts = (
        interaction_problems(values, now=now, today=today),
        school_problems(district_id, served_district_ids),
        enforcement_problems(values.get("kind"), details),
    )
    return _merge(*parts) if any(parts) else {}


def enforcement_defaults(details: Mapping[str, Any]) -> dict[str, Any]:
    """The details with the model's defaults (e.g. "unknown" demographics) where a value is missing."""
    return {
        name: rule.default if details.get(name) in (None, "") and rule.default is not None else details.get(name)
        for name, rule in ENFORCEMENT_RULES.items()
    }
