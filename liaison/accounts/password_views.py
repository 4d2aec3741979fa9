"""Choosing, changing and resetting a password: Django's own views, with our pages and an audit entry.

A forgotten password is reset through a link e-mailed to the address on the login (Django's
PasswordResetView: the page answers the same whether or not the address is known, so it cannot be
used to learn who has a login). The same "choose a password" page serves the invitation that
people added without a password receive (accounts/invitations.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy

from liaison.ratelimits import store
from liaison.ratelimits.client import client_address

from .audit import audit_record
from .models import User

PASSWORD_CHANGED = "Your password is changed."
TOO_MANY_RESETS = "Too many reset requests from this device. Wait an hour and try again."
RESETS_PER_EMAIL, RESETS_PER_CLIENT, RESET_WINDOW = 3, 20, 3600


def _audit_password_set(user: Any, summary: str) -> None:
    """Who set a password and how; never the password or its hash."""
    audit_record(actor=user, action="update", obj=user, object_type="accounts.password", summary=summary)


class ResetOrInvitationForm(PasswordResetForm):
    """Django leaves out logins without a usable password; here those are people who have not yet
    used their invitation, and a reset link is exactly the invitation again, so they get one too."""

    def get_users(self, email: str) -> Any:
        active = User.objects.filter(email__iexact=email, is_active=True)
        return (user for user in active if user.email.casefold() == email.casefold())


class PasswordResetView(auth_views.PasswordResetView):
    """Rate-limited: a few links an hour per e-mail address (more are silently not sent, so the page
    still says nothing about the address), and a limit per client address (answered with 429)."""

    form_class = ResetOrInvitationForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_sent")

    def form_valid(self, form: Any) -> HttpResponse:
        address = client_address(self.request)
        if not store.allow(f"reset-from:{address}", limit=RESETS_PER_CLIENT, window_seconds=RESET_WINDOW):
            form.add_error(None, TOO_MANY_RESETS)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        email = form.cleaned_data["email"].casefold()
        if not store.allow(f"reset-to:{email}", limit=RESETS_PER_EMAIL, window_seconds=RESET_WINDOW):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The page an e-mailed link (a reset or an invitation) opens."""

    template_name = "accounts/password_set.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        _audit_password_set(form.user, f"{form.user.get_username()} chose a password through an e-mailed link")
        return response


class PasswordSetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_set_done.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        _audit_password_set(form.user, f"{form.user.get_username()} changed their password")
        messages.success(self.request, PASSWORD_CHANGED)
        return response
