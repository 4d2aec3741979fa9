"""Records edited in /admin/ leave an audit entry, as the same edit through Liaison's pages does.

The admin writes straight to the models, past the services that audit; without this a platform admin
could move a partnership's dates or an officer's agency and leave no trace but Django's own LogEntry,
which the application may rewrite. One entry per record saved or deleted, bulk deletes included.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpRequest

from .audit import audit_record

_ENCODER = DjangoJSONEncoder()


def stored_fields(obj: models.Model) -> dict[str, Any]:
    """The record's own columns as the audit log keeps them (JSON values; dates and UUIDs as text)."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        value = field.value_from_object(obj)
        values[field.attname] = (
            value if isinstance(value, str | int | float | bool | type(None)) else _ENCODER.default(value)
        )
    return values


def record_scope(obj: models.Model) -> dict[str, int | None]:
    """The agency and district an entry is filed under, so their admins see it on their audit page."""
    label = obj._meta.label_lower
    return {
        "agency_id": obj.pk if label == "directory.agency" else getattr(obj, "agency_id", None),
        "district_id": obj.pk if label == "directory.district" else getattr(obj, "district_id", None),
    }


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes, one record or a selection, are each one audit entry."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        before = stored_fields(stored) if stored is not None else None
        super().save_model(request, obj, form, change)
        after = stored_fields(obj)
        if before == after:
            return
        audit_record(
            actor=request.user,
            action="update" if before is not None else "create",
            obj=obj,
            summary=f"{'Changed' if before is not None else 'Created'} {obj._meta.verbose_name} {obj} in /admin/",
            before=before,
            after=after,
            **record_scope(obj),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.audit_deleted(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        self.audit_deleted(request, list(queryset))
        super().delete_queryset(request, queryset)

    def audit_deleted(self, request: HttpRequest, objs: list[Any]) -> None:
        for obj in objs:
            audit_record(
                actor=request.user,
                action="delete",
                obj=obj,
                summary=f"Deleted {obj._meta.verbose_name} {obj} in /admin/",
                before=stored_fields(obj),
                **record_scope(obj),
            )
