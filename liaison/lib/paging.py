"""Paging: limit/offset with both numbers bounded, and keyset (cursor) paging for lists that grow.

Every `@paginate` list uses BoundedLimitOffsetPagination (NINJA_PAGINATION_CLASS): `limit` at most
100 and `offset` at most OFFSET_MAX, so a number past a 64-bit integer is a 400 naming it, never a
database error. Lists that grow without end (records, sessions, reviews, the audit log, meetings)
page by cursor instead: `keyset_page` for a page and KeysetPagination for the API, the same rule
as the records list's (interactions.selectors.ListPosition), for any ordering that ends in a unique
field. A cursor is the last row's ordering values; the next page is what follows them, so each page
reads only its own rows however deep it is, and a row added meanwhile never shifts a page.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, PaginationBase

LIMIT_MAX = 100
LIMIT_DEFAULT = 50
OFFSET_MAX = 1_000_000
CURSOR_MAX_CHARS = 400
BAD_CURSOR = "Not a cursor this list gave out; start again from the first page."


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(LIMIT_DEFAULT, ge=1, le=LIMIT_MAX, description=f"At most {LIMIT_MAX} items.")
        offset: int = Field(0, ge=0, le=OFFSET_MAX, description=f"At most {OFFSET_MAX:,}.")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_limit", LIMIT_MAX)
        super().__init__(**kwargs)


# --- keyset paging --------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeysetPage:
    items: list[Any]
    next_cursor: str  # empty on the last page


def keyset_page(queryset: QuerySet[Any], *, ordering: Sequence[str], cursor: str = "", size: int) -> KeysetPage:
    """The page of `size` rows after `cursor` in `ordering` (field names, `-` for descending; the last
    one unique, such as id). Raises ValueError(BAD_CURSOR) for a cursor this function did not give."""
    if cursor:
        try:  # a forged value of the wrong type fails here, while the lookups are prepared
            queryset = queryset.filter(_following(ordering, _decode(cursor, len(ordering))))
        except (TypeError, ValueError, ValidationError) as error:
            raise ValueError(BAD_CURSOR) from error
    rows = list(queryset.order_by(*ordering)[: size + 1])
    if len(rows) <= size:
        return KeysetPage(rows, "")
    last = rows[size - 1]
    return KeysetPage(rows[:size], _encode([getattr(last, key.lstrip("-")) for key in ordering]))


def _following(ordering: Sequence[str], values: list[Any]) -> Q:
    """Rows after `values` in the ordering: greater in the first field that differs."""
    after = Q(pk__in=[])
    for at, key in enumerate(ordering):
        name = key.lstrip("-")
        step = Q(**{f"{name}__{'lt' if key.startswith('-') else 'gt'}": values[at]})
        for earlier, value in zip(ordering[:at], values[:at], strict=True):
            step &= Q(**{earlier.lstrip("-"): value})
        after |= step
    return after


def _encode(values: list[Any]) -> str:
    def tagged(value: Any) -> Any:
        if isinstance(value, datetime.datetime):
            return {"t": value.isoformat()}
        if isinstance(value, datetime.date):
            return {"d": value.isoformat()}
        if isinstance(value, uuid.UUID):
            return {"u": value.hex}
        return value

    raw = json.dumps([tagged(value) for value in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(token: str, count: int) -> list[Any]:
    try:
        if len(token) > CURSOR_MAX_CHARS:
            raise ValueError(BAD_CURSOR)
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(values, list) or len(values) != count:
            raise ValueError(BAD_CURSOR)
        return [_untagged(value) for value in values]
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as error:
        raise ValueError(BAD_CURSOR) from error


def _untagged(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        raise ValueError(BAD_CURSOR)
    if isinstance(value, int) and abs(value) < 2**63:
        return value
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (tag, text), *_ = value.items()
        if tag == "t" and isinstance(text, str):
            moment = datetime.datetime.fromisoformat(text)
            if moment.tzinfo is not None:
                return moment
        if tag == "d" and isinstance(text, str):
            return datetime.date.fromisoformat(text)
        if tag == "u" and isinstance(text, str):
            return uuid.UUID(hex=text)
    raise ValueError(BAD_CURSOR)


OnPage = Callable[[HttpRequest, list[Any], str], None]


class KeysetPagination(PaginationBase):
    """keyset_page for the API: `?cursor=` (the `next` URL carries it) and `page_size`; answers
    `{"results": [...], "next": url or null}` like the records list."""

    class Input(Schema):
        cursor: str = Field(
            "", max_length=CURSOR_MAX_CHARS, description="From the previous page's `next`; empty for the first page."
        )
        page_size: int = Field(LIMIT_DEFAULT, ge=1, le=LIMIT_MAX, description=f"At most {LIMIT_MAX} items.")

    class Output(Schema):
        results: list[Any]
        next: str | None = Field(None, description="The next page's URL; null on the last page.")

    items_attribute = "results"

    def __init__(
        self,
        *,
        ordering: Sequence[str],
        on_page: Callable[[HttpRequest, list[Any], str], None] | None = None,
        **kwargs: Any,
    ) -> None:
        """`on_page(request, items, cursor)`: called with each page served (to audit what it showed)."""
        self.ordering = tuple(ordering)
        self.on_page = on_page
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any) -> Any:
        try:
            page = keyset_page(queryset, ordering=self.ordering, cursor=pagination.cursor, size=pagination.page_size)
        except ValueError as error:
            raise ValidationError({"cursor": [str(error)]}) from None
        if self.on_page is not None:
            self.on_page(request, page.items, pagination.cursor)
        following = None
        if page.next_cursor:
            query = request.GET.copy()
            query["cursor"] = page.next_cursor
            following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return {"results": page.items, "next": following}


def keyset_links(request: HttpRequest, page: KeysetPage) -> dict[str, str]:
    """A page's links: `next_url` (empty on the last page) and `first_url` (empty on the first)."""

    def with_cursor(cursor: str) -> str:
        query = request.GET.copy()
        query.pop("cursor", None)
        if cursor:
            query["cursor"] = cursor
        return f"?{query.urlencode()}"

    return {
        "next_url": with_cursor(page.next_cursor) if page.next_cursor else "",
        "first_url": with_cursor("") if request.GET.get("cursor") else "",
    }
