from __future__ import annotations

from typing import Any

from django import forms

from liaison.lib.accessible_forms import AccessibleForm

from .models import AuditEntry, IdentityProvider, TokenAccess
from .tokens import TOKEN_DAY_CHOICES

UNTIL_BEFORE_SINCE = "The end date is before the start date."


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, max_length=150, help_text="The username of who did it.")
    action = forms.ChoiceField(choices=[("", "Any action"), *AuditEntry.Action.choices], required=False)
    object_type = forms.CharField(required=False, max_length=64)
    object_uuid = forms.UUIDField(required=False, label="Object id", help_text="The id of one record or person.")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", UNTIL_BEFORE_SINCE)
        return data


class ApiTokenForm(AccessibleForm):
    name = forms.CharField(
        max_length=100,
        label="Name of the new token",
        help_text="What will use it, e.g. “phone app” or “county records export”.",
    )
    access = forms.ChoiceField(
        choices=TokenAccess.choices,
        initial=TokenAccess.READ,
        widget=forms.RadioSelect,
        label="What it may do",
        help_text="Read only suits reports and exports; only a program that records things needs read and write.",
    )
    days = forms.TypedChoiceField(
        coerce=int,
        choices=[(days, f"{days} days") for days in TOKEN_DAY_CHOICES],
        initial=90,
        label="Works for",
        help_text="After this it stops working; create a new one then.",
    )


WRONG_PASSWORD = "That is not your password."


class ConfirmPasswordForm(AccessibleForm):
    """The signed-in person proves they are still at the keyboard (accounts/reauth.py)."""

    password = forms.CharField(
        label="Your password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(WRONG_PASSWORD)
        return password


class SecondFactorCodeForm(AccessibleForm):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6 digits your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class IdentityProviderForm(AccessibleForm):
    """An agency's or district's single sign-on provider (accounts/sso.py)."""

    name = forms.CharField(
        label="Name on the sign-in button",
        max_length=100,
        help_text="“Sign in with …”, e.g. “Millbrook Schools Google”.",
    )
    issuer = forms.CharField(
        label="Issuer",
        max_length=300,
        help_text="Exactly as the provider's discovery document gives it, e.g. https://accounts.google.com.",
    )
    client_id = forms.CharField(label="Client ID", max_length=300)
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text="Stored encrypted and never shown again. Leave empty to keep the current one.",
    )
    client_secret_env = forms.CharField(
        label="…or the environment variable holding it",
        required=False,
        max_length=100,
        help_text="A name starting with SSO_CLIENT_SECRET_, set by whoever runs the server. Leave empty to use "
        "the secret above.",
    )
    allowed_email_domain = forms.CharField(
        label="Allowed e-mail domain",
        required=False,
        max_length=253,
        help_text="Optional: sign in only accounts whose e-mail is at this domain, e.g. millbrook.k12.us. People are "
        "always matched by their provider account, never by e-mail.",
    )
    mfa_counts = forms.ChoiceField(
        label="Does the provider's sign-in count as the second factor?",
        choices=IdentityProvider.MfaCounts.choices,
        widget=forms.RadioSelect,
    )
    enabled = forms.BooleanField(label="Offer this sign-in", required=False, initial=True)
