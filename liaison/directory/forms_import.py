"""The OneRoster upload form."""

from __future__ import annotations

import zipfile
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from liaison.accounts.scope import user_scope

from .models import District
from .roster_imports import roster_import_districts
from .validators import validate_school_year

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
UPLOAD_TOO_LARGE = "The zip is larger than 200 MB; import from the command line instead."
UPLOAD_NOT_A_ZIP = "Upload the roster as one .zip file holding orgs.csv, users.csv and the other CSV files."
ANY_DISTRICT = "Any district in the file"


def current_school_year() -> str:
    """The school year under way (or about to start): it turns over on 1 July."""
    today = timezone.localdate()
    start = today.year if today.month >= 7 else today.year - 1
    return f"{start}-{start + 1}"


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="Roster zip",
        help_text="The OneRoster 1.1 or 1.2 CSV export of your student information system, as a .zip.",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    school_year = forms.CharField(
        max_length=9, validators=[validate_school_year], help_text="The year the counts are for, e.g. 2025-2026."
    )
    district = forms.ModelChoiceField(
        queryset=District.objects.none(), help_text="Only this district's schools may be in the file."
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school_year"].initial = current_school_year()
        district: forms.ModelChoiceField = self.fields["district"]  # type: ignore[assignment]
        district.queryset = roster_import_districts(user)
        if user_scope(user).platform_admin:
            district.required = False
            district.empty_label = ANY_DISTRICT
            district.help_text = "Leave as “any” to import every district in the file."
        elif district.queryset.count() == 1:
            district.empty_label = None

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(UPLOAD_TOO_LARGE)
        if not zipfile.is_zipfile(upload):
            raise ValidationError(UPLOAD_NOT_A_ZIP)
        upload.seek(0)
        return upload
