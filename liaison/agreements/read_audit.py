"""Reading reviews in bulk: a page of the reviews list (page or API) shows enforcement details of the
actions under review (action type and reason; in the API the officer's justification too), so each page
read is one audit entry with the filters and the records shown, as the records list's are."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest

from liaison.interactions.read_audit import records_list_read_audit

from .models import Review


def _described(filters: dict[str, Any]) -> dict[str, Any]:
    return {name: str(getattr(value, "uuid", value)) for name, value in filters.items() if value not in (None, "")}


def reviews_page_read_audit(
    *, user: Any, reviews: Sequence[Review], filters: dict[str, Any], door: str, cursor: str = ""
) -> None:
    """One entry naming the records (and reviews) a page of the reviews list showed; none for an empty page."""
    records_list_read_audit(
        user=user,
        records=[str(review.interaction.uuid) for review in reviews],
        filters=_described(filters),
        door=door,
        cursor=cursor,
        reviews=[str(review.uuid) for review in reviews],
    )


def reviews_api_page_read_audit(request: HttpRequest, reviews: list[Review], cursor: str) -> None:
    """KeysetPagination's on_page for GET /agreements/reviews."""
    filters = {name: value for name, value in request.GET.items() if name not in ("cursor", "page_size")}
    reviews_page_read_audit(user=request.user, reviews=reviews, filters=filters, door="API", cursor=cursor)
