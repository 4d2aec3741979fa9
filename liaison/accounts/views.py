"""Sign-in, sign-out, the landing page and the audit log."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from liaison.directory.models import Agency, District, School
from liaison.lib.form_pages import add_service_errors

from .forms import ApiTokenForm, AuditFilterForm
from .people import places_managed_by
from .roles import Role
from .scope import user_scope
from .selectors import audit_entries_visible_to, audit_log_readable
from .tokens import api_token_get_for_user, api_token_issue, api_token_revoke, api_tokens_of

TOKEN_REVOKED = "Revoked the token {prefix}… “{name}”: it no longer works."
LOCKED_OUT = (
    "Too many failed sign-in attempts for this account. "
    "Wait {minutes} minutes and try again, or ask your administrator to unlock it."
)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def lockout_response(
    request: HttpRequest, response: Any = None, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = AuthenticationForm(request)
    context = {"form": form, "locked_message": LOCKED_OUT.format(minutes=minutes)}
    return render(request, "accounts/login.html", context, status=429)


def _landing_url(user: Any) -> str:
    """The page each role starts from."""
    scope = user_scope(user)
    if scope.platform_admin:
        return reverse("directory:agency_list")
    officer_agencies = scope.agencies(Role.OFFICER)
    if scope.officer_id is not None and officer_agencies and not scope.managing_agency_ids:
        return reverse("interactions:quick_log")
    if scope.any_agency_ids:
        agency = Agency.objects.filter(pk__in=scope.any_agency_ids).order_by("name").first()
        return reverse("directory:agency_detail", args=[agency.uuid]) if agency else reverse("directory:agency_list")
    if scope.district_admin_ids or scope.evaluator_district_ids:
        district = District.objects.filter(pk__in=scope.district_admin_ids | scope.evaluator_district_ids).first()
        return (
            reverse("directory:district_detail", args=[district.uuid]) if district else reverse("directory:agency_list")
        )
    if scope.school_admin_ids:
        school = School.objects.filter(pk__in=scope.school_admin_ids).first()
        return reverse("directory:school_detail", args=[school.uuid]) if school else reverse("directory:agency_list")
    return reverse("accounts:no_access")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(_landing_url(request.user))


def _held_at(membership: Any) -> str:
    place = membership.agency or membership.district or membership.school
    return place.name if place is not None else ""


@login_required
@require_safe
def account(request: HttpRequest) -> HttpResponse:
    """Who the user is here: their login, their roles, and the people they manage."""
    memberships = request.user.memberships.select_related("agency", "district", "school")  # type: ignore[union-attr]
    roles = [(m.get_role_display(), _held_at(m)) for m in memberships]
    context = {
        "roles": sorted(roles),
        "places": places_managed_by(request.user),
        "tokens": api_tokens_of(request.user),
        "token_form": ApiTokenForm(),
    }
    return render(request, "accounts/account.html", context)


@login_required
@require_POST
def api_token_new(request: HttpRequest) -> HttpResponse:
    """Shows the new token once, in this response (never in a message or a redirect, which would
    keep it in the session)."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            user: Any = request.user  # login_required: never anonymous here
            row, token = api_token_issue(actor=user, user=user, name=form.cleaned_data["name"])
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


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not audit_log_readable(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    entries = audit_entries_visible_to(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["object_type"]:
            entries = entries.filter(object_type=data["object_type"])
        if data["since"]:
            entries = entries.filter(at__date__gte=data["since"])
        if data["until"]:
            entries = entries.filter(at__date__lte=data["until"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_log.html", {"form": form, "page": page})
