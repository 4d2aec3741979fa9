"""Forms for the directory pages: they check the shape of the input; services check the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from liaison.lib.accessible_forms import AccessibleForm, model_field

from .models import (
    ENROLLMENT_FIELDS,
    ENROLLMENT_SUBGROUPS,
    Agency,
    Assignment,
    District,
    Enrollment,
    Officer,
    Partnership,
    School,
    TrainingRecord,
)
from .services import MAX_REQUIRED_HOURS, MIN_REQUIRED_HOURS, REQUIRABLE_COURSES
from .validators import validate_school_year

LANGUAGES_INVALID = "Separate languages with commas; each is 1 to 35 characters."
NOT_COLLECTED_HELP = "Leave blank if not collected. Blank is shown as “not collected”, never as 0."


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- agencies and partnerships --------------------------------------------------------------


class AgencyForm(AccessibleForm):
    name = model_field(Agency, "name")
    kind = model_field(Agency, "kind")
    state = model_field(Agency, "state")
    ori = model_field(Agency, "ori", help_text="The 9-character FBI Originating Agency Identifier, e.g. MA0123400.")
    time_zone = model_field(Agency, "time_zone", help_text="An IANA time zone, e.g. America/Chicago.")

    @classmethod
    def initial_for(cls, agency: Agency) -> dict[str, Any]:
        return {name: getattr(agency, name) for name in cls.base_fields}


class PartnershipForm(AccessibleForm):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), to_field_name="uuid")
    district = forms.ModelChoiceField(queryset=District.objects.none(), to_field_name="uuid")
    start_date = forms.DateField(widget=_date_input())
    end_date = forms.DateField(required=False, widget=_date_input(), help_text="Leave blank if it has no end.")

    def __init__(self, *args: Any, agencies: QuerySet, districts: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]


class PartnershipDatesForm(AccessibleForm):
    start_date = forms.DateField(widget=_date_input())
    end_date = forms.DateField(
        required=False,
        widget=_date_input(),
        help_text="The last day the agency serves the district's schools. Leave blank while it goes on.",
    )

    @classmethod
    def initial_for(cls, partnership: Partnership) -> dict[str, Any]:
        return {"start_date": partnership.start_date, "end_date": partnership.end_date}


class DistrictForm(AccessibleForm):
    name = model_field(District, "name")
    state = model_field(District, "state")
    nces_id = model_field(District, "nces_id", help_text="7 digits: the state's 2-digit FIPS code, then 5 more.")

    @classmethod
    def initial_for(cls, district: District) -> dict[str, Any]:
        return {name: getattr(district, name) for name in cls.base_fields}


class CoverageDateForm(AccessibleForm):
    on = forms.DateField(label="Show coverage on", required=False, widget=_date_input())


# --- schools and enrollment -------------------------------------------------------------------


class SchoolForm(AccessibleForm):
    name = model_field(School, "name")
    nces_id = model_field(School, "nces_id", help_text="12 digits: the district's 7-digit NCES id, then 5 more.")
    level = model_field(School, "level")
    lowest_grade = model_field(School, "lowest_grade")
    highest_grade = model_field(School, "highest_grade")
    address = model_field(School, "address")

    @classmethod
    def initial_for(cls, school: School) -> dict[str, Any]:
        return {name: getattr(school, name) for name in cls.base_fields}


class EnrollmentForm(AccessibleForm):
    school_year = forms.CharField(
        max_length=9, validators=[validate_school_year], help_text="Two consecutive years, e.g. 2025-2026."
    )
    total = forms.IntegerField(label="Total enrollment", min_value=0)

    def __init__(self, *args: Any, year_fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in ENROLLMENT_SUBGROUPS:
            self.fields[name] = forms.IntegerField(label=label, min_value=0, required=False)
        if year_fixed:
            self.fields["school_year"].disabled = True
            self.fields["school_year"].help_text = ""

    def year_fields(self) -> list[forms.BoundField]:
        return [self["school_year"], self["total"]]

    def subgroup_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ENROLLMENT_FIELDS]

    @classmethod
    def initial_for(cls, enrollment: Enrollment) -> dict[str, Any]:
        return {name: getattr(enrollment, name) for name in ("school_year", "total", *ENROLLMENT_FIELDS)}


# --- officers and training ------------------------------------------------------------------------


class LanguagesField(forms.CharField):
    """Languages as one comma-separated line; stored as a list."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value)
        items = [item.strip() for item in text.split(",")] if text else []
        if any(not item or len(item) > 35 for item in items):
            raise ValidationError(LANGUAGES_INVALID, code="invalid_languages")
        return items

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value


def _languages() -> LanguagesField:
    return LanguagesField(
        label="Languages spoken", required=False, help_text="Separate with commas, e.g. English, Spanish."
    )


OFFICER_NEEDS_EMAIL_OR_PASSWORD = (
    "Give the officer's e-mail address, for the invitation to choose a password (or a password for the first sign-in)."
)


class OfficerEditForm(AccessibleForm):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    badge_number = model_field(Officer, "badge_number")
    rank = model_field(Officer, "rank", help_text="e.g. Officer, Sergeant, Deputy.")
    languages = _languages()
    status = model_field(
        Officer,
        "status",
        help_text="Inactive: the officer has left. Their login is switched off (unless it holds another role); "
        "their records stay.",
    )

    @classmethod
    def initial_for(cls, officer: Officer) -> dict[str, Any]:
        user_fields = {"first_name", "last_name", "email"}
        return {name: getattr(officer.user if name in user_fields else officer, name) for name in cls.base_fields}


class OfficerCreateForm(OfficerEditForm):
    username = forms.CharField(max_length=150, help_text="The name the officer signs in with.")
    password = forms.CharField(
        label="Password for first sign-in",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=(
            "Better left blank: the officer is then e-mailed an invitation to choose their own password, "
            "which nobody else knows. Otherwise at least 10 characters."
        ),
    )

    field_order = ["first_name", "last_name", "username", "email", "password", "badge_number", "rank"]

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password:
            password_validation.validate_password(password)
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("password") and not data.get("email") and "email" not in self.errors:
            self.add_error("email", OFFICER_NEEDS_EMAIL_OR_PASSWORD)
        return data


class TrainingRecordForm(AccessibleForm):
    course = model_field(TrainingRecord, "course")
    title = model_field(TrainingRecord, "title")
    provider = model_field(TrainingRecord, "provider")
    hours = model_field(TrainingRecord, "hours", min_value=0.5, help_text="In hours, to the nearest half hour.")
    completed_on = forms.DateField(widget=_date_input())


class TrainingRequirementsForm(AccessibleForm):
    """One field per course an agency may require: its minimum hours, empty when not required."""

    @classmethod
    def initial_for(cls, agency: Any) -> dict[str, Any]:
        return {r.course: r.minimum_hours for r in agency.training_requirements.all()}

    def hours(self) -> dict[str, Any]:
        return {course.value: self.cleaned_data.get(course.value) for course in REQUIRABLE_COURSES}


for _course in REQUIRABLE_COURSES:  # the courses are data (TrainingCourse); one field each
    TrainingRequirementsForm.base_fields[_course.value] = forms.DecimalField(
        label=f"{_course.label} (hours)",
        required=False,
        min_value=MIN_REQUIRED_HOURS,
        max_value=MAX_REQUIRED_HOURS,
        decimal_places=1,
        step_size=Decimal("0.5"),
        help_text="Leave empty if this course is not required.",
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )


# --- assignments ------------------------------------------------------------------------------------


class SchoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.district.name})"


class AssignmentForm(AccessibleForm):
    school = SchoolChoiceField(queryset=School.objects.none(), to_field_name="uuid")
    start_date = forms.DateField(widget=_date_input())
    end_date = forms.DateField(required=False, widget=_date_input(), help_text="Leave blank if it has no end date.")
    share_of_time = model_field(Assignment, "share_of_time", label="Share of time (%)", min_value=1, max_value=100)

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]


class AssignmentEndForm(AccessibleForm):
    end_date = forms.DateField(widget=_date_input(), help_text="The last day the officer is at this school.")


# --- local school codes -------------------------------------------------------------------------------

LOCAL_CODES_CSV_MAX_BYTES = 1024 * 1024
LOCAL_CODES_CSV_TOO_LARGE = "The file is larger than 1 MB; a district's codes fit in far less."


class LocalCodesForm(AccessibleForm):
    """One field per school of the district, named by the school's uuid: its local code, or empty."""

    def __init__(self, *args: Any, schools: list[School], codes: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, initial={str(s.uuid): codes.get(s.pk, "") for s in schools}, **kwargs)
        self.schools = {str(school.uuid): school for school in schools}
        for key, school in self.schools.items():
            self.fields[key] = forms.CharField(
                label=f"{school.name} (NCES {school.nces_id})", required=False, max_length=64, strip=True
            )

    def codes(self) -> list[tuple[School, str]]:
        return [(school, self.cleaned_data.get(key, "")) for key, school in self.schools.items()]


class LocalCodesUploadForm(AccessibleForm):
    file = forms.FileField(
        label="Local codes CSV",
        help_text="Columns local_code and nces_id (school is optional): the download below, edited. "
        "It replaces every code; a school left blank or out of the file loses its code.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > LOCAL_CODES_CSV_MAX_BYTES:
            raise ValidationError(LOCAL_CODES_CSV_TOO_LARGE)
        return upload
