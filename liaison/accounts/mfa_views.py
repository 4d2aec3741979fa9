"""Pages for the second factor: the code at sign-in, and setting up an authenticator app (rules in mfa.py)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from liaison.lib.api_errors import error_body
from liaison.ratelimits import store

from . import mfa, passkeys, sessions
from .forms import SecondFactorCodeForm
from .lockout import sign_in_completed
from .reauth import session_recently_verified
from .recovery_codes import recovery_codes_left, recovery_codes_replace

CODES_PER_QUARTER_HOUR = 10
TOO_MANY_CODES = "Too many codes tried. Wait a quarter of an hour and try again."


def _next_url(request: HttpRequest, target: str) -> str:
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if target and safe else reverse("home")


def _over_limit(request: HttpRequest) -> bool:
    return not store.allow(f"mfa-code:{request.user.pk}", limit=CODES_PER_QUARTER_HOUR, window_seconds=900)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    if not mfa.session_must_verify(request):
        return redirect(_next_url(request, request.GET.get("next", "")))
    form = SecondFactorCodeForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST":
        if _over_limit(request):
            form.add_error(None, TOO_MANY_CODES)
            return render(request, "accounts/mfa_verify.html", _verify_context(request, form), status=429)
        if form.is_valid() and mfa.mfa_verify(request, form.cleaned_data["code"]):
            response = redirect(_next_url(request, form.cleaned_data["next"]))
            sign_in_completed(request, response, request.user)
            return response
        if form.is_valid():
            form.add_error("code", mfa.WRONG_CODE)
        return render(request, "accounts/mfa_verify.html", _verify_context(request, form), status=400)
    return render(request, "accounts/mfa_verify.html", _verify_context(request, form))


def _verify_context(request: HttpRequest, form: Any) -> dict[str, Any]:
    return {"form": form, "has_passkey": passkeys.passkeys_of(request.user).exists()}


def _secret(device: Any) -> str:
    """The key as an app's "enter a setup key" field wants it: base32, in groups of four."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@login_required
@require_http_methods(["GET", "POST"])
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Scan the code (or type the key) into an authenticator app, then give one code from it."""
    user: Any = request.user
    if mfa.mfa_enrolled(user) and not session_recently_verified(request):
        return redirect(f"{reverse('accounts:confirm')}?next={reverse('accounts:mfa_totp')}")
    device = mfa.totp_pending_device(user)
    form = SecondFactorCodeForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    status = 200
    if request.method == "POST":
        if _over_limit(request):
            form.add_error(None, TOO_MANY_CODES)
            status = 429
        elif form.is_valid():
            codes = mfa.totp_confirm(request, form.cleaned_data["code"])
            if codes is not None:
                done = {"codes": codes, "next": _next_url(request, form.cleaned_data["next"])}
                return render(request, "accounts/mfa_recovery_codes.html", done)
            form.add_error("code", mfa.WRONG_CODE)
            status = 400
        else:
            status = 400
    context: dict[str, Any] = {
        "form": form,
        "qr": segno.make(device.config_url, error="m").svg_inline(scale=4, title="Set-up code"),
        "secret": _secret(device),
        "grace_ends": mfa.session_grace_ends(request),
    }
    return render(request, "accounts/mfa_totp.html", context, status=status)


# --- passkeys (JSON steps the page's script takes; rules in passkeys.py) -------------------------------

NEEDS_RECENT_FACTOR = "Confirm it is you first (your account page asks for a code), then add the passkey."


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _adding_refused(request: HttpRequest) -> JsonResponse | None:
    """Adding a factor to a login that has one needs that factor recently (as replacing an app does)."""
    if mfa.mfa_enrolled(request.user) and not session_recently_verified(request):
        return JsonResponse(error_body(NEEDS_RECENT_FACTOR), status=403)
    return None


@login_required
@require_POST
def passkey_options(request: HttpRequest) -> HttpResponse:
    refused = _adding_refused(request)
    if refused is not None:
        return refused
    return HttpResponse(passkeys.passkey_registration_options(request), content_type="application/json")


@login_required
@require_POST
def passkey_add(request: HttpRequest) -> HttpResponse:
    refused = _adding_refused(request)
    if refused is not None:
        return refused
    body = _json_body(request)
    try:
        passkey = passkeys.passkey_register(
            request, name=str(body.get("name", "")), credential=body.get("credential") or {}
        )
    except passkeys.PasskeyError as error:
        return JsonResponse(error_body(str(error), {"credential": [str(error)]}), status=400)
    codes = mfa.passkey_added(request, passkey)
    return JsonResponse({"name": passkey.name, "recovery_codes": codes or []}, status=201)


@login_required
@require_POST
def passkey_auth_options(request: HttpRequest) -> HttpResponse:
    return HttpResponse(passkeys.passkey_authentication_options(request), content_type="application/json")


@login_required
@require_POST
def passkey_auth(request: HttpRequest) -> HttpResponse:
    if _over_limit(request):
        return JsonResponse(error_body(TOO_MANY_CODES), status=429)
    body = _json_body(request)
    try:
        passkeys.passkey_authenticate(request, credential=body.get("credential") or {})
    except passkeys.PasskeyError as error:
        return JsonResponse(error_body(str(error), {"credential": [str(error)]}), status=400)
    mfa.passkey_verified(request)
    sessions.session_unlock(request)  # one tap also unlocks an idle session
    if sessions.HELD_POST in request.session:
        response = JsonResponse({"next": reverse("accounts:unlock_resume")})
    else:
        response = JsonResponse({"next": _next_url(request, str(body.get("next", "")))})
    sign_in_completed(request, response, request.user)
    return response


# --- recovery codes and removing a factor (from the account page, after a recent second factor) ---------

FACTOR_REMOVED = "Removed {what}. Your API tokens were revoked; create new ones if you need them."
CONFIRM_FIRST = "Confirm it is you first; then try again."
SECOND_FACTOR_SECTION = "#second-factor"


def _confirm_first(request: HttpRequest, then: str) -> HttpResponse:
    messages.info(request, CONFIRM_FIRST)
    return redirect(f"{reverse('accounts:confirm')}?{urlencode({'next': then})}")


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """A new set of recovery codes, shown once (this response); the earlier set stops working."""
    user: Any = request.user
    if not mfa.mfa_enrolled(user):
        return redirect(reverse("accounts:account") + SECOND_FACTOR_SECTION)
    if not session_recently_verified(request):
        return _confirm_first(request, reverse("accounts:recovery_codes"))
    if request.method == "POST":
        codes = recovery_codes_replace(user)
        account = reverse("accounts:account") + SECOND_FACTOR_SECTION
        return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes, "next": account, "renewed": True})
    return render(request, "accounts/recovery_codes.html", {"left": recovery_codes_left(user)})


def _removed(request: HttpRequest, *, what: str, totp: bool = False, passkey: Any = None) -> HttpResponse:
    account = reverse("accounts:account") + SECOND_FACTOR_SECTION
    if not session_recently_verified(request):
        return _confirm_first(request, account)
    try:
        mfa.factor_remove(user=request.user, totp=totp, passkey=passkey)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, FACTOR_REMOVED.format(what=what))
    return redirect(account)


@login_required
@require_POST
def totp_remove(request: HttpRequest) -> HttpResponse:
    if not mfa.totp_enrolled(request.user):
        raise Http404
    return _removed(request, what="the authenticator app", totp=True)


@login_required
@require_POST
def passkey_remove(request: HttpRequest, uuid: UUID) -> HttpResponse:
    passkey = get_object_or_404(passkeys.passkeys_of(request.user), uuid=uuid)  # only one's own
    return _removed(request, what=f"the passkey “{passkey.name}”", passkey=passkey)
