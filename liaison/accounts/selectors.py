"""Reads of accounts data, scoped to the user."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .models import AuditEntry
from .roles import Role
from .scope import user_scope


def audit_entries_visible_to(user: Any) -> QuerySet[AuditEntry]:
    """Agency admins read their agency's entries; district admins their district's."""
    scope = user_scope(user)
    if scope.platform_admin:
        return AuditEntry.objects.all()
    rule = Q(pk__in=[])
    if scope.agencies(Role.AGENCY_ADMIN):
        rule |= Q(agency_id__in=scope.agencies(Role.AGENCY_ADMIN))
    if scope.district_admin_ids:
        rule |= Q(district_id__in=scope.district_admin_ids)
    return AuditEntry.objects.filter(rule)


def audit_log_readable(user: Any) -> bool:
    scope = user_scope(user)
    return scope.platform_admin or bool(scope.agencies(Role.AGENCY_ADMIN) or scope.district_admin_ids)
