"""Sign-in, sign-out, the landing page and the audit log."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from liaison.lib.csv_export import csv_writer
from liaison.lib.form_pages import add_service_errors
from liaison.lib.paging import BAD_CURSOR, keyset_links, keyset_page
from liaison.ratelimits import store

from . import mfa
from .forms import ApiTokenForm, AuditFilterForm, ConfirmPasswordForm, SecondFactorCodeForm
from .lockout import device_cookie_set
from .passkeys import passkeys_of
from .reauth import session_mark_verified
from .selectors import audit_entries_filtered, audit_log_readable
from .sso import providers_on_sign_in_page
from .tokens import (
    api_token_get_for_user,
    api_token_issue,
    api_token_revoke,
    token_creation_refusal,
)

TOKEN_REVOKED = "Revoked the token {prefix}… “{name}”: it no longer works."
CONFIRM_TO_CREATE_TOKEN = "Confirm your password to create a token; then create it again."


class LoginView(auth_views.LoginView):
    """Django's sign-in, behind the lockout gate (lockout.py). The browser is trusted for the account
    only once the sign-in is complete: here when the person has no second factor, else after it
    (mfa_views)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if not mfa.session_must_verify(self.request):
            device_cookie_set(self.request, response, form.get_user())
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "sso_providers": providers_on_sign_in_page()}

    def form_invalid(self, form: Any) -> HttpResponse:
        refusal = getattr(self.request, "sign_in_refusal", None)
        if refusal is None:
            return super().form_invalid(form)
        context = self.get_context_data(form=AuthenticationForm(self.request), locked_message=refusal.message)
        return self.render_to_response(context, status=429)


@login_required
@require_POST
def api_token_new(request: HttpRequest) -> HttpResponse:
    """Shows the new token once, in this response (never in a message or a redirect, which would
    keep it in the session)."""
    if token_creation_refusal(request) is not None:
        messages.info(request, CONFIRM_TO_CREATE_TOKEN)
        return redirect(f"{reverse('accounts:confirm')}?next={reverse('accounts:account')}%23api-tokens")
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            user: Any = request.user  # login_required: never anonymous here
            data = form.cleaned_data
            row, token = api_token_issue(
                actor=user, user=user, name=data["name"], access=data["access"], days=data["days"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            context = {"row": row, "token": token}
            return render(request, "accounts/api_token_new.html", context, status=201)
    return render(request, "accounts/api_token_form.html", {"form": form}, status=400)


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, uuid: UUID) -> HttpResponse:
    token = api_token_get_for_user(request.user, uuid)
    try:
        api_token_revoke(actor=request.user, token=token)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, TOKEN_REVOKED.format(prefix=token.prefix, name=token.name))
    return redirect(f"{reverse('accounts:account')}#api-tokens")


@login_required
def no_access(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/no_access.html", status=403)


AUDIT_PAGE_SIZE = 50
AUDIT_ORDER = ("-at", "-id")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not audit_log_readable(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entries_filtered(request.user, filters)
    try:
        page = keyset_page(entries, ordering=AUDIT_ORDER, cursor=request.GET.get("cursor", ""), size=AUDIT_PAGE_SIZE)
    except ValueError:
        return HttpResponseBadRequest(BAD_CURSOR)
    query = request.GET.copy()
    query.pop("cursor", None)
    export_url = f"{reverse('accounts:audit_export')}?{query.urlencode()}"
    context = {"form": form, "page": page, "export_url": export_url, **keyset_links(request, page)}
    return render(request, "accounts/audit_log.html", context)


def csv_text(columns: list[str], rows: Iterable[list[Any]]) -> str:
    """CSV with a header, through the one writer that neutralises formulas."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


AUDIT_CSV_COLUMNS = ["at", "actor", "action", "object_type", "object_uuid", "summary", "before", "after", "uuid"]


@login_required
@require_safe
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered entries as CSV; the download is itself an audit entry (accounts/export_audit.py)."""
    if not audit_log_readable(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "accounts/audit_log.html", {"form": form, "page": None}, status=400)
    entries = audit_entries_filtered(request.user, form.cleaned_data if request.GET else {})
    rows = (
        [e.at.isoformat(), e.actor_username, e.action, e.object_type, e.object_uuid or "", e.summary,
         json.dumps(e.before) if e.before is not None else "", json.dumps(e.after) if e.after is not None else "",
         e.uuid]
        for e in entries.iterator(chunk_size=2000)
    )  # fmt: skip
    response = HttpResponse(csv_text(AUDIT_CSV_COLUMNS, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{timezone.localdate().isoformat()}.csv"'
    response["Cache-Control"] = "no-store"
    return response


CONFIRMS_PER_QUARTER_HOUR = 5
TOO_MANY_CONFIRMS = "Too many attempts. Wait a quarter of an hour and try again."


@login_required
def confirm(request: HttpRequest) -> HttpResponse:
    """Confirm the password of the signed-in person, then go back to where they were."""
    initial = {"next": request.GET.get("next", "")}
    enrolled = mfa.mfa_enrolled(request.user)
    has_passkey = passkeys_of(request.user).exists()
    form: Any = (
        SecondFactorCodeForm(request.POST or None, initial=initial)
        if enrolled
        else ConfirmPasswordForm(request.POST or None, user=request.user, initial=initial)
    )
    if request.method == "POST":
        if not store.allow(f"confirm:{request.user.pk}", limit=CONFIRMS_PER_QUARTER_HOUR, window_seconds=900):
            form.add_error(None, TOO_MANY_CONFIRMS)
            return render(request, "accounts/confirm.html", {"form": form}, status=429)
        if enrolled and form.is_valid() and not mfa.mfa_verify(request, form.cleaned_data["code"]):
            form.add_error("code", mfa.WRONG_CODE)
        if form.is_valid():
            session_mark_verified(request)
            target = form.cleaned_data["next"]
            safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
            return redirect(target if target and safe else reverse("accounts:account"))
        return render(request, "accounts/confirm.html", {"form": form, "has_passkey": has_passkey}, status=400)
    return render(request, "accounts/confirm.html", {"form": form, "has_passkey": has_passkey})
