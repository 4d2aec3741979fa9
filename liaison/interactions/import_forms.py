"""The contacts upload form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from liaison.directory.models import Agency

from .imports import interaction_import_agencies

MAX_UPLOAD_BYTES = 512 * 1024 * 1024
UPLOAD_TOO_LARGE = "The file is larger than 512 MB; import it from the command line instead."
UPLOAD_NOT_CSV = "Upload a CSV file saved as UTF-8 text (“CSV UTF-8” in a spreadsheet's Save As)."
UPLOAD_EMPTY = "The file is empty."
PEEK_BYTES = 4096


class ContactsUploadForm(forms.Form):
    file = forms.FileField(
        label="Contacts CSV",
        help_text="One row per contact; the columns are listed below.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), help_text="The agency whose officers' contacts these are."
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency: forms.ModelChoiceField = self.fields["agency"]  # type: ignore[assignment]
        agency.queryset = interaction_import_agencies(user).order_by("name")
        if agency.queryset.count() == 1:
            agency.empty_label = None

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(UPLOAD_TOO_LARGE)
        if not upload.size:
            raise ValidationError(UPLOAD_EMPTY)
        start = upload.read(PEEK_BYTES)
        upload.seek(0)
        if b"\0" in start or not _utf8_prefix(start):
            raise ValidationError(UPLOAD_NOT_CSV)
        return upload


def _utf8_prefix(data: bytes) -> bool:
    """Whether the bytes are UTF-8, allowing a character cut off at the end."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(data) - 3
    return True
