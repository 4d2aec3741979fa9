from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .scope import user_scope


def roles(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's scope, for navigation."""
    return {"scope": user_scope(request.user)}
