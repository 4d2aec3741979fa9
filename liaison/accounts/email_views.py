"""Confirming a new e-mail address from the link sent to it (rules in email_change.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .email_change import email_change_confirm

EMAIL_CONFIRMED = "Your e-mail address is now {email}."


@login_required
@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """A button, not the link itself, confirms: mail scanners open links."""
    if request.method == "POST":
        try:
            email = email_change_confirm(user=request.user, token=token)
        except ValueError as error:
            return render(request, "accounts/email_confirm.html", {"error": str(error)}, status=400)
        messages.success(request, EMAIL_CONFIRMED.format(email=email))
        return redirect("accounts:account")
    return render(request, "accounts/email_confirm.html", {})
