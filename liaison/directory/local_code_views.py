"""The district's local school codes: edit them on a page, or download and upload them as CSV."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from liaison.lib.csv_export import csv_writer
from liaison.lib.form_pages import done

from . import access
from .forms import LocalCodesForm, LocalCodesUploadForm
from .local_codes import (
    Entry,
    LocalCodesInvalid,
    local_code_schools_listed,
    local_codes_csv_read,
    local_codes_csv_rows,
    local_codes_of,
)
from .local_codes import local_codes_save as _save

if TYPE_CHECKING:
    from .models import District

CODES_SAVED = "Saved {count} local school codes of {name}."


def _page(request: HttpRequest, district: District, **context: Any) -> HttpResponse:
    schools = local_code_schools_listed(district)
    context.setdefault("form", LocalCodesForm(schools=schools, codes=local_codes_of(district)))
    context.setdefault("upload_form", LocalCodesUploadForm())
    return render(request, "directory/local_codes.html", {"district": district, **context})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def local_codes_edit(request: HttpRequest, uuid: UUID) -> HttpResponse:
    district = access.district_get_for_user(request.user, uuid, write=True)
    if request.method != "POST":
        return _page(request, district)
    schools = local_code_schools_listed(district)
    form = LocalCodesForm(request.POST, schools=schools, codes=local_codes_of(district))
    if form.is_valid():
        entries = [Entry(None, school, code) for school, code in form.codes()]
        try:
            count = _save(actor=request.user, district=district, entries=entries)
        except LocalCodesInvalid as invalid:
            for error in invalid.errors:
                form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return done(request, CODES_SAVED.format(count=count, name=district.name), _here(district))
    return _page(request, district, form=form)


@login_required
@require_POST
def local_codes_upload(request: HttpRequest, uuid: UUID) -> HttpResponse:
    district = access.district_get_for_user(request.user, uuid, write=True)
    upload_form = LocalCodesUploadForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return _page(request, district, upload_form=upload_form)
    try:
        entries = local_codes_csv_read(upload_form.cleaned_data["file"].open("rb"), district)
        count = _save(actor=request.user, district=district, entries=entries)
    except LocalCodesInvalid as invalid:
        return _page(request, district, upload_form=upload_form, csv_errors=invalid.errors)
    return done(request, CODES_SAVED.format(count=count, name=district.name), _here(district))


@login_required
@require_safe
def local_codes_download(request: HttpRequest, uuid: UUID) -> HttpResponse:
    district = access.district_get_for_user(request.user, uuid, write=True)
    out = io.StringIO()
    csv_writer(out).writerows(local_codes_csv_rows(district))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="local-school-codes-{district.nces_id}.csv"'
    return response


def _here(district: District) -> str:
    return reverse("directory:local_codes", args=[district.uuid])
