"""The base of every form on the site: selects say "Choose…" for no choice.

It lives here, below every app, because sign-in pages (accounts) and domain pages alike use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db.models import Model

CHOOSE = "Choose…"


def model_field(model: type[Model], name: str, **overrides: Any) -> forms.Field:
    """The form field a model field implies (label, length, choices, help), with overrides."""
    field = model._meta.get_field(name).formfield(**overrides)  # type: ignore[union-attr]
    assert field is not None, f"{model.__name__}.{name} has no form field"
    return field


class AccessibleForm(forms.Form):
    """A form whose selects say "Choose…" for no choice.

    Inputs point at their help and errors through Django's own `aria-describedby` (`<id>_helptext`,
    `<id>_error`) and `aria-invalid`, the ids components/field.html gives the help and the first
    error, for every form, this class or not. Two copies of a form on one page need their own ids:
    give each an `auto_id` of its own (programs.views.liaison_list).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            _name_the_empty_choice(field)


def _name_the_empty_choice(field: forms.Field) -> None:
    """Say "Choose…" rather than Django's dashes in a select's empty option."""
    if isinstance(field, forms.ModelChoiceField):
        field.empty_label = CHOOSE
    elif isinstance(field, forms.ChoiceField):
        choices = list(cast(Iterable[Any], field.choices))
        if choices and choices[0][0] == "":
            field.choices = [("", CHOOSE), *choices[1:]]
