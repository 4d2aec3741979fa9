"""The public page of MOUs: anyone, without signing in, reads the MOU in force between an agency and a
district when both chose to publish it (Agreement.published). Only the signed version in force
today is shown: never a draft, never one awaiting signatures, never a superseded one. Nothing here
concerns a student."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from liaison.directory.selectors import agency_today
from liaison.insights.public_figures import public_figures

from . import documents
from .models import Agreement, AgreementVersion
from .selectors import agreement_current_version


@dataclass(frozen=True)
class PublishedMou:
    agreement: Agreement
    version: AgreementVersion


def published_in_force() -> list[PublishedMou]:
    """Every published agreement with a version in force today (the agency's today), by agency."""
    agreements = (
        Agreement.objects.filter(published=True)
        .select_related("agency", "district")
        .prefetch_related("versions__signatories")
        .order_by("agency__state", "agency__name", "district__name")
    )
    found = []
    for agreement in agreements:
        version = agreement_current_version(agreement, agency_today(agreement.agency))
        if version is not None:
            found.append(PublishedMou(agreement, version))
    return found


def published_version(uuid: UUID) -> AgreementVersion:
    agreement = Agreement.objects.select_related("agency", "district").filter(uuid=uuid, published=True).first()
    version = agreement_current_version(agreement, agency_today(agreement.agency)) if agreement else None
    if version is None:
        raise Http404
    return version


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


@require_GET
def public_figures_page(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The program's figures this school year, when its MOU and its figures are both published."""
    version = published_version(uuid)
    agreement = version.agreement
    if not agreement.figures_published:
        raise Http404
    figures = public_figures(agreement, list(version.schools.order_by("name")), agency_today(agreement.agency))
    return render(request, "agreements/public_figures.html", {"figures": figures, "agreement": agreement})
