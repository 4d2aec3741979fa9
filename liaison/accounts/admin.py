"""The Django admin is for platform admins (superusers) only."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from .models import AuditEntry, Membership, User


def _superusers_only(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


admin.site.has_permission = _superusers_only  # type: ignore[method-assign]
admin.site.site_header = "Liaison platform administration"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class LiaisonUserAdmin(UserAdmin):
    inlines = [MembershipInline]


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
