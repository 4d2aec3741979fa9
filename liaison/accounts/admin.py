"""The Django admin is for platform admins (superusers) only, signed in with a second factor.

Its own login page is not used: signing in happens on Liaison's, behind the lockout gate and the
second factor (lockout.py, mfa.py).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

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
