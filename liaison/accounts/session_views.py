"""Unlocking an idle session, offering again what was posted while locked, and signing out everywhere."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from liaison.lib.accessible_forms import AccessibleForm
from liaison.ratelimits import store

from . import mfa, sessions
from .forms import WRONG_PASSWORD
from .passkeys import passkeys_of

UNLOCKS_PER_QUARTER_HOUR = 5
TOO_MANY_UNLOCKS = "Too many wrong attempts: you are signed out. Sign in again."
SIGNED_OUT_ELSEWHERE = "Signed out everywhere else: every other browser and device must sign in again."


class UnlockForm(AccessibleForm):
    password = forms.CharField(
        label="Your password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    code = forms.CharField(
        label="Code", max_length=32, required=False, widget=forms.TextInput(attrs={"autocomplete": "one-time-code"})
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.enrolled = mfa.mfa_enrolled(request.user)
        if self.enrolled:
            self.fields["code"].required = True
            self.fields["code"].help_text = "From your authenticator app, or a recovery code."
        else:
            del self.fields["code"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        user: Any = self.request.user
        if "password" in data and not user.check_password(data["password"]):
            self.add_error("password", WRONG_PASSWORD)
        elif self.enrolled and data.get("code") and not mfa.mfa_check_code(user, data["code"]):
            self.add_error("code", mfa.WRONG_CODE)
        return data


def _after_unlock(request: HttpRequest, target: str) -> str:
    if sessions.HELD_POST in request.session:
        return reverse("accounts:unlock_resume")
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if target and safe else reverse("home")


@login_required
@require_http_methods(["GET", "POST"])
def unlock(request: HttpRequest) -> HttpResponse:
    """One passkey tap, or the password (and a code), and the person carries on where they were."""
    target = request.POST.get("next") or request.GET.get("next", "")
    if not request.session.get(sessions.LOCKED):
        return redirect(_after_unlock(request, target))
    form = UnlockForm(request.POST or None, request=request, initial={"next": target})
    if request.method == "POST":
        if not store.allow(f"unlock:{request.user.pk}", limit=UNLOCKS_PER_QUARTER_HOUR, window_seconds=900):
            logout(request)
            messages.error(request, TOO_MANY_UNLOCKS)
            return redirect("accounts:login")
        if form.is_valid():
            sessions.session_unlock(request)
            return redirect(_after_unlock(request, target))
    context = {"form": form, "has_passkey": passkeys_of(request.user).exists(), "next": target}
    return render(request, "accounts/unlock.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET"])
def unlock_resume(request: HttpRequest) -> HttpResponse:
    """The form posted while the session was locked, filled in as it was, to send again."""
    held = request.session.pop(sessions.HELD_POST, None)
    if not held:
        return redirect("home")
    return render(request, "accounts/unlock_resume.html", {"held": held})


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    sessions.sessions_end_everywhere(request)
    messages.success(request, SIGNED_OUT_ELSEWHERE)
    return redirect(reverse("accounts:account"))
