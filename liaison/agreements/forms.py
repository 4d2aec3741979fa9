"""Forms for the MOU and review pages: they check the shape of the input; services check the rules."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from liaison.interactions.vocabulary import ActionType, ReasonCategory
from liaison.lib.accessible_forms import AccessibleForm, model_field
from liaison.lib.form_pages import add_service_errors

from .documents import action_labels
from .models import Agreement, AgreementVersion, Rule, Signatory
from .vocabulary import Element, Finding, Level

__all__ = ["add_service_errors"]

NO_RULE_CHOICE = ("", "No rule (any enforcement is outside the MOU)")
COMMENT_REQUIRED = "Write a comment first."
SAME_VERSION = "Choose two different versions."
FIX_RULES = "Please correct the rules marked below."
DUPLICATE_CATEGORY = "Each behaviour category appears once."
CHOOSE_PARTY = "Choose which party you sign for."
PERIOD_REVERSED = "The period must end on or after the day it starts."
EXPIRY_NOT_AFTER_EFFECT = "The MOU must expire after the day it takes effect."


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _empty_choice_means(field: forms.Field, label: str) -> None:
    """In a filter the empty choice means "all", whatever label the base form gives it ("Choose…")."""
    if isinstance(field, forms.ModelChoiceField):
        field.empty_label = label
    elif isinstance(field, forms.ChoiceField):
        choices: list[Any] = list(cast(Iterable[Any], field.choices))
        field.choices = [("", label), *[choice for choice in choices if choice[0] != ""]]


def _check_expiry(form: forms.Form, data: dict[str, Any]) -> None:
    effective, expiry = data.get("effective_date"), data.get("expiry_date")
    if effective and expiry and expiry <= effective:
        form.add_error("expiry_date", EXPIRY_NOT_AFTER_EFFECT)


def _actions_field(label: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=ActionType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


# --- MOUs ---------------------------------------------------------------------------------------


class AgreementListFilterForm(AccessibleForm):
    """Narrow the MOU list to one agency or one district (query string)."""

    agency: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, to_field_name="uuid", required=False)
    district: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, to_field_name="uuid", required=False)

    def __init__(self, *args: Any, agencies: QuerySet, districts: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        _empty_choice_means(self.fields["agency"], "All agencies")
        _empty_choice_means(self.fields["district"], "All districts")


class PartnershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.agency.name} and {obj.district.name}"


class AgreementCreateForm(AccessibleForm):
    partnership = PartnershipChoiceField(
        queryset=None, to_field_name="uuid", help_text="The agency and the district that sign the MOU."
    )
    title = model_field(Agreement, "title", help_text="For example: Millbrook SRO program MOU 2025–2026.")
    effective_date = forms.DateField(widget=_date_input(), help_text="The day the first version takes effect.")
    expiry_date = forms.DateField(required=False, widget=_date_input(), help_text="Leave blank if it has no end.")

    def __init__(self, *args: Any, partnerships: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_expiry(self, data)
        return data


class SectionsForm(AccessibleForm):
    """One textarea per MOU element; saving calls the service only for the sections that changed."""

    def __init__(self, *args: Any, texts: dict[str, str], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "section")
        super().__init__(*args, initial=texts, **kwargs)
        for element, label in Element.choices:
            self.fields[element] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 4})
            )

    def changed_sections(self) -> list[tuple[str, str]]:
        return [(element, self.cleaned_data[element]) for element in self.changed_data if element in Element.values]


class RuleForm(forms.Form):
    """One behaviour category's rule: its level, its conditions and a note."""

    category = forms.ChoiceField(choices=ReasonCategory.choices, widget=forms.HiddenInput)
    level = forms.ChoiceField(choices=[NO_RULE_CHOICE, *Level.choices], required=False)
    consultation_required_for = _actions_field("Needs a school administrator consulted first")
    prohibited_actions = _actions_field("Ruled out")
    note = model_field(Rule, "note", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.initial.get("category") or self.data.get(self.add_prefix("category"), "")
        label = ReasonCategory(category).label if category in ReasonCategory.values else ""
        self.category_label = label
        self.fields["level"].label = f"Level for {label}" if label else "Level"
        self.fields["note"].widget.attrs["aria-label"] = f"Note on {label}" if label else "Note"

    @property
    def consultation_labels(self) -> list[str]:
        return action_labels(self.initial.get("consultation_required_for", []))

    @property
    def prohibited_labels(self) -> list[str]:
        return action_labels(self.initial.get("prohibited_actions", []))

    @staticmethod
    def initial_for(rule: Rule | None, category: str) -> dict[str, Any]:
        if rule is None:
            return {"category": category, "level": "", "consultation_required_for": [], "prohibited_actions": []}
        return {
            "category": category,
            "level": rule.level,
            "consultation_required_for": list(rule.consultation_required_for),
            "prohibited_actions": list(rule.prohibited_actions),
            "note": rule.note,
        }


class BaseRuleFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        categories = [form.cleaned_data.get("category") for form in self.forms if form.cleaned_data]
        if len(categories) != len(set(categories)):
            raise forms.ValidationError(DUPLICATE_CATEGORY)


RuleFormSet = forms.formset_factory(
    RuleForm, formset=BaseRuleFormSet, extra=0, max_num=len(ReasonCategory.values), validate_max=True
)


def rule_formset(data: Any, rules: list[Rule]) -> forms.BaseFormSet:
    """Every behaviour category, in vocabulary order, with its rule in this version (if any)."""
    by_category = {rule.category: rule for rule in rules}
    initial = [RuleForm.initial_for(by_category.get(category), category) for category in ReasonCategory.values]
    return RuleFormSet(data, initial=initial, prefix="rules")


class TermsForm(AccessibleForm):
    """A draft's dates and the schools it covers."""

    effective_date = forms.DateField(widget=_date_input())
    expiry_date = forms.DateField(required=False, widget=_date_input(), help_text="Leave blank if it has no end.")
    review_due_date = forms.DateField(
        required=False, widget=_date_input(), help_text="Default: one year after the version takes effect."
    )
    schools: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None, to_field_name="uuid", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, schools: QuerySet, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "terms")
        super().__init__(*args, **kwargs)
        self.fields["schools"].queryset = schools  # type: ignore[attr-defined]
        # Checkboxes have no empty choice, whatever label the base form gives single selects.
        self.fields["schools"].empty_label = None  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_expiry(self, data)
        return data

    @staticmethod
    def initial_for(version: AgreementVersion, schools: list[Any]) -> dict[str, Any]:
        return {
            "effective_date": version.effective_date,
            "expiry_date": version.expiry_date,
            "review_due_date": version.review_due_date,
            "schools": schools,
        }

    def changes(self) -> dict[str, Any]:
        """Only what changed: passing an unchanged effective date would reset a custom review date.
        A cleared review date goes back to the default (the service computes it from the effective date)."""
        data = {name: self.cleaned_data[name] for name in self.changed_data}
        if "review_due_date" in data and data["review_due_date"] is None:
            del data["review_due_date"]
            data["effective_date"] = self.cleaned_data["effective_date"]
        return data


class SignForm(forms.Form):
    party = forms.ChoiceField(choices=Signatory.Party.choices, widget=forms.HiddenInput)


class PublishForm(forms.Form):
    published = forms.BooleanField(required=False)
    figures = forms.BooleanField(required=False)


class NewDraftForm(AccessibleForm):
    effective_date = forms.DateField(
        label="The new version takes effect on", widget=_date_input(), initial=datetime.date.today
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "draft")
        super().__init__(*args, **kwargs)


class DiffForm(AccessibleForm):
    """Which two versions to compare (query string)."""

    base = forms.TypedChoiceField(label="Compare version", coerce=int)
    other = forms.TypedChoiceField(label="with version", coerce=int)

    def __init__(self, *args: Any, numbers: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(n, f"Version {n}") for n in numbers]
        self.fields["base"].choices = choices  # type: ignore[attr-defined]
        self.fields["other"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("base") is not None and data.get("base") == data.get("other"):
            raise forms.ValidationError(SAME_VERSION)
        return data


class DashboardPeriodForm(AccessibleForm):
    """The period the dashboard's counts cover (query string)."""

    start = forms.DateField(label="From", required=False, widget=_date_input())
    end = forms.DateField(label="To", required=False, widget=_date_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", PERIOD_REVERSED)
        return data


# --- reviews -------------------------------------------------------------------------------------


class ReviewFilterForm(AccessibleForm):
    STATUS_CHOICES = [("", "Open and closed"), ("open", "Open"), ("closed", "Closed")]

    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    school: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, to_field_name="uuid", required=False)

    def __init__(self, *args: Any, schools: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        _empty_choice_means(self.fields["school"], "All schools")
        _empty_choice_means(self.fields["status"], "Open and closed")


class ReviewCommentForm(AccessibleForm):
    text = forms.CharField(
        label="Comment", widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": COMMENT_REQUIRED}
    )


class ReviewCloseForm(AccessibleForm):
    finding = forms.ChoiceField(choices=Finding.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="Closing comment", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Optional."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "close")
        super().__init__(*args, **kwargs)
