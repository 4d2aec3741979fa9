"""Limit/offset paging with both numbers bounded, declared so in the OpenAPI document.

Every `@paginate` list uses this class (NINJA_PAGINATION_CLASS): `limit` at most 100 and `offset`
at most OFFSET_MAX, so a number past a 64-bit integer is a 400 naming it, never a database error.
Lists that grow without end (records, sessions, reviews, the audit log) page by cursor instead.
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

LIMIT_MAX = 100
LIMIT_DEFAULT = 50
OFFSET_MAX = 1_000_000


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(LIMIT_DEFAULT, ge=1, le=LIMIT_MAX, description=f"At most {LIMIT_MAX} items.")
        offset: int = Field(0, ge=0, le=OFFSET_MAX, description=f"At most {OFFSET_MAX:,}.")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_limit", LIMIT_MAX)
        super().__init__(**kwargs)
