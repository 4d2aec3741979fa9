"""Writing to the append-only audit log. Every service that changes a record calls this."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models

from .models import AuditEntry


def audit_snapshot(obj: models.Model) -> dict[str, Any]:
    """The record's concrete field values as JSON-safe data (foreign keys by id)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        data[field.attname] = _json_safe(value)
    return data


def _json_safe(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    return value


def audit_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[dict | None, dict | None]:
    """Keep only the fields that changed, so the log shows the difference."""
    if before is None or after is None:
        return before, after
    changed = {key for key in after if before.get(key) != after.get(key)}
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def audit_record(*, actor: Any, action: str, **fields: Any) -> AuditEntry:
    """Write one entry (the arguments are audit_entry's)."""
    entry = audit_entry(actor=actor, action=action, **fields)
    entry.save()
    return entry


def audit_entry(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_uuid: uuid.UUID | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    agency_id: int | None = None,
    district_id: int | None = None,
) -> AuditEntry:
    """The entry audit_record writes, unsaved: for a writer that inserts it together with its own rows."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_uuid = object_uuid or getattr(obj, "uuid", None)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    before, after = audit_changes(before, after)
    return AuditEntry(
        actor=actor if authenticated else None,
        actor_username=actor.get_username() if authenticated else "",
        action=action,
        object_type=object_type,
        object_uuid=object_uuid,
        summary=summary[:300],
        before=before,
        after=after,
        agency_id=agency_id,
        district_id=district_id,
    )
