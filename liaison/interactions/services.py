"""Recording contacts and enforcement actions, changing them, and voiding them. Pages, API,
imports and the demo all call these; nothing else writes an interaction."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from liaison.accounts.audit import audit_entry, audit_record, audit_snapshot
from liaison.accounts.models import AuditEntry
from liaison.directory.models import Officer, School
from liaison.lib import sql_rows
from liaison.lib.errors import ConflictError
from liaison.lib.local_days import local_day
from liaison.lib.pseudonyms import STUDENT_ID_INVALID, normalise_student_id, student_key

from . import rules
from .access import served_district_ids
from .enforcement_rollups import enforcement_rollup_apply
from .models import Amendment, EnforcementDetail, Interaction, StudentKeySetting
from .rollups import rollup_add_statement, rollup_apply
from .rules import (  # noqa: F401  (the messages stay importable from here)
    CONSULTED_ROLE_WITHOUT_CONSULTATION,
    ENFORCEMENT_DETAIL_NOT_ALLOWED,
    ENFORCEMENT_DETAIL_REQUIRED,
    FUTURE_TOLERANCE,
    IN_THE_FUTURE,
    SCHOOL_NOT_SERVED,
    SERVICE_ONLY_FOR_REFERRALS,
    STAFF_ROLE_ONLY_FOR_STAFF,
)
from .vocabulary import DEFAULT_ROLE, REFERRAL_ACTIONS, ActionType, Kind

UUID_TAKEN = "This id belongs to another record."
UUID_REUSED = "This id is already stored with a different record (kind, officer, school or action); send a new id."
STUDENT_KEYS_DISABLED = "This district does not use pseudonymous student keys."
REASON_REQUIRED = "Say why this record is being changed."
ALREADY_VOID = "This record is already void."
NO_CHANGES = "Nothing was changed."
WITHIN_WINDOW = "Edited within the edit window"

# Fields of a record that change what it counts as, so the rollups must follow a change to them.
ROLLUP_FIELDS = frozenset({"kind", "role", "school", "occurred_at", "duration_minutes", "student_count"})
# Fields that move an enforcement action to another cell of its rollup (enforcement_rollups.py).
ENFORCEMENT_ROLLUP_FIELDS = frozenset({"school", "occurred_at"})
# Fields of an enforcement action its MOU judgment reads: a change to one is judged again.
JUDGED_FIELDS = frozenset({"school", "occurred_at"})
CHANGEABLE_FIELDS = frozenset(
    {
        "kind", "role", "school", "occurred_at", "duration_minutes", "student_count", "grade_band",
        "setting", "initiated_by", "note", "staff_role", "service", "instead_of_enforcement",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Recorded:
    interaction: Interaction
    created: bool


# --- checks (the rules themselves live in rules.py, shared with the CSV import) ----------------------


def _served_district_ids(officer: Officer) -> set[int]:
    return set(served_district_ids(officer))


def _raise_problems(problems: dict[str, list[str]]) -> None:
    if problems:
        raise ValidationError(problems)


def _rule_values(interaction: Interaction) -> dict[str, Any]:
    return {name: getattr(interaction, name) for name in rules.INTERACTION_FIELDS}


def _check_school_served(officer: Officer, school: School) -> None:
    _raise_problems(rules.school_problems(school.district_id, _served_district_ids(officer)))


# Related rows (officer, school, agency, …) come loaded or checked by the caller, and the database
# enforces the foreign keys: full_clean would otherwise spend one query on each, on every write.
_RELATIONS = [field.name for field in Interaction._meta.concrete_fields if field.is_relation]


def _full_clean(interaction: Interaction) -> None:
    """The model's own validation, after the shared rules: a safety net for what they do not cover."""
    try:
        interaction.full_clean(exclude=_RELATIONS, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(error.error_dict) from None


def _validate(interaction: Interaction) -> None:
    _raise_problems(rules.interaction_problems(_rule_values(interaction), now=timezone.now()))
    _full_clean(interaction)


def _check_new_record(interaction: Interaction, officer: Officer, enforcement: dict[str, Any] | None) -> None:
    """rules.record_problems, the same check the CSV import makes on every row."""
    details = None if enforcement is None else {k: v for k, v in enforcement.items() if k != "student_id"}
    problems = rules.record_problems(
        _rule_values(interaction),
        details,
        district_id=interaction.district_id,
        served_district_ids=_served_district_ids(officer),
        now=timezone.now(),
    )
    _raise_problems(problems)
    _full_clean(interaction)


# --- pseudonymous student keys ----------------------------------------------------------------


def student_keys_enable(*, actor: Any, district: Any, enabled: bool = True) -> StudentKeySetting:
    setting, _ = StudentKeySetting.objects.get_or_create(district=district, defaults={"salt": secrets.token_hex(16)})
    setting.enabled = enabled
    setting.save(update_fields=["enabled"])
    audit_record(
        actor=actor,
        action="update",
        obj=district,
        summary=f"Student keys {'on' if enabled else 'off'}",
        district_id=district.pk,
    )
    return setting


def student_key_for(*, school: School, student_id: str) -> str:
    """The district's key for a student id; the id itself is discarded by the caller."""
    setting = StudentKeySetting.objects.filter(district_id=school.district_id, enabled=True).first()
    if setting is None:
        raise ValidationError({"student_id": STUDENT_KEYS_DISABLED})
    normalised = normalise_student_id(student_id)
    if normalised is None:
        raise ValidationError({"student_id": STUDENT_ID_INVALID})
    return student_key(district_uuid=str(school.district.uuid), salt=setting.salt, student_id=normalised)


# --- enforcement details ---------------------------------------------------------------------


def _enforcement_detail(interaction: Interaction, fields: dict[str, Any]) -> EnforcementDetail:
    fields = dict(fields)
    student_id = fields.pop("student_id", None)
    action = fields.get("action_type")
    detail = EnforcementDetail(
        interaction=interaction,
        agency_id=interaction.agency_id,
        counts_as_referral=action in REFERRAL_ACTIONS,
        counts_as_arrest=action == ActionType.ARREST,
        **fields,
    )
    if student_id:
        detail.student_key = student_key_for(school=interaction.school, student_id=student_id)
    try:
        detail.full_clean(exclude=["interaction"], validate_unique=False)
    except ValidationError as error:
        raise ValidationError(error.error_dict) from None
    return detail


# --- recording ------------------------------------------------------------------------------------


def _existing(
    client_uuid: UUID | None, actor: Any, sent: Interaction, enforcement: dict[str, Any] | None
) -> Interaction | None:
    """The record stored under this id by a first submission of the same body (a retry), or None.

    A retry answers with the stored record; the same id with a different record (a positive contact's
    id re-sent as an arrest) is a conflict, never silently dropped.
    """
    if client_uuid is None:
        return None
    found = Interaction.objects.select_related("enforcement").filter(uuid=client_uuid).first()
    if found is not None and found.created_by_id != actor.pk:
        raise ConflictError({"client_uuid": UUID_TAKEN})
    if found is not None and _what_happened(found) != _what_was_sent(sent, enforcement):
        raise ConflictError({"client_uuid": UUID_REUSED})
    return found


def _sent_action(detail: EnforcementDetail | None) -> dict[str, Any] | None:
    return None if detail is None else {"action_type": detail.action_type, "reason_category": detail.reason_category}


def _what_happened(record: Interaction) -> tuple[Any, ...]:
    detail = getattr(record, "enforcement", None)
    action = (detail.action_type, detail.reason_category) if detail is not None else None
    return (record.kind, record.officer_id, record.school_id, action)


def _what_was_sent(sent: Interaction, enforcement: dict[str, Any] | None) -> tuple[Any, ...]:
    action = (enforcement.get("action_type"), enforcement.get("reason_category")) if enforcement else None
    return (sent.kind, sent.officer_id, sent.school_id, action)


def interaction_record(
    *,
    actor: Any,
    officer: Officer,
    school: School,
    kind: str,
    occurred_at: datetime.datetime,
    client_uuid: UUID | None = None,
    role: str | None = None,
    enforcement: dict[str, Any] | None = None,
    source: str = Interaction.Source.FORM,
    justification: str = "",
    **optional: Any,
) -> Recorded:
    """Record a contact (or an enforcement action with its details). Idempotent on client_uuid.

    An enforcement action is evaluated against the MOU in force; one outside it (or with no MOU in
    force) is never refused, but needs the officer's written justification and opens a review.

    A new uuid is the usual case, so the record is inserted without looking first: a uuid already
    used is found when the insert fails, or when the repeated submission no longer passes the checks.
    """
    interaction = Interaction(
        agency_id=officer.agency_id,
        district_id=school.district_id,
        school=school,
        officer=officer,
        kind=kind,
        role=role or DEFAULT_ROLE.get(kind, ""),
        occurred_at=occurred_at,
        occurred_on=local_day(occurred_at, officer.agency.time_zone),
        source=source,
        created_by=actor,
        **optional,
    )
    if client_uuid is not None:
        interaction.uuid = client_uuid
    try:
        _check_new_record(interaction, officer, enforcement)
        detail = _enforcement_detail(interaction, enforcement) if enforcement is not None else None
        judgment = enforcement_steps().check(interaction, detail, justification) if detail is not None else None
    except ValidationError:
        existing = _existing(client_uuid, actor, interaction, enforcement)
        if existing is None:
            raise
        return Recorded(existing, created=False)
    recorded = _save_new(interaction, detail, actor, judgment=judgment, justification=justification)
    if recorded.created and detail is not None:
        enforcement_steps().recorded(interaction=recorded.interaction, detail=detail)
    return recorded


# --- what the other apps do with an enforcement action (liaison/workflows/enforcement.py) -----------


class EnforcementSteps(Protocol):
    """The steps of recording an enforcement action that belong to other apps: judging it against the
    MOU (also as a preview, before saving), keeping the judgment and opening a review, notifying a
    mentor's supervisor, and reading the kept judgment back for the record's pages. The workflow
    above the apps installs them, so that this app imports none of those."""

    def check(self, interaction: Interaction, detail: EnforcementDetail, justification: str) -> Any: ...

    def store(self, *, actor: Any, interaction: Interaction, judgment: Any, justification: str) -> None: ...

    def recorded(self, *, interaction: Interaction, detail: EnforcementDetail) -> None: ...

    def changed(self, *, actor: Any, interaction: Interaction, note: str) -> None: ...

    def imported(self, *, agency_id: int, after_id: int, actor: Any) -> int: ...

    def preview(self, *, agency_id: int, school_id: int, on: datetime.date, details: Mapping[str, Any]) -> Any: ...

    def judgment(self, *, interaction: Interaction) -> Any: ...


_installed: list[EnforcementSteps] = []


def enforcement_steps_install(steps: EnforcementSteps) -> None:
    _installed[:] = [steps]


def enforcement_steps() -> EnforcementSteps:
    if not _installed:
        raise ImproperlyConfigured("liaison.workflows is not in INSTALLED_APPS: enforcement actions cannot be judged.")
    return _installed[0]


def _save_new(
    interaction: Interaction,
    detail: EnforcementDetail | None,
    actor: Any,
    *,
    judgment: Any = None,
    justification: str = "",
) -> Recorded:
    """The record, its details, its audit entry and its rollup count, in one short transaction.

    Every API create comes through here: the rows' values are prepared before the transaction and
    inserted by sql_rows (no ORM compiling inside it), so SQLite's write lock is held briefly.
    """
    entry = audit_entry(
        actor=actor,
        action="create",
        obj=interaction,
        summary=f"Recorded {interaction.get_kind_display()}",
        agency_id=interaction.agency_id,
        district_id=interaction.district_id,
    )
    record_values, entry_values = sql_rows.insert_values(interaction), sql_rows.insert_values(entry)
    if detail is None and connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _save_together(interaction, entry, record_values, entry_values, actor)
    try:
        with transaction.atomic():
            sql_rows.insert(interaction, record_values)
            if detail is not None:
                detail.interaction = interaction
                sql_rows.insert(detail)
            sql_rows.insert(entry, entry_values)
            rollup_apply([interaction])
            if detail is not None:
                enforcement_rollup_apply([(interaction, detail)])
                enforcement_steps().store(
                    actor=actor, interaction=interaction, judgment=judgment, justification=justification
                )
    except IntegrityError:
        # A retry raced the first submission: the record exists now.
        existing = _existing(interaction.uuid, actor, interaction, _sent_action(detail))
        if existing is None:
            raise
        return Recorded(existing, created=False)
    return Recorded(interaction, created=True)


def _save_together(
    interaction: Interaction, entry: AuditEntry, record_values: list[Any], entry_values: list[Any], actor: Any
) -> Recorded:
    """PostgreSQL, outside a transaction: the record, its audit entry and its rollup count in one
    statement (a data-modifying WITH), which is atomic by itself. Three inserts between BEGIN and
    COMMIT cost five round trips; this one (docs/benchmarks.md)."""
    upsert, counts = rollup_add_statement(interaction)
    sql = (
        f"WITH recorded AS ({sql_rows.insert_sql(Interaction)}), "
        f"audited AS ({sql_rows.insert_sql(AuditEntry)}), "
        f"counted AS ({upsert}) "
        "SELECT recorded.id, audited.id FROM recorded, audited"
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, [*record_values, *entry_values, *counts])
            interaction.pk, entry.pk = cursor.fetchone()
    except IntegrityError:
        existing = _existing(interaction.uuid, actor, interaction, None)
        if existing is None:
            raise
        return Recorded(existing, created=False)
    for obj in (interaction, entry):
        obj._state.adding = False
        obj._state.db = connection.alias
    return Recorded(interaction, created=True)


# --- changing and voiding -----------------------------------------------------------------------------


def within_edit_window(interaction: Interaction, *, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return now - interaction.created_at <= datetime.timedelta(hours=settings.EDIT_WINDOW_HOURS)


def amendment_required(*, actor: Any, interaction: Interaction) -> bool:
    """The officer edits their own record freely for EDIT_WINDOW_HOURS; every other change is an amendment."""
    own = interaction.officer.user_id == actor.pk
    return not (own and within_edit_window(interaction))


def _apply_changes(interaction: Interaction, changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - CHANGEABLE_FIELDS
    if unknown:
        raise ValidationError({name: "This field cannot be changed." for name in sorted(unknown)})
    applied = {}
    for name, value in changes.items():
        attname = "school_id" if name == "school" else name
        current = getattr(interaction, attname)
        new = value.pk if name == "school" else value
        if current != new:
            setattr(interaction, name, value)
            applied[name] = value
    if "occurred_at" in applied:
        interaction.occurred_on = local_day(interaction.occurred_at, interaction.agency.time_zone)
    if "school" in applied:
        interaction.district_id = interaction.school.district_id
    return applied


def interaction_change(
    *, actor: Any, interaction: Interaction, changes: dict[str, Any], reason: str = ""
) -> Interaction:
    """Change a record: directly within the officer's edit window, otherwise as an amendment."""
    if interaction.voided:
        raise ValidationError({"__all__": ALREADY_VOID})
    needs_amendment = amendment_required(actor=actor, interaction=interaction)
    if needs_amendment and not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED})
    before = audit_snapshot(interaction)
    old = Interaction.objects.get(pk=interaction.pk)
    applied = _apply_changes(interaction, changes)
    if not applied:
        raise ValidationError({"__all__": NO_CHANGES})
    if interaction.kind == Kind.ENFORCEMENT or old.kind == Kind.ENFORCEMENT:
        if interaction.kind != old.kind:
            raise ValidationError({"kind": "An enforcement action stays an enforcement action; void it instead."})
    _validate(interaction)
    if "school" in applied:
        _check_school_served(interaction.officer, interaction.school)
    with transaction.atomic():
        interaction.save()
        after = audit_snapshot(interaction)
        if needs_amendment:
            Amendment.objects.create(
                interaction=interaction,
                agency_id=interaction.agency_id,
                amended_by=actor,
                reason=reason.strip(),
                before=before,
                after=after,
            )
        audit_record(
            actor=actor,
            action="update",
            obj=interaction,
            summary=("Amended: " + reason.strip()) if needs_amendment else "Edited within the edit window",
            before=before,
            after=after,
            agency_id=interaction.agency_id,
            district_id=interaction.district_id,
        )
        if ROLLUP_FIELDS & set(applied):
            rollup_apply([old], sign=-1)
            rollup_apply([interaction])
        if interaction.kind == Kind.ENFORCEMENT and ENFORCEMENT_ROLLUP_FIELDS & set(applied):
            detail = EnforcementDetail.objects.filter(interaction=interaction).first()
            enforcement_rollup_apply([(old, detail)], sign=-1)
            enforcement_rollup_apply([(interaction, detail)])
        if interaction.kind == Kind.ENFORCEMENT and JUDGED_FIELDS & set(applied):
            enforcement_steps().changed(actor=actor, interaction=interaction, note=reason.strip() or WITHIN_WINDOW)
    return interaction


def interaction_void(*, actor: Any, interaction: Interaction, reason: str) -> Interaction:
    """Deleting is an amendment that marks the record void; nothing disappears."""
    if interaction.voided:
        raise ValidationError({"__all__": ALREADY_VOID})
    if not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED})
    before = audit_snapshot(interaction)
    with transaction.atomic():
        rollup_apply([interaction], sign=-1)
        if interaction.kind == Kind.ENFORCEMENT:
            detail = EnforcementDetail.objects.filter(interaction=interaction).first()
            enforcement_rollup_apply([(interaction, detail)], sign=-1)
        interaction.voided = True
        interaction.save(update_fields=["voided", "updated_at"])
        after = audit_snapshot(interaction)
        Amendment.objects.create(
            interaction=interaction,
            agency_id=interaction.agency_id,
            amended_by=actor,
            reason=reason.strip(),
            voids=True,
            before=before,
            after=after,
        )
        audit_record(
            actor=actor,
            action="delete",
            obj=interaction,
            summary="Voided: " + reason.strip(),
            before=before,
            after=after,
            agency_id=interaction.agency_id,
            district_id=interaction.district_id,
        )
    return interaction


# --- reads of student-level data -----------------------------------------------------------------------


def enforcement_read_audit(*, actor: Any, interactions: list[Interaction], through: str = "the API") -> None:
    """Every read of student-level enforcement data is logged, one entry per agency whose records were read."""
    enforcement = [i for i in interactions if i.kind == Kind.ENFORCEMENT]
    for agency_id in sorted({i.agency_id for i in enforcement}):
        uuids = [str(i.uuid) for i in enforcement if i.agency_id == agency_id]
        audit_record(
            actor=actor,
            action="read",
            object_type="interactions.enforcementdetail",
            summary=f"Read {len(uuids)} enforcement record(s) through {through}",
            after={"uuids": uuids},
            agency_id=agency_id,
        )


def student_keys_enabled(*, district: Any) -> bool:
    """Whether officers in this district may record a pseudonymous student key."""
    return StudentKeySetting.objects.filter(district=district, enabled=True).exists()
