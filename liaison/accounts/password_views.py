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
from django.http import HttpResponse
from django.urls import reverse_lazy

from .audit import audit_record
from .models import User

PASSWORD_CHANGED = "Your password is changed."


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
    form_class = ResetOrInvitationForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_sent")


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
