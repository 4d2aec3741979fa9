"""The public page of MOUs: anyone, without signing in, reads the MOU in force between an agency and a
district when both chose to publish it (Agreement.published). Only the signed version in force
today is shown: never a draft, never one awaiting signatures, never a superseded one. Nothing here
concerns a student."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import documents
from .selectors import published_in_force, published_version


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    return render(request, "agreements/public_list.html", {"mous": published_in_force()})


@require_GET
def public_document(request: HttpRequest, uuid: UUID) -> HttpResponse:
    version = published_version(uuid)
    context = documents.document_context(version) | {"public": True}
    return render(request, "agreements/public_document.html", context)


@require_GET
def public_document_pdf(request: HttpRequest, uuid: UUID) -> HttpResponse:
    version = published_version(uuid)
    response = HttpResponse(documents.document_pdf(version), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.document_filename(version)}"'
    return response
