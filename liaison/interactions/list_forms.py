"""The query-string filters of the records list and its CSV export, validated like any input."""

from __future__ import annotations

from typing import Any

from django import forms

from liaison.directory.access import officers_visible_to, schools_visible_to
from liaison.directory.models import Officer, School

from .selectors import ListPosition, RecordFilters
from .vocabulary import Kind, Role

DATE_RANGE_REVERSED = "The end date is before the start date."


class RecordFilterForm(forms.Form):
    """School and officer choices come from what the user may see, so a filter cannot reach further."""

    school = forms.ModelChoiceField(
        queryset=School.objects.none(), to_field_name="uuid", required=False, empty_label="All schools"
    )
    officer = forms.ModelChoiceField(
        queryset=Officer.objects.none(), to_field_name="uuid", required=False, empty_label="All officers"
    )
    kind = forms.ChoiceField(choices=[("", "All kinds"), *Kind.choices], required=False)
    role = forms.ChoiceField(choices=[("", "All roles"), *Role.choices], required=False)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    include_void = forms.BooleanField(label="Show void records", required=False)
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, user: Any) -> None:
        super().__init__(data)
        fields: Any = self.fields
        fields["school"].queryset = schools_visible_to(user).order_by("name")
        fields["officer"].queryset = officers_visible_to(user).select_related("user")

    def clean_cursor(self) -> ListPosition | None:
        token = self.cleaned_data.get("cursor") or ""
        if not token:
            return None
        try:
            return ListPosition.parse(token)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", DATE_RANGE_REVERSED)
        return data

    def filters(self) -> RecordFilters:
        data = self.cleaned_data
        return RecordFilters(
            school=data["school"].uuid if data.get("school") else None,
            officer=data["officer"].uuid if data.get("officer") else None,
            kind=data.get("kind") or "",
            role=data.get("role") or "",
            since=data.get("since"),
            until=data.get("until"),
            include_void=bool(data.get("include_void")),
        )

    def position(self) -> ListPosition | None:
        return self.cleaned_data.get("cursor")
