"""Recording contacts and enforcement actions, changing them, and voiding them. Pages, API,
imports and the demo all call these; nothing else writes an interaction."""

from __future__ import annotations

import datetime
import secrets
import zoneinfo
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from liaison.accounts.audit import audit_record, audit_snapshot
from liaison.directory.models import Officer, Partnership, School
from liaison.lib.errors import ConflictError
from liaison.lib.identifying_text import identifying_text_problems
from liaison.lib.pseudonyms import STUDENT_ID_INVALID, normalise_student_id, student_key

from .models import Amendment, EnforcementDetail, Interaction, StudentKeySetting
from .rollups import rollup_apply
from .vocabulary import DEFAULT_ROLE, REFERRAL_ACTIONS, ActionType, Kind

ENFORCEMENT_DETAIL_REQUIRED = "An enforcement action needs its details (action type, reason, demographics)."
ENFORCEMENT_DETAIL_NOT_ALLOWED = "Only enforcement actions carry enforcement details."
SCHOOL_NOT_SERVED = "This school is not in a district the officer's agency serves."
IN_THE_FUTURE = "This time is in the future."
SERVICE_ONLY_FOR_REFERRALS = "A service is recorded only on a referral to services."
STAFF_ROLE_ONLY_FOR_STAFF = "A staff role is recorded only on a staff consultation."
UUID_TAKEN = "This id belongs to another record."
STUDENT_KEYS_DISABLED = "This district does not use pseudonymous student keys."
REASON_REQUIRED = "Say why this record is being changed."
ALREADY_VOID = "This record is already void."
NO_CHANGES = "Nothing was changed."
CONSULTED_ROLE_WITHOUT_CONSULTATION = "Give the administrator's role only when one was consulted."

FUTURE_TOLERANCE = datetime.timedelta(minutes=5)
# Fields of a record that change what it counts as, so the rollups must follow a change to them.
ROLLUP_FIELDS = frozenset({"kind", "role", "school", "occurred_at", "duration_minutes", "student_count"})
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


# --- checks ------------------------------------------------------------------------------


def _local_day(moment: datetime.datetime, time_zone: str) -> datetime.date:
    return timezone.localtime(moment, zoneinfo.ZoneInfo(time_zone)).date()


def _check_school_served(officer: Officer, school: School) -> None:
    served = Partnership.objects.filter(agency_id=officer.agency_id, district_id=school.district_id).exists()
    if not served:
        raise ValidationError({"school": SCHOOL_NOT_SERVED})


def _field_errors(interaction: Interaction) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if interaction.note:
        problems = identifying_text_problems(interaction.note)
        if problems:
            errors["note"] = problems
    if interaction.occurred_at and interaction.occurred_at > timezone.now() + FUTURE_TOLERANCE:
        errors["occurred_at"] = [IN_THE_FUTURE]
    if interaction.service and interaction.kind != Kind.REFERRAL:
        errors["service"] = [SERVICE_ONLY_FOR_REFERRALS]
    if interaction.staff_role and interaction.kind != Kind.STAFF:
        errors["staff_role"] = [STAFF_ROLE_ONLY_FOR_STAFF]
    return errors


def _validate(interaction: Interaction) -> None:
    errors: dict[str, list[str]] = {}
    try:
        interaction.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update({k: [str(m) for m in ValidationError(v).messages] for k, v in error.error_dict.items()})
    for field, messages in _field_errors(interaction).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


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
    if detail.admin_consulted_role and not detail.admin_consulted:
        raise ValidationError({"admin_consulted_role": CONSULTED_ROLE_WITHOUT_CONSULTATION})
    try:
        detail.full_clean(exclude=["interaction"], validate_unique=False)
    except ValidationError as error:
        raise ValidationError(error.error_dict) from None
    return detail


# --- recording ------------------------------------------------------------------------------------


def _existing(client_uuid: UUID | None, actor: Any) -> Interaction | None:
    if client_uuid is None:
        return None
    found = Interaction.objects.filter(uuid=client_uuid).first()
    if found is not None and found.created_by_id != actor.pk:
        raise ConflictError({"client_uuid": UUID_TAKEN})
    return found


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
    **optional: Any,
) -> Recorded:
    """Record a contact (or an enforcement action with its details). Idempotent on client_uuid."""
    existing = _existing(client_uuid, actor)
    if existing is not None:
        return Recorded(existing, created=False)
    interaction = Interaction(
        agency_id=officer.agency_id,
        district_id=school.district_id,
        school=school,
        officer=officer,
        kind=kind,
        role=role or DEFAULT_ROLE.get(kind, ""),
        occurred_at=occurred_at,
        occurred_on=_local_day(occurred_at, officer.agency.time_zone),
        source=source,
        created_by=actor,
        **optional,
    )
    if client_uuid is not None:
        interaction.uuid = client_uuid
    _validate(interaction)
    _check_school_served(officer, school)
    if (kind == Kind.ENFORCEMENT) != (enforcement is not None):
        field = "enforcement"
        raise ValidationError(
            {field: ENFORCEMENT_DETAIL_REQUIRED if enforcement is None else ENFORCEMENT_DETAIL_NOT_ALLOWED}
        )
    detail = _enforcement_detail(interaction, enforcement) if enforcement is not None else None
    return _save_new(interaction, detail, actor)


def _save_new(interaction: Interaction, detail: EnforcementDetail | None, actor: Any) -> Recorded:
    try:
        with transaction.atomic():
            interaction.save(force_insert=True)
            if detail is not None:
                detail.interaction = interaction
                detail.save(force_insert=True)
            audit_record(
                actor=actor,
                action="create",
                obj=interaction,
                summary=f"Recorded {interaction.get_kind_display()}",
                agency_id=interaction.agency_id,
                district_id=interaction.district_id,
            )
            rollup_apply([interaction])
    except IntegrityError:
        # A retry raced the first submission: the record exists now.
        existing = _existing(interaction.uuid, actor)
        if existing is None:
            raise
        return Recorded(existing, created=False)
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
        interaction.occurred_on = _local_day(interaction.occurred_at, interaction.agency.time_zone)
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
