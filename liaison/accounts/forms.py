from __future__ import annotations

from typing import Any, cast

from django import forms

from liaison.directory.forms import AccessibleForm
from liaison.directory.models import School

from .models import AuditEntry, IdentityProvider, TokenAccess, User
from .people import Place, people_choices
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


# --- people and their roles (accounts/people.py) ------------------------------------------------------

USERNAME_HELP = "The name they sign in with: letters, digits and @ . + - _ only."
EMAIL_HELP = "The invitation to choose a password goes here; later, a forgotten password is reset through it."
SCHOOL_HELP = "For a school admin (principal) only: the school they answer for."


class _PlaceRoleForm(AccessibleForm):
    """A role at one agency or district; the school field only where school admins are given."""

    role = forms.ChoiceField(choices=[])
    school = forms.ModelChoiceField(
        queryset=School.objects.none(), to_field_name="uuid", required=False, help_text=SCHOOL_HELP
    )

    def __init__(self, *args: Any, place: Place, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = cast(forms.ChoiceField, self.fields["role"])
        role.choices = [("", "Choose a role"), *((r.value, r.label) for r in place.grantable)]
        if place.kind == "district":
            cast(forms.ModelChoiceField, self.fields["school"]).queryset = place.schools()
        else:
            del self.fields["school"]


class PersonAddForm(_PlaceRoleForm):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    username = forms.CharField(max_length=150, help_text=USERNAME_HELP)
    email = forms.EmailField(label="E-mail", help_text=EMAIL_HELP)

    field_order = ["first_name", "last_name", "username", "email", "role", "school"]


class PersonEditForm(AccessibleForm):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(label="E-mail", help_text="Invitations and password resets go here.")

    @classmethod
    def initial_for(cls, user: Any) -> dict[str, Any]:
        return {name: getattr(user, name) for name in cls.base_fields}


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


class RoleGrantForm(_PlaceRoleForm):
    user = PersonChoiceField(queryset=User.objects.none(), to_field_name="uuid", label="Person")

    field_order = ["user", "role", "school"]

    def __init__(self, *args: Any, place: Place, **kwargs: Any) -> None:
        super().__init__(*args, place=place, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = people_choices(place)


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
