"""Forms for the programs pages: they check the shape of the input; services check the rules.
Choices of schools, officers and curricula come from what the user may reach."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django import forms
from django.utils import timezone

from liaison.directory.access import schools_visible_to
from liaison.directory.models import Officer, School
from liaison.interactions.vocabulary import Setting
from liaison.lib.accessible_forms import AccessibleForm, model_field
from liaison.lib.form_pages import add_service_errors

from . import access
from .models import Curriculum, LiaisonMeeting, MentoringMeeting, MentoringRelationship, Session
from .vocabulary import AttendeeRole, FeedbackRating, LiaisonMeetingKind, RelationshipStatus, SessionStatus

__all__ = ["add_service_errors"]

DATE_RANGE_REVERSED = "The end date is before the start date."
BREAK_LINE_INVALID = "Write each break on its own line as: name, first day, last day (YYYY-MM-DD)."


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def aware(value: datetime.datetime, officer: Officer | None) -> datetime.datetime:
    """A datetime typed on the page is in the agency's time zone."""
    if timezone.is_aware(value):
        return value
    zone = zoneinfo.ZoneInfo(officer.agency.time_zone) if officer else timezone.get_current_timezone()
    return timezone.make_aware(value, zone)


def _officer_field(user: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=access.officers_schedulable_by(user), to_field_name="uuid", label="Officer", empty_label=None
    )


def _school_field(user: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(queryset=schools_visible_to(user).order_by("name"), to_field_name="uuid")


# --- curricula -------------------------------------------------------------------------------------


class CurriculumForm(AccessibleForm):
    title = model_field(Curriculum, "title")
    topics = model_field(Curriculum, "topics")
    lowest_grade = model_field(Curriculum, "lowest_grade")
    highest_grade = model_field(Curriculum, "highest_grade")
    lesson_count = model_field(Curriculum, "lesson_count", label="Number of lessons")
    materials_url = model_field(Curriculum, "materials_url", label="Materials link", assume_scheme="https")
    objectives = model_field(Curriculum, "objectives", label="Learning objectives")
    active = forms.BooleanField(label="In the catalogue (uncheck to retire it)", required=False, initial=True)


# --- sessions --------------------------------------------------------------------------------------


class SessionForm(AccessibleForm):
    officer = forms.ModelChoiceField(queryset=Officer.objects.none())
    school = forms.ModelChoiceField(queryset=School.objects.none())
    curriculum = forms.ModelChoiceField(queryset=Curriculum.objects.none(), to_field_name="uuid")
    lesson_number = model_field(Session, "lesson_number", required=False)
    starts_at = forms.DateTimeField(label="Starts", widget=datetime_input())
    planned_minutes = model_field(Session, "planned_minutes", label="Planned minutes", initial=45)
    class_name = model_field(Session, "class_name", help_text="For example: Grade 5, Room 12 (no student names).")
    grade = model_field(Session, "grade", required=False)
    co_teacher_role = model_field(Session, "co_teacher_role", required=False)
    expected_students = model_field(Session, "expected_students")

    def __init__(self, data: Any = None, *, user: Any, fixed_officer: Officer | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        fields: Any = self.fields
        fields["officer"] = _officer_field(user)
        fields["school"] = _school_field(user)
        fields["curriculum"].queryset = access.curricula_visible_to(user).filter(active=True)
        self.order_fields(["officer", "school", "curriculum"])
        self.fixed_officer = fixed_officer
        if fixed_officer is not None:  # changing a session: its officer stays
            del self.fields["officer"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_at"):
            data["starts_at"] = aware(data["starts_at"], data.get("officer") or self.fixed_officer)
        return data


class DeliverForm(AccessibleForm):
    attendance = model_field(Session, "attendance", required=True, label="Students attending")
    delivered_minutes = model_field(Session, "delivered_minutes", required=True, label="Minutes")
    reflection = model_field(
        Session, "reflection", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What went well, what to change. No student names.",
    )  # fmt: skip


class ReasonForm(AccessibleForm):
    reason = forms.CharField(max_length=300)


class FeedbackForm(AccessibleForm):
    rating = forms.TypedChoiceField(
        choices=FeedbackRating.choices, coerce=int, widget=forms.RadioSelect, label="How useful was the session?"
    )
    comment = forms.CharField(
        max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Please do not name students.",
    )  # fmt: skip


class SessionFilterForm(forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none(), to_field_name="uuid", required=False)
    officer = forms.ModelChoiceField(queryset=Officer.objects.none(), to_field_name="uuid", required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *SessionStatus.choices], required=False)
    since = forms.DateField(label="From", required=False, widget=date_input())
    until = forms.DateField(label="To", required=False, widget=date_input())

    def __init__(self, data: Any = None, *, user: Any) -> None:
        super().__init__(data)
        fields: Any = self.fields
        fields["school"].queryset = schools_visible_to(user).order_by("name")
        fields["school"].empty_label = "All schools"
        fields["officer"].queryset = access.officers_visible_on_calendars(user)
        fields["officer"].empty_label = "All officers"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", DATE_RANGE_REVERSED)
        return data


# --- calendars ---------------------------------------------------------------------------------------


class CalendarForm(forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none(), to_field_name="uuid", required=False)
    officer = forms.ModelChoiceField(queryset=Officer.objects.none(), to_field_name="uuid", required=False)
    view = forms.ChoiceField(choices=[("month", "Month"), ("week", "Week")], required=False)
    date = forms.DateField(required=False, widget=date_input())

    def __init__(self, data: Any = None, *, user: Any) -> None:
        super().__init__(data)
        fields: Any = self.fields
        fields["school"].queryset = schools_visible_to(user).order_by("name")
        fields["officer"].queryset = access.officers_visible_on_calendars(user)


class SchoolCalendarForm(AccessibleForm):
    school = forms.ModelChoiceField(
        queryset=School.objects.none(), to_field_name="uuid", required=False,
        help_text="Leave empty for the whole district; choose a school for its own calendar.",
    )  # fmt: skip
    school_year = forms.RegexField(regex=r"^\d{4}-\d{4}$", max_length=9, help_text="For example 2025-2026.")
    first_day = forms.DateField(widget=date_input())
    last_day = forms.DateField(widget=date_input())
    breaks = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One per line: name, first day, last day. For example: Winter break, 2025-12-22, 2026-01-02",
    )  # fmt: skip

    def __init__(self, data: Any = None, *, district: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        fields: Any = self.fields
        fields["school"].queryset = School.objects.filter(district=district).order_by("name")

    def clean_breaks(self) -> list[tuple[str, datetime.date, datetime.date]]:
        found = []
        for line in self.cleaned_data["breaks"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.rsplit(",", 2)]
            try:
                name, first, last = parts
                found.append((name, datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)))
            except ValueError:
                raise forms.ValidationError(BREAK_LINE_INVALID) from None
        return found


# --- mentoring ---------------------------------------------------------------------------------------


class RelationshipForm(AccessibleForm):
    officer = forms.ModelChoiceField(queryset=Officer.objects.none())
    school = forms.ModelChoiceField(queryset=School.objects.none())
    student_id = forms.CharField(
        label="District student id", max_length=64,
        help_text="Turned into the district's pseudonymous key and discarded. Never a name.",
    )  # fmt: skip
    started_on = forms.DateField(label="Start date", widget=date_input())
    goals = model_field(MentoringRelationship, "goals", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    co_contact_name = model_field(
        MentoringRelationship, "co_contact_name", help_text="The school staff member who shares the relationship."
    )
    co_contact_role = model_field(MentoringRelationship, "co_contact_role")
    consent_on = forms.DateField(label="Consent date", widget=date_input())
    school_consent_by = model_field(MentoringRelationship, "school_consent_by", help_text="Name or title.")
    guardian_consent_method = model_field(MentoringRelationship, "guardian_consent_method")
    consent_confirmed = forms.BooleanField(
        label="The school and a parent or guardian agreed to this mentoring relationship."
    )

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        fields: Any = self.fields
        fields["officer"] = _officer_field(user)
        fields["school"] = _school_field(user)
        self.order_fields(["officer", "school"])


class RelationshipStatusForm(AccessibleForm):
    status = forms.ChoiceField(choices=RelationshipStatus.choices)
    reason = forms.CharField(max_length=300, required=False, help_text="Needed to pause or close.")


class MeetingForm(AccessibleForm):
    met_at = forms.DateTimeField(label="When", widget=datetime_input())
    duration_minutes = model_field(MentoringMeeting, "duration_minutes", label="Minutes", initial=20)
    setting = forms.ChoiceField(choices=Setting.choices, initial=Setting.OFFICE)
    topic = model_field(MentoringMeeting, "topic", label="What it was about")


class NoticeForm(AccessibleForm):
    note = forms.CharField(max_length=500, required=False, label="What you did about it")


# --- liaison meetings -----------------------------------------------------------------------------------


class LiaisonMeetingForm(AccessibleForm):
    school = forms.ModelChoiceField(queryset=School.objects.none())
    officer = forms.ModelChoiceField(queryset=Officer.objects.none(), required=False)
    kind = forms.ChoiceField(choices=LiaisonMeetingKind.choices)
    starts_at = forms.DateTimeField(label="When", widget=datetime_input())
    attendee_roles = forms.MultipleChoiceField(
        choices=AttendeeRole.choices, required=False, widget=forms.CheckboxSelectMultiple, label="Attendees by role"
    )
    attendee_count = model_field(LiaisonMeeting, "attendee_count", required=False, label="Number attending")
    notes = model_field(LiaisonMeeting, "notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        fields: Any = self.fields
        fields["school"] = _school_field(user)
        fields["officer"] = forms.ModelChoiceField(
            queryset=access.officers_schedulable_by(user), to_field_name="uuid", required=False
        )
        self.order_fields(["school", "officer"])


class LiaisonHeldForm(AccessibleForm):
    attendee_roles = forms.MultipleChoiceField(
        choices=AttendeeRole.choices, widget=forms.CheckboxSelectMultiple, label="Attendees by role"
    )
    attendee_count = model_field(LiaisonMeeting, "attendee_count", required=False, label="Number attending")
    notes = model_field(LiaisonMeeting, "notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PresenceForm(forms.Form):
    school_year = forms.RegexField(regex=r"^\d{4}-\d{4}$", required=False)
