"""The Django admin is for platform admins (superusers) only, signed in with a second factor.

Its own login page is not used: signing in happens on Liaison's, behind the lockout gate and the
second factor (lockout.py, mfa.py).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .admin_audit import AuditedModelAdmin
from .mfa import session_verified
from .models import AuditEntry, Membership, User


def _superusers_only(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser and session_verified(request))


def _login_elsewhere(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """Signed in without a second factor: set one up (or give it); not signed in: Liaison's sign-in."""
    target = request.GET.get("next") or reverse("admin:index")
    if request.user.is_authenticated:
        return redirect(f"{reverse('accounts:mfa_totp')}?{urlencode({'next': target})}")
    return redirect_to_login(target, reverse("accounts:login"))


admin.site.has_permission = _superusers_only  # type: ignore[method-assign]
admin.site.login = _login_elsewhere  # type: ignore[method-assign,assignment]
admin.site.site_header = "Liaison platform administration"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


def _privileges(user: User) -> dict[str, Any]:
    """What a login may do: the flags, Django groups and permissions, and Liaison roles with their places."""
    memberships = Membership.objects.filter(user=user).order_by("id")
    return {
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "user_permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list("content_type__app_label", "codename")
        ),
        "roles": sorted(
            f"{m.role} agency={m.agency_id or '-'} district={m.district_id or '-'} school={m.school_id or '-'}"
            + (f" state={m.state}" if m.state else "")
            for m in memberships
        ),
    }


@admin.register(User)
class LiaisonUserAdmin(AuditedModelAdmin, UserAdmin):
    """Every change of a login's flags, permissions or roles made here is one audit entry."""

    inlines = [MembershipInline]

    def audit_snapshot(self, obj: Any) -> dict[str, Any]:
        return _privileges(obj)

    def audit_filing(self, obj: Any) -> dict[str, Any]:
        return {"obj": obj, "object_type": "accounts.privileges"}

    def audit_summary(self, obj: Any, action: str, before: dict[str, Any] | None, after: dict[str, Any]) -> str:
        if action == "delete":
            return f"Deleted {obj.get_username()} in /admin/"
        changed = sorted(key for key in after if before is None or before[key] != after[key])
        return f"{'Created' if before is None else 'Changed'} {obj} in /admin/: {', '.join(changed)}"


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_username", "action", "object_type", "summary"]
    list_filter = ["action", "object_type"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# --- groups: a group's permissions are every member's permissions --------------------------------------


def _group_privileges(group: Group) -> dict[str, Any]:
    return {
        "name": group.name,
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in group.permissions.values_list("content_type__app_label", "codename")
        ),
    }


admin.site.unregister(Group)


@admin.register(Group)
class AuditedGroupAdmin(AuditedModelAdmin, GroupAdmin):
    """Every change of a group's name or permissions made here is one audit entry, as a login's are."""

    def audit_snapshot(self, obj: Any) -> dict[str, Any]:
        return {"group_id": obj.pk, **_group_privileges(obj)}

    def audit_deleted_snapshot(self, obj: Any) -> dict[str, Any]:
        return {**self.audit_snapshot(obj), "members": sorted(obj.user_set.values_list("username", flat=True))}

    def audit_filing(self, obj: Any) -> dict[str, Any]:
        return {"object_type": "auth.group"}

    def audit_summary(self, obj: Any, action: str, before: dict[str, Any] | None, after: dict[str, Any]) -> str:
        if action == "delete":
            members = len((before or {}).get("members", []))
            return f"Deleted the group {obj.name} in /admin/ ({members} members lose its permissions)"
        return f"{'Created' if before is None else 'Changed'} the group {obj.name} in /admin/"
