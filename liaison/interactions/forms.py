"""Forms for the officer's pages: the quick log, the enforcement form, and changing or voiding a record.

Forms check the shape of the input; the rules (identifying notes, served schools, the edit window)
are the services', and their errors are put back onto the fields they name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from liaison.directory.models import Officer, School
from liaison.lib.local_days import local_day

from .models import NOTE_MAX_LENGTH, Interaction
from .services import enforcement_steps
from .vocabulary import (
    DEFAULT_ROLE,
    QUICK_LOG_KINDS,
    ActionType,
    DemographicsSource,
    Disability,
    GradeBand,
    Initiator,
    Kind,
    NibrsOffense,
    RaceEthnicity,
    ReasonCategory,
    RequestedBy,
    Role,
    Service,
    Setting,
    Sex,
    StaffRole,
    StudentGrade,
    YesNoUnknown,
)

CHOOSE_KIND = "Choose what kind of contact it was."
CHOOSE_SCHOOL = "Choose the school."
NIBRS_UNKNOWN = "Choose a NIBRS offense code from the list, for example 13B."
INSTEAD_ONLY_FOR_REFERRALS = "Answer this only for a referral to services."
NOTE_REMINDER = "Do not write names, e-mail addresses, phone numbers or birth dates."
CRDC_NOTE = "Arrests, citations and court referrals also count as referrals to law enforcement."
STUDENT_ID_HELP = (
    "Optional. Turned into a pseudonymous key for this district, then discarded: the id itself is never stored."
)
ROLE_FROM_KIND = "As the kind suggests"
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

# The fields of a record that are optional on every kind, and those only some kinds carry.
COMMON_OPTIONAL = ("duration_minutes", "student_count", "grade_band", "setting", "initiated_by", "note")
KIND_OPTIONAL = ("staff_role", "service", "instead_of_enforcement")
ENFORCEMENT_FIELDS = (
    "action_type", "reason_category", "nibrs_code", "requested_by", "admin_consulted", "admin_consulted_role",
    "student_grade", "race_ethnicity", "sex", "disability", "english_learner", "demographics_source",
    "rms_report_number",
)  # fmt: skip


def _blank(choices: Iterable[tuple[str, str]], label: str = "—") -> list[tuple[str, str]]:
    return [("", label), *choices]


# --- fields shared by the forms ---------------------------------------------------------------


def _duration() -> forms.IntegerField:
    return forms.IntegerField(
        label="Duration (minutes)",
        required=False,
        min_value=1,
        max_value=1440,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def _student_count() -> forms.IntegerField:
    return forms.IntegerField(
        label="Number of students",
        required=False,
        min_value=0,
        max_value=5000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def _note() -> forms.CharField:
    return forms.CharField(
        label="Short note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text=f"At most {NOTE_MAX_LENGTH} characters. {NOTE_REMINDER}",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX_LENGTH}),
    )


def _choice(label: str, choices: Iterable[tuple[str, str]], *, blank: str = "—") -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=_blank(choices, blank), required=False)


def _time() -> forms.DateTimeField:
    return forms.DateTimeField(
        label="Time",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )


def _client_uuid() -> forms.UUIDField:
    return forms.UUIDField(widget=forms.HiddenInput(attrs={"data-client-uuid": ""}))


class _OptionalFields:
    """The optional values of a record, ready for services.interaction_record."""

    cleaned_data: dict[str, Any]
    fields: dict[str, forms.Field]

    def optional_fields(self) -> dict[str, Any]:
        names = [n for n in (*COMMON_OPTIONAL, *KIND_OPTIONAL) if n in self.fields]
        return {name: self.cleaned_data[name] for name in names}


# --- the quick log ------------------------------------------------------------------------------


class QuickLogForm(_OptionalFields, forms.Form):
    """One tap on a kind button submits this form; everything but the kind and the school is optional."""

    client_uuid = _client_uuid()
    school = forms.ChoiceField(label="School", widget=forms.RadioSelect, error_messages={"required": CHOOSE_SCHOOL})
    kind = forms.ChoiceField(
        choices=[(kind.value, kind.label) for kind in QUICK_LOG_KINDS], error_messages={"required": CHOOSE_KIND}
    )
    role = forms.ChoiceField(
        label="Role", choices=_blank(Role.choices, ROLE_FROM_KIND), required=False, help_text="Change it if it differs."
    )
    duration_minutes = _duration()
    student_count = _student_count()
    grade_band = _choice("Grade band", GradeBand.choices)
    setting = _choice("Setting", Setting.choices)
    initiated_by = _choice("Initiated by", Initiator.choices)
    staff_role = _choice("Staff member's role", StaffRole.choices)
    service = _choice("Service referred to", Service.choices)
    instead_of_enforcement = forms.NullBooleanField(
        label="Instead of an enforcement action?", required=False, widget=forms.NullBooleanSelect
    )
    note = _note()

    def __init__(self, *args: Any, schools: list[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schools = {str(school.uuid): school for school in schools}
        school_field: forms.ChoiceField = self.fields["school"]  # type: ignore[assignment]
        school_field.choices = [(key, school.name) for key, school in self.schools.items()]

    def clean_school(self) -> School:
        return self.schools[self.cleaned_data["school"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("instead_of_enforcement") is not None and data.get("kind") != Kind.REFERRAL:
            self.add_error("instead_of_enforcement", INSTEAD_ONLY_FOR_REFERRALS)
        return data

    def kind_buttons(self) -> list[tuple[str, str, str]]:
        """(value, label, default role) for each quick-log kind, in the vocabulary's order."""
        return [(kind.value, kind.label, Role(DEFAULT_ROLE[kind]).label) for kind in QUICK_LOG_KINDS]

    def details_have_errors(self) -> bool:
        return any(name in self.errors for name in ("role", *COMMON_OPTIONAL, *KIND_OPTIONAL))


# --- the enforcement form ---------------------------------------------------------------------------------


class SchoolSelect(forms.Select):
    """A school select whose options say whether the school's district takes student ids."""

    key_district_ids: frozenset[int] = frozenset()

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        school = getattr(value, "instance", None)
        if school is not None and school.district_id in self.key_district_ids:
            option["attrs"]["data-student-keys"] = "on"
        return option


def _yes_no(value: str) -> bool:
    return value == "yes"


class NibrsField(forms.CharField):
    """A NIBRS code typed or picked from a datalist: "13b" and "13B Simple assault" both mean 13B."""

    def clean(self, value: Any) -> str:
        text = (super().clean(value) or "").strip()
        if not text:
            return ""
        code = text.split()[0].upper()
        if code not in NibrsOffense.values:
            raise ValidationError(NIBRS_UNKNOWN)
        return code


JUSTIFICATION_HELP = (
    "Required when the action is outside the MOU or no MOU is in force. Nothing is blocked: "
    "the action is saved and a review opens for your supervisor and the school's administrator."
)


class EnforcementForm(_OptionalFields, forms.Form):
    """A deliberate record of one enforcement action. There is no field for a student's name, by design."""

    client_uuid = _client_uuid()
    officer = forms.ModelChoiceField(
        label="Officer", queryset=Officer.objects.none(), to_field_name="uuid", empty_label="Choose the officer"
    )
    school = forms.ModelChoiceField(
        label="School",
        queryset=School.objects.none(),
        to_field_name="uuid",
        empty_label="Choose the school",
        widget=SchoolSelect,
    )
    occurred_at = _time()
    action_type = forms.ChoiceField(
        label="Action", choices=_blank(ActionType.choices, "Choose the action"), help_text=CRDC_NOTE
    )
    reason_category = forms.ChoiceField(
        label="Reason (MOU behaviour category)", choices=_blank(ReasonCategory.choices, "Choose the behaviour")
    )
    nibrs_code = NibrsField(
        label="NIBRS offense code",
        required=False,
        max_length=80,
        help_text="Only when a crime is alleged. Type a code or a word, or pick from the list.",
        widget=forms.TextInput(attrs={"list": "nibrs-codes", "autocomplete": "off"}),
    )
    requested_by = forms.ChoiceField(
        label="Who asked for the officer's involvement", choices=_blank(RequestedBy.choices, "Choose who asked")
    )
    admin_consulted = forms.TypedChoiceField(
        label="Was a school administrator consulted before the action?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=_yes_no,
        widget=forms.RadioSelect,
    )
    admin_consulted_role = _choice("Role of the person consulted", StaffRole.choices)
    student_grade = forms.ChoiceField(label="Student's grade", choices=StudentGrade.choices)
    race_ethnicity = forms.ChoiceField(label="Race/ethnicity", choices=RaceEthnicity.choices)
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices)
    disability = forms.ChoiceField(label="Disability", choices=Disability.choices)
    english_learner = forms.ChoiceField(label="English learner", choices=YesNoUnknown.choices)
    demographics_source = forms.ChoiceField(
        label="These demographics are", choices=DemographicsSource.choices, widget=forms.RadioSelect
    )
    student_id = forms.CharField(
        label="District student id",
        required=False,
        max_length=64,
        help_text=STUDENT_ID_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    rms_report_number = forms.CharField(label="RMS report number", required=False, max_length=40)
    duration_minutes = _duration()
    setting = _choice("Setting", Setting.choices)
    note = _note()
    justification = forms.CharField(
        label="Why it was needed (justification)",
        required=False,
        max_length=2000,
        help_text=JUSTIFICATION_HELP,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    UNKNOWN_DEFAULTS = {
        "student_grade": StudentGrade.UNKNOWN,
        "race_ethnicity": RaceEthnicity.UNKNOWN,
        "sex": Sex.UNKNOWN,
        "disability": Disability.UNKNOWN,
        "english_learner": YesNoUnknown.UNKNOWN,
        "demographics_source": DemographicsSource.PERCEIVED,
    }

    def __init__(
        self,
        *args: Any,
        officers: QuerySet[Officer] | None,
        schools: QuerySet[School],
        key_district_ids: frozenset[int],
        **kwargs: Any,
    ) -> None:
        kwargs["initial"] = {**self.UNKNOWN_DEFAULTS, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        if officers is None:
            del self.fields["officer"]
        else:
            self.fields["officer"].queryset = officers  # type: ignore[attr-defined]
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.fields["school"].widget.key_district_ids = key_district_ids  # type: ignore[attr-defined]
        if not key_district_ids:
            del self.fields["student_id"]

    def mou_preview(self, officer: Officer | None) -> Any:
        """The MOU rule that applies, once the fields it reads are valid (else None). The rule is the
        agreements app's, reached through the enforcement steps (services.EnforcementSteps)."""
        data = getattr(self, "cleaned_data", {})
        needed = ("school", "action_type", "reason_category", "requested_by", "admin_consulted")
        if officer is None or any(data.get(name) in (None, "") for name in needed):
            return None
        moment = data.get("occurred_at") or timezone.now()
        return enforcement_steps().preview(
            agency_id=officer.agency_id,
            school_id=data["school"].pk,
            on=local_day(moment, officer.agency.time_zone),
            details=data,
        )

    def enforcement_fields(self) -> dict[str, Any]:
        """The enforcement details for services.interaction_record, with the student id if one was given."""
        details = {name: self.cleaned_data[name] for name in ENFORCEMENT_FIELDS}
        student_id = self.cleaned_data.get("student_id")
        if student_id:
            details["student_id"] = student_id
        return details

    SECTIONS = (
        ("where", "Who, where and when", ("officer", "school", "occurred_at")),
        ("action", "The action", ("action_type", "reason_category", "nibrs_code", "requested_by")),
        ("consultation", "Consultation", ("admin_consulted", "admin_consulted_role")),
        (
            "student",
            "The student",
            ("student_grade", "race_ethnicity", "sex", "disability", "english_learner", "demographics_source"),
        ),
        ("student_key", "Pseudonymous student key", ("student_id",)),
        ("details", "Reference and details", ("rms_report_number", "duration_minutes", "setting", "note")),
    )

    def sections(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """(key, heading, fields) in the order a deliberate record is written; empty sections left out."""
        sections = []
        for key, legend, names in self.SECTIONS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                sections.append((key, legend, fields))
        return sections


# --- changing and voiding a record ----------------------------------------------------------------------


class InteractionChangeForm(forms.Form):
    """The fields of a record that may change; the reason is required once a change is an amendment."""

    school = forms.ModelChoiceField(label="School", queryset=School.objects.none(), to_field_name="uuid")
    occurred_at = _time()
    kind = forms.ChoiceField(label="Kind", choices=[(kind.value, kind.label) for kind in QUICK_LOG_KINDS])
    role = forms.ChoiceField(label="Role", choices=Role.choices)
    duration_minutes = _duration()
    student_count = _student_count()
    grade_band = _choice("Grade band", GradeBand.choices)
    setting = _choice("Setting", Setting.choices)
    initiated_by = _choice("Initiated by", Initiator.choices)
    staff_role = _choice("Staff member's role (staff consultation only)", StaffRole.choices)
    service = _choice("Service referred to (referral only)", Service.choices)
    instead_of_enforcement = forms.NullBooleanField(
        label="Instead of an enforcement action? (referral only)", required=False, widget=forms.NullBooleanSelect
    )
    note = _note()
    reason = forms.CharField(
        label="Reason for the change",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, interaction: Interaction, schools: QuerySet[School], amendment: bool, **kwargs: Any
    ) -> None:
        kwargs["initial"] = _initial_values(interaction)
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        if interaction.is_enforcement:
            for name in ENFORCEMENT_NOT_EDITED:
                del self.fields[name]
        reason = self.fields["reason"]
        reason.required = amendment
        reason.help_text = (
            "Required: this change is an amendment, and the earlier values are kept."
            if amendment
            else "Optional: you are within your edit window."
        )

    def changes(self) -> dict[str, Any]:
        """Only the fields the user changed, so an untouched time keeps its seconds."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "reason"}


# An enforcement action stays one, and carries only the fields its own form asks for.
ENFORCEMENT_NOT_EDITED = ("kind", "student_count", "grade_band", "initiated_by", *KIND_OPTIONAL)


def _initial_values(interaction: Interaction) -> dict[str, Any]:
    names = ("kind", "role", *COMMON_OPTIONAL, *KIND_OPTIONAL)
    initial = {name: getattr(interaction, name) for name in names}
    initial["school"] = interaction.school
    # The time field shows minutes; seconds dropped here so an unchanged field is not a change.
    initial["occurred_at"] = interaction.occurred_at.replace(second=0, microsecond=0)
    return initial


class VoidForm(forms.Form):
    reason = forms.CharField(label="Why void this record?", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
