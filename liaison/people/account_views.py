"""Where each person lands after signing in, and their own account page (their roles and the places
whose people they manage): both read the directory, so they sit above accounts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from liaison.accounts import mfa
from liaison.accounts.forms import ApiTokenForm
from liaison.accounts.passkeys import passkeys_of
from liaison.accounts.recovery_codes import recovery_codes_left
from liaison.accounts.roles import Role
from liaison.accounts.scope import user_scope
from liaison.accounts.sso import identities_of, providers_to_link
from liaison.accounts.tokens import api_tokens_of
from liaison.directory.selectors import agency_first_of, district_first_of, school_first_of

from .people import places_managed_by


def _landing_url(user: Any) -> str:
    """The page each role starts from."""
    scope = user_scope(user)
    if scope.platform_admin:
        return reverse("directory:agency_list")
    if scope.evaluator_states:  # a state-wide evaluator sees the state view only
        return reverse("insights:state", args=[sorted(scope.evaluator_states)[0]])
    officer_agencies = scope.agencies(Role.OFFICER)
    if scope.officer_id is not None and officer_agencies and not scope.managing_agency_ids:
        return reverse("interactions:quick_log")
    if scope.any_agency_ids:
        agency = agency_first_of(scope.any_agency_ids)
        return reverse("directory:agency_detail", args=[agency.uuid]) if agency else reverse("directory:agency_list")
    if scope.district_admin_ids or scope.evaluator_district_ids:
        district = district_first_of(scope.district_admin_ids | scope.evaluator_district_ids)
        return (
            reverse("directory:district_detail", args=[district.uuid]) if district else reverse("directory:agency_list")
        )
    if scope.school_admin_ids:
        school = school_first_of(scope.school_admin_ids)
        return reverse("directory:school_detail", args=[school.uuid]) if school else reverse("directory:agency_list")
    return reverse("accounts:no_access")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(_landing_url(request.user))


def _held_at(membership: Any) -> str:
    place = membership.agency or membership.district or membership.school
    return place.name if place is not None else membership.state  # a state evaluator: the state


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
        "now": timezone.now(),
        "idle_minutes": settings.SESSION_IDLE_MINUTES,
        "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        "mfa_enrolled": mfa.mfa_enrolled(request.user),
        "totp_enrolled": mfa.totp_enrolled(request.user),
        "passkeys": passkeys_of(request.user),
        "mfa_required": mfa.mfa_required(request.user),
        "recovery_codes_left": recovery_codes_left(request.user),
        "mfa_grace_ends": mfa.session_grace_ends(request),
        "token_form": ApiTokenForm(),
        "sso_identities": identities_of(request.user),
        "sso_to_link": providers_to_link(request.user),
    }
    return render(request, "accounts/account.html", context)
