"""API bearer tokens: generated once, stored as a SHA-256 digest, checked on each request."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from .models import ApiToken, User

TOKEN_BYTES = 32
LAST_USED_RESOLUTION = timedelta(minutes=5)  # avoid a write on every request


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for the user. Returns the row and the token, which is never stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = ApiToken.objects.create(user=user, name=name, digest=token_digest(token), prefix=token[:8])
    return row, token


def api_token_user(token: str) -> User | None:
    row = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user
