"""Pages for single sign-on: the "Sign in with …" start, the provider's return, linking one's own
provider account (rules in accounts/sso.py); the organisation admin's settings page is
liaison/people/sso_views.py."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from . import mfa, sso
from .lockout import sign_in_completed
from .reauth import session_recently_verified

LINKED = "Linked your {name} account: from now on “Sign in with {name}” signs you in."
CONFIRM_TO_LINK = "Confirm it is you first; then link the account again."
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def callback_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:sso_callback"))


def _safe_next(request: HttpRequest, target: str) -> str:
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if target and safe else reverse("home")


def _refused(request: HttpRequest, error: sso.SsoError, *, status: int = 400) -> HttpResponse:
    sso.audit_sso_refused(request, error)
    return render(request, "accounts/sso_refused.html", {"message": error.message}, status=status)


@require_safe
def sso_start(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """ "Sign in with …": off to the provider, with a fresh state, nonce and PKCE challenge."""
    provider = get_object_or_404(sso.providers_for_sign_in(), uuid=uuid)
    try:
        url = sso.sso_begin(
            request,
            provider,
            redirect_uri=callback_url(request),
            intent=sso.SIGN_IN,
            next_url=request.GET.get("next", ""),
        )
    except sso.SsoError as error:
        request.sso_provider = provider  # type: ignore[attr-defined]
        return _refused(request, error, status=502)
    return redirect(url)


@login_required
@require_POST
def sso_link(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Link one's own provider account (only a provider of the organisation all one's roles are at)."""
    provider = get_object_or_404(sso.providers_for_sign_in(), uuid=uuid)
    if not sso.roles_all_in_organisation(request.user, provider):  # type: ignore[arg-type]
        raise Http404
    if not session_recently_verified(request):
        messages.info(request, CONFIRM_TO_LINK)
        return redirect(f"{reverse('accounts:confirm')}?next={reverse('accounts:account')}%23single-sign-on")
    try:
        url = sso.sso_begin(
            request,
            provider,
            redirect_uri=callback_url(request),
            intent=sso.LINK,
            next_url=reverse("accounts:account") + "#single-sign-on",
        )
    except sso.SsoError as error:
        request.sso_provider = provider  # type: ignore[attr-defined]
        return _refused(request, error, status=502)
    return redirect(url)


@require_safe
def sso_callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the browser back here with a code (or an error) and the state."""
    try:
        result = sso.sso_complete(request, request.GET.dict())
    except sso.SsoError as error:
        return _refused(request, error)
    if result.intent == sso.LINK:
        messages.success(request, LINKED.format(name=result.provider.name))
        return redirect(_safe_next(request, result.next))
    login(request, result.user, backend=MODEL_BACKEND)  # a new session; Django's signal audits it too
    if result.mfa_counted:
        mfa.session_verified_by_provider(request)
    sso.audit_sso_sign_in(result)
    response = redirect(_safe_next(request, result.next))
    if not mfa.session_must_verify(request):
        sign_in_completed(request, response, result.user)
    return response


# --- the organisation admin's settings page ---------------------------------------------------------------
