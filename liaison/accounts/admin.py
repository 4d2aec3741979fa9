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

from .audit import audit_record
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
class LiaisonUserAdmin(UserAdmin):
    """Every change of a login's flags, permissions or roles made here is one audit entry."""

    inlines = [MembershipInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        stored = User.objects.filter(pk=obj.pk).first() if change else None
        request._privileges_before = _privileges(stored) if stored else None  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        user = form.instance
        before, after = getattr(request, "_privileges_before", None), _privileges(user)
        if before == after:
            return
        changed = sorted(key for key in after if before is None or before[key] != after[key])
        audit_record(
            actor=request.user,
            action="create" if before is None else "update",
            obj=user,
            object_type="accounts.privileges",
            summary=f"{'Created' if before is None else 'Changed'} {user} in /admin/: {', '.join(changed)}",
            before=before,
            after=after,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._audit_deleted(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        """The "Delete selected users" action: one entry per login, as for one deleted from its page."""
        self._audit_deleted(request, list(queryset))
        super().delete_queryset(request, queryset)

    def _audit_deleted(self, request: HttpRequest, users: list[User]) -> None:
        for user in users:
            audit_record(
                actor=request.user,
                action="delete",
                obj=user,
                object_type="accounts.privileges",
                summary=f"Deleted {user.get_username()} in /admin/",
                before=_privileges(user),
            )


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
class AuditedGroupAdmin(GroupAdmin):
    """Every change of a group's name or permissions made here is one audit entry, as a login's are."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        stored = Group.objects.filter(pk=obj.pk).first() if change else None
        request._group_before = _group_privileges(stored) if stored else None  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        group = form.instance
        before, after = getattr(request, "_group_before", None), _group_privileges(group)
        if before == after:
            return
        audit_record(
            actor=request.user,
            action="create" if before is None else "update",
            object_type="auth.group",
            summary=f"{'Created' if before is None else 'Changed'} the group {group.name} in /admin/",
            before={"group_id": group.pk, **before} if before else None,
            after={"group_id": group.pk, **after},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._audit_deleted(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        self._audit_deleted(request, list(queryset))
        super().delete_queryset(request, queryset)

    def _audit_deleted(self, request: HttpRequest, groups: list[Group]) -> None:
        for group in groups:
            members = sorted(group.user_set.values_list("username", flat=True))
            audit_record(
                actor=request.user,
                action="delete",
                object_type="auth.group",
                summary=f"Deleted the group {group.name} in /admin/ ({len(members)} members lose its permissions)",
                before={"group_id": group.pk, **_group_privileges(group), "members": members},
            )
