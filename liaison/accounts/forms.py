from __future__ import annotations

from django import forms

from .models import AuditEntry

UNTIL_BEFORE_SINCE = "The end date is before the start date."


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(choices=[("", "Any action"), *AuditEntry.Action.choices], required=False)
    object_type = forms.CharField(required=False, max_length=64)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", UNTIL_BEFORE_SINCE)
        return data
