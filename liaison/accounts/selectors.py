"""Reads of accounts data, scoped to the user."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .models import AuditEntry, User
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


def audit_entries_filtered(user: Any, filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    """The entries `user` may read, narrowed by the audit page's filters (AuditFilterForm's cleaned data)."""
    entries = audit_entries_visible_to(user)
    if filters.get("actor"):
        entries = entries.filter(actor_username=filters["actor"])
    if filters.get("action"):
        entries = entries.filter(action=filters["action"])
    if filters.get("object_type"):
        entries = entries.filter(object_type=filters["object_type"])
    if filters.get("object_uuid"):
        # The entries about the object, and the pages of records that showed it (their ids in after.records).
        shown = Q(action=AuditEntry.Action.READ, after__records__icontains=str(filters["object_uuid"]))
        entries = entries.filter(Q(object_uuid=filters["object_uuid"]) | shown)
    if filters.get("since"):
        entries = entries.filter(at__date__gte=filters["since"])
    if filters.get("until"):
        entries = entries.filter(at__date__lte=filters["until"])
    return entries


def users_active_with_email(email: str) -> QuerySet[User]:
    """Active logins whose e-mail address is `email`, ignoring case (the database's notion of it)."""
    return User.objects.filter(email__iexact=email, is_active=True)


def link_sent_last(user: Any, object_types: tuple[str, ...]) -> AuditEntry | None:
    """The latest audit entry of these kinds about this login (a reset link or an invitation sent)."""
    found = AuditEntry.objects.filter(object_uuid=user.uuid, object_type__in=object_types)
    return found.select_related("actor").order_by("-at", "-id").first()
