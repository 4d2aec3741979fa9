"""API bearer tokens: generated once, stored as a SHA-256 digest, checked on each request."""

from __future__ import annotations

import hashlib
import itertools
import secrets
from datetime import timedelta
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from liaison.directory.models import Agency, Officer
from liaison.lib import sql_rows
from liaison.lib.errors import ConflictError

from .audit import audit_record
from .models import ApiToken, Membership, User
from .scope import MEMBERSHIP_COLUMNS, user_scope_preload

TOKEN_BYTES = 32
LAST_USED_RESOLUTION = timedelta(minutes=5)  # avoid a write on every request


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for the user. Returns the row and the token, which is never stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = ApiToken.objects.create(user=user, name=name, digest=token_digest(token), prefix=token[:8])
    return row, token


TOKEN_NAME_NEEDED = "Name the token after what will use it (a phone, an integration), to recognise it later."
TOKEN_ALREADY_REVOKED = "This token was already revoked."


def api_token_issue(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """A named token for the user, audited (its prefix, never the token). Pages, API and command."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": TOKEN_NAME_NEEDED})
    with transaction.atomic():
        row, token = api_token_create(user=user, name=name)
        audit_record(
            actor=actor,
            action="create",
            obj=row,
            summary=f"Issued API token {row.prefix}… “{name}” for {user.get_username()}",
        )
    return row, token


def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Stop a token working from now on; the row stays, for the record."""
    if token.revoked_at is not None:
        raise ConflictError({"token": TOKEN_ALREADY_REVOKED})
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="update",
            obj=token,
            summary=f"Revoked API token {token.prefix}… “{token.name}” of {token.user.get_username()}",
        )
    return token


def api_tokens_of(user: Any) -> Any:
    """The user's tokens, newest first (revoked ones too, marked)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_get_for_user(user: Any, uuid: Any) -> ApiToken:
    """One of the user's own tokens (404 for anyone else's)."""
    found = ApiToken.objects.select_related("user").filter(user=user, uuid=uuid).first()
    if found is None:
        raise Http404
    return found


def api_token_user(token: str) -> User | None:
    """The active user whose live token this is, with their officer profile (and its agency) and
    their scope loaded: one query, with a row per membership."""
    rows = sql_rows.fetch_all(_token_sql(), [token_digest(token), True])
    if not rows:
        return None
    found, user = _token_and_user(rows[0])
    memberships = [row[-len(MEMBERSHIP_COLUMNS) :] for row in rows]
    user_scope_preload(user, [membership for membership in memberships if membership[0] is not None])
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return user


@cache
def _token_sql() -> str:
    """Read on every API request, so in plain SQL: the ORM's compiler costs more than the query
    (see liaison/lib/sql_rows.py)."""
    t, u, o, a, m = ApiToken, User, Officer, Agency, Membership
    c = sql_rows.column
    membership = ", ".join(f"m.{c(m, name)}" for name in MEMBERSHIP_COLUMNS)
    return (
        f"SELECT {sql_rows.columns(t, 't')}, {sql_rows.columns(u, 'u')}, "
        f"{sql_rows.columns(o, 'o')}, {sql_rows.columns(a, 'a')}, {membership} "
        f"FROM {sql_rows.table(t)} t JOIN {sql_rows.table(u)} u ON u.{c(u, 'id')} = t.{c(t, 'user')} "
        f"LEFT JOIN {sql_rows.table(o)} o ON o.{c(o, 'user')} = u.{c(u, 'id')} "
        f"LEFT JOIN {sql_rows.table(a)} a ON a.{c(a, 'id')} = o.{c(o, 'agency')} "
        f"LEFT JOIN {sql_rows.table(m)} m ON m.{c(m, 'user')} = u.{c(u, 'id')} "
        f"WHERE t.{c(t, 'digest')} = %s AND t.{c(t, 'revoked_at')} IS NULL AND u.{c(u, 'is_active')} = %s"
    )


def _token_and_user(row: tuple) -> tuple[ApiToken, User]:
    """Build the instances and link them as select_related would (the profile cached, even when absent)."""
    offsets = itertools.accumulate((0, *(sql_rows.width(m) for m in (ApiToken, User, Officer))))
    token_at, user_at, officer_at, agency_at = offsets
    found = sql_rows.instance(ApiToken, row, token_at)
    user = sql_rows.instance(User, row, user_at)
    officer = sql_rows.instance(Officer, row, officer_at)
    agency = sql_rows.instance(Agency, row, agency_at)
    assert found is not None and user is not None
    found.user = user
    if officer is not None and agency is not None:
        officer.agency = agency
        officer.user = user  # a one-to-one: this also caches user.officer
    else:
        User.officer.related.set_cached_value(user, None)  # type: ignore[attr-defined]
    return found, user


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


def api_tokens_revoke_all(*, actor: Any, reason: str = "") -> int:
    """Revoke every token still working (after a leak or a rotation), in one audited step."""
    with transaction.atomic():
        count = ApiToken.objects.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_record(
            actor=actor,
            action="update",
            object_type="accounts.apitoken",
            summary=f"Revoked all {count} working API token(s)" + (f": {reason}" if reason else ""),
        )
    return count
