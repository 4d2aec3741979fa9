"""The agency's or district's single sign-on settings page: who manages its people configures it
(rules in accounts/sso.py; the sign-in pages are accounts/sso_views.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from liaison.accounts import sso
from liaison.accounts.forms import IdentityProviderForm
from liaison.accounts.sso_views import callback_url
from liaison.lib.form_pages import add_service_errors

from . import people

if TYPE_CHECKING:
    from liaison.accounts.models import IdentityProvider

SAVED = "Saved the single sign-on settings for {place}."


def _initial(provider: IdentityProvider | None) -> dict[str, Any]:
    if provider is None:
        return dict(sso.PROVIDER_DEFAULTS)
    fields = ["name", "issuer", "client_id", "client_secret_env", "allowed_email_domain", "mfa_counts", "enabled"]
    return {field: getattr(provider, field) for field in fields}


@login_required
@require_http_methods(["GET", "POST"])
def sso_settings(request: HttpRequest, kind: str, uuid: UUID) -> HttpResponse:
    """The agency's or district's provider: who manages its people (its admins) configures it."""
    place = people.place_get_for_user(request.user, kind, uuid)
    provider = sso.provider_of(agency_id=place.agency_id, district_id=place.district_id)
    form = IdentityProviderForm(request.POST or None, initial=_initial(provider))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = provider or sso.provider_new(agency_id=place.agency_id, district_id=place.district_id)
        for field in ("name", "issuer", "client_id", "client_secret_env", "allowed_email_domain", "mfa_counts"):
            setattr(target, field, data[field].strip() if isinstance(data[field], str) else data[field])
        target.enabled = data["enabled"]
        try:
            sso.provider_save(actor=request.user, provider=target, client_secret=data["client_secret"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, SAVED.format(place=place.name))
            return redirect(reverse("accounts:sso_settings", args=[kind, uuid]))
    context = {
        "form": form,
        "place": place,
        "provider": provider,
        "callback_url": callback_url(request),
        "people_url": reverse("accounts:people", args=[kind, uuid]),
        "linked": provider.identities.count() if provider is not None else 0,
    }
    return render(request, "accounts/sso_settings.html", context, status=400 if form.errors else 200)
