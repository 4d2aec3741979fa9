"""Saving a domain record the one way services do: validate, save, audit, all or nothing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from liaison.lib.errors import ConflictError, is_uniqueness_error

from .audit import audit_record, audit_snapshot

M = TypeVar("M", bound=models.Model)


def validate_record(obj: models.Model, *, exclude: Iterable[str] | None = None) -> None:
    """full_clean(), with a clash against stored rows raised as a ConflictError."""
    try:
        obj.full_clean(exclude=list(exclude) if exclude else None)
    except ValidationError as error:
        if is_uniqueness_error(error):
            raise ConflictError(error.error_dict) from None
        raise


def record_create(
    obj: M,
    *,
    actor: Any,
    agency_id: int | None = None,
    district_id: int | None = None,
    tenant_is_self: bool = False,
) -> M:
    """Validate, save and audit a new record. `tenant_is_self`: the record is itself the agency/district."""
    with transaction.atomic():
        validate_record(obj)
        obj.save()
        if tenant_is_self:
            agency_id = obj.pk if obj._meta.model_name == "agency" else agency_id
            district_id = obj.pk if obj._meta.model_name == "district" else district_id
        audit_record(
            actor=actor,
            action="create",
            obj=obj,
            summary=f"Created {obj}",
            after=audit_snapshot(obj),
            agency_id=agency_id,
            district_id=district_id,
        )
    return obj


def record_update(
    obj: M, *, actor: Any, changes: dict[str, Any], agency_id: int | None = None, district_id: int | None = None
) -> M:
    """Apply field changes, validate, save and audit the difference. Unknown fields are a bug."""
    before = audit_snapshot(obj)
    for name, value in changes.items():
        obj._meta.get_field(name)  # raises FieldDoesNotExist for a typo
        setattr(obj, name, value)
    try:
        with transaction.atomic():
            validate_record(obj)
            obj.save()
            audit_record(
                actor=actor,
                action="update",
                obj=obj,
                summary=f"Changed {obj}",
                before=before,
                after=audit_snapshot(obj),
                agency_id=agency_id,
                district_id=district_id,
            )
    except ValidationError:
        obj.refresh_from_db()
        raise
    return obj
