"""Forms: opening a wave, printing slips, and the survey itself (built from the wave's items)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from liaison.directory.models import School

from .models import Instrument, Item
from .vocabulary import Audience, ItemKind, NoticeMethod

LANGUAGE_NAMES = {"en": "English", "es": "Español"}
DATE = forms.DateInput(attrs={"type": "date"})
DEFAULT_ALLOWANCE = 100


class WaveForm(forms.Form):
    title = forms.CharField(max_length=120, help_text="For example: Fall 2025 students.")
    instrument = forms.ModelChoiceField(Instrument.objects.all(), empty_label=None)
    audience = forms.ChoiceField(choices=Audience.choices)
    schools = forms.ModelMultipleChoiceField(School.objects.none(), widget=forms.CheckboxSelectMultiple)
    languages = forms.MultipleChoiceField(
        choices=list(LANGUAGE_NAMES.items()), initial=["en", "es"], widget=forms.CheckboxSelectMultiple
    )
    opens_on = forms.DateField(widget=DATE, label="Opens")
    closes_on = forms.DateField(widget=DATE, label="Closes")
    uses_codes = forms.BooleanField(
        required=False,
        label="One-time codes on printed slips",
        help_text="Recommended: only codes truly stop someone from filling the survey with made-up answers.",
    )
    hourly_allowance = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100000,
        initial=100,
        label="Responses counted per school per hour",
        help_text="More in an hour are held for the district to accept or discard. Student waves use each "
        "school's enrollment instead, when it is known.",
    )
    notice_date = forms.DateField(
        required=False, widget=DATE, label="Parents notified on", help_text="Required for student waves (PPRA)."
    )
    notice_method = forms.ChoiceField(
        choices=[("", "—"), *NoticeMethod.choices], required=False, label="How parents were notified"
    )
    opt_out_handling = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Opt-out handling",
        help_text="How students whose parents opted out are kept from taking the survey.",
    )

    def clean_hourly_allowance(self) -> int:
        return self.cleaned_data.get("hourly_allowance") or DEFAULT_ALLOWANCE

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["schools"].queryset = schools  # type: ignore[attr-defined]


class CodesForm(forms.Form):
    count = forms.IntegerField(min_value=1, max_value=1000, initial=30, label="Number of slips")


def _label(item: Item, language: str) -> str:
    return item.text.get(language) or item.text["en"]


def _choices(item: Item, language: str) -> list[tuple[str, str]]:
    return [(str(o["value"]), o["label"].get(language) or o["label"]["en"]) for o in item.options]


GRADE_ITEM = "about_grade"


def _grade_span(choices: list[tuple[str, str]], school: School | None) -> list[tuple[str, str]]:
    """Only the grades the school teaches (and "prefer not to say"): a high school is not offered grade 5."""
    if school is None:
        return choices
    return [
        (value, label)
        for value, label in choices
        if not value.lstrip("-").isdigit() or school.lowest_grade <= int(value) <= school.highest_grade
    ]


class SurveyForm(forms.Form):
    """Every item of the wave, all optional; the page shows one page's items and carries the rest hidden."""

    def __init__(
        self,
        *args: Any,
        items: list[Item],
        language: str,
        uses_codes: bool,
        ui: dict,
        school: School | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.items = items
        self.needs_new_token = False  # the form token was refused: the page carries a fresh one
        if uses_codes:
            self.fields["code"] = forms.CharField(
                max_length=20, required=False, label=ui["code"], help_text=ui["code_help"]
            )
        for item in items:
            if item.kind == ItemKind.OPEN:
                self.fields[item.code] = forms.CharField(
                    required=False, max_length=1000, label=_label(item, language), widget=forms.Textarea({"rows": 3})
                )
            else:
                choices = _choices(item, language)
                if item.code == GRADE_ITEM:
                    choices = _grade_span(choices, school)
                self.fields[item.code] = forms.ChoiceField(
                    required=False, label=_label(item, language), choices=choices, widget=forms.RadioSelect
                )

    def answers(self) -> dict[str, str]:
        return {item.code: self.cleaned_data.get(item.code) or "" for item in self.items}
