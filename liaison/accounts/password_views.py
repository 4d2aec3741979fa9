"""Choosing, changing and resetting a password: Django's own views, with our pages and an audit entry.

A forgotten password is reset through a link e-mailed to the address on the login (Django's
PasswordResetView: the page answers the same whether or not the address is known, so it cannot be
used to learn who has a login). The same "choose a password" page serves the invitation that
people added without a password receive (accounts/invitations.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy

from liaison.ratelimits import store
from liaison.ratelimits.client import client_address

from .audit import audit_record
from .selectors import link_sent_last, users_active_with_email

if TYPE_CHECKING:
    from .models import AuditEntry

PASSWORD_CHANGED = "Your password is changed."
TOO_MANY_RESETS = "Too many reset requests from this device. Wait an hour and try again."
RESETS_PER_EMAIL, RESETS_PER_CLIENT, RESET_WINDOW = 3, 20, 3600
RESET_REQUESTED = "accounts.password_reset"


def _audit_password_set(actor: Any, summary: str, *, user: Any = None) -> None:
    """Who set a password (`user`'s; the actor's own by default) and how; never the password or its hash."""
    audit_record(actor=actor, action="update", obj=user or actor, object_type="accounts.password", summary=summary)


class ResetOrInvitationForm(PasswordResetForm):
    """Django leaves out logins without a usable password; here those are people who have not yet
    used their invitation, and a reset link is exactly the invitation again, so they get one too."""

    def get_users(self, email: str) -> Any:
        active = users_active_with_email(email)
        return (user for user in active if user.email.casefold() == email.casefold())

    def save(self, **kwargs: Any) -> None:  # type: ignore[override]
        self.request = kwargs.get("request")
        super().save(**kwargs)

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        """Each link sent is noted: the password set through it is credited to whoever asked for it."""
        context, to_email = args[2], args[4]
        request = getattr(self, "request", None)
        requester = request.user if request is not None and request.user.is_authenticated else None
        asked = f"by {requester.get_username()}" if requester else "without signing in"
        to_email = to_email[:80]
        client = (request.META.get("REMOTE_ADDR", "") if request is not None else "") or "an unknown address"
        audit_record(
            actor=requester,
            action="create",
            obj=context["user"],
            object_type=RESET_REQUESTED,
            summary=f"Reset link for {context['user']} e-mailed to {to_email}, asked {asked} from {client}",
        )
        super().send_mail(*args, **kwargs)


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
        started = _link_sent(form.user)
        who = form.user.get_username()
        if started is None:
            _audit_password_set(form.user, f"{who} chose a password through an e-mailed link")
        else:
            sent = f"{started.at:%Y-%m-%d %H:%M} UTC: {started.summary}"
            _audit_password_set(started.actor, f"{who}'s password was set through a link sent {sent}", user=form.user)
        return response


def _link_sent(user: Any) -> AuditEntry | None:
    """The latest reset link or invitation sent to this login: who started what the link finishes."""
    return link_sent_last(user, (RESET_REQUESTED, "accounts.invitation"))


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
