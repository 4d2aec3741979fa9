"""Forms for the people pages: a role at an agency or a district, and a person's details."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from liaison.accounts.models import User
from liaison.directory.models import School
from liaison.lib.accessible_forms import AccessibleForm

from .people import Place, people_choices

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
