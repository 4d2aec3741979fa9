from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from .vocabulary import Delivery, Kind


class PreferencesForm(forms.Form):
    """One choice per kind of notification: at once, in the daily digest, or only in Liaison."""

    def __init__(self, *args: Any, initial_deliveries: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label, choices=Delivery.choices, initial=initial_deliveries[kind.value]
            )


class MarkReadForm(forms.Form):
    notification = forms.UUIDField(required=False)
