"""The public page of a program's figures this school year, beside its published MOU (no sign-in)."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .public_figures import published_figures


@require_GET
def public_figures_page(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The program's figures this school year, when its MOU and its figures are both published."""
    figures = published_figures(uuid)
    return render(request, "agreements/public_figures.html", {"figures": figures, "agreement": figures.agreement})
