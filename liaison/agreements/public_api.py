# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""The public page as open data: published MOUs in force, without authentication. The figures their
parties chose to publish are insights' (liaison/insights/public_figures_api.py)."""

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema

from liaison.lib.api_errors import ERROR_RESPONSES

from .selectors import published_in_force

router = Router(tags=["public"], auth=None)


class PublicMouOut(Schema):
    agreement: UUID
    title: str
    agency: str
    district: str
    version: int
    in_force_since: datetime.date
    document: str = Field(description="The web page of the document.")
    figures_published: bool


@router.get("/public/mous", response={200: list[PublicMouOut], **ERROR_RESPONSES})
def public_mous(request: HttpRequest) -> list[dict[str, Any]]:
    """Every MOU its parties published, while a signed version is in force. No sign-in."""
    return [
        {
            "agreement": mou.agreement.uuid,
            "title": mou.version.title,
            "agency": mou.agreement.agency.name,
            "district": mou.agreement.district.name,
            "version": mou.version.number,
            "in_force_since": mou.version.effective_date,
            "document": request.build_absolute_uri(reverse("public_mou", args=[mou.agreement.uuid])),
            "figures_published": mou.agreement.figures_published,
        }
        for mou in published_in_force()
    ]
