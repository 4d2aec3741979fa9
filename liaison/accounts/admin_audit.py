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
    """A ModelAdmin whose saves and deletes, one record or a selection, are each one audit entry.

    The record is read before the save and after its related rows (inlines, many-to-many) are saved,
    so a change made only in an inline counts. A subclass says what it keeps of a record
    (`audit_snapshot`), how the entry is filed (`audit_filing`) and what it says (`audit_summary`)."""

    def audit_snapshot(self, obj: Any) -> dict[str, Any]:
        return stored_fields(obj)

    def audit_deleted_snapshot(self, obj: Any) -> dict[str, Any]:
        return self.audit_snapshot(obj)

    def audit_filing(self, obj: Any) -> dict[str, Any]:
        return {"obj": obj, **record_scope(obj)}

    def audit_summary(self, obj: Any, action: str, before: dict[str, Any] | None, after: dict[str, Any]) -> str:
        verb = {"create": "Created", "update": "Changed", "delete": "Deleted"}[action]
        return f"{verb} {obj._meta.verbose_name} {obj} in /admin/"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        request._audit_before = self.audit_snapshot(stored) if stored is not None else None  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before, after = getattr(request, "_audit_before", None), self.audit_snapshot(obj)
        if before == after:
            return
        action = "create" if before is None else "update"
        audit_record(
            actor=request.user,
            action=action,
            summary=self.audit_summary(obj, action, before, after),
            before=before,
            after=after,
            **self.audit_filing(obj),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.audit_deleted(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        """The "Delete selected" action: one entry per record, as for one deleted from its page."""
        self.audit_deleted(request, list(queryset))
        super().delete_queryset(request, queryset)

    def audit_deleted(self, request: HttpRequest, objs: list[Any]) -> None:
        for obj in objs:
            before = self.audit_deleted_snapshot(obj)
            audit_record(
                actor=request.user,
                action="delete",
                summary=self.audit_summary(obj, "delete", before, {}),
                before=before,
                **self.audit_filing(obj),
            )
