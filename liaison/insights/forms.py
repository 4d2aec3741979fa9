from __future__ import annotations

import datetime
from typing import Any

from django import forms

from liaison.lib.accessible_forms import AccessibleForm, model_field
from liaison.lib.school_years import school_year_of

from .models import SchoolReportedCount

YEARS_SHOWN = 5


def recent_school_years(today: datetime.date) -> list[str]:
    """This school year and the four before it, newest first."""
    return [school_year_of(today.replace(year=today.year - n, day=min(today.day, 28))) for n in range(YEARS_SHOWN)]


class EquityYearForm(AccessibleForm):
    school_year = forms.ChoiceField(label="School year", choices=[])

    def __init__(self, *args: Any, today: datetime.date, closed_only: bool = False, **kwargs: Any) -> None:
        """`closed_only`: restricted audiences see closed school years only (docs/disclosure.md)."""
        super().__init__(*args, **kwargs)
        years = recent_school_years(today)
        if closed_only:
            years = years[1:] + [school_year_of(today.replace(year=today.year - YEARS_SHOWN, day=min(today.day, 28)))]
        field = self.fields["school_year"]
        field.choices = [(year, year) for year in years]  # type: ignore[attr-defined]
        self.default = years[0]

    def year(self) -> str:
        return str(self.cleaned_data["school_year"]) if self.is_valid() else self.default


class SchoolReportedForm(AccessibleForm):
    referral_instances = model_field(SchoolReportedCount, "referral_instances")
    arrest_instances = model_field(SchoolReportedCount, "arrest_instances")
    source = model_field(SchoolReportedCount, "source")

    @classmethod
    def initial_for(cls, reported: SchoolReportedCount | None) -> dict[str, Any]:
        return {name: getattr(reported, name) for name in cls.base_fields} if reported else {}
