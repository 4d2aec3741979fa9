from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .scope import user_scope
from .selectors import audit_log_readable


def roles(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's scope, for navigation."""
    return {"scope": user_scope(request.user), "audit_log_readable": audit_log_readable(request.user)}
