"""API bearer tokens: generated once, stored as a SHA-256 digest, checked on each request.

A token expires (API_TOKEN_DAYS by default, at most a year), may be read-only, and is revoked with
all its siblings whenever its owner's password changes (User.save). Only a person signed in to the
pages, recently, may make one: a token can never make another (api.py and views.py check
token_creation_refusal), so a stolen token cannot make itself permanent.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
from datetime import timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from liaison.lib import sql_rows
from liaison.lib.errors import ConflictError

from .audit import audit_record
from .models import ApiToken, Membership, TokenAccess, User
from .reauth import session_recently_verified
from .scope import MEMBERSHIP_COLUMNS, user_scope_preload

TOKEN_BYTES = 32
LAST_USED_RESOLUTION = timedelta(minutes=5)  # avoid a write on every request


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


MAX_TOKEN_DAYS = 365
TOKEN_DAY_CHOICES = (30, 90, 180, 365)


def api_token_create(
    *, user: User, name: str = "", access: str = TokenAccess.READ_WRITE, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for the user, unchecked (api_token_issue checks). Returns the row and the token,
    which is never stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = timezone.now() + timedelta(days=days or settings.API_TOKEN_DAYS)
    row = ApiToken.objects.create(
        user=user, name=name, digest=token_digest(token), prefix=token[:8], access=access, expires_at=expires_at
    )
    return row, token


TOKEN_NAME_NEEDED = "Name the token after what will use it (a phone, an integration), to recognise it later."
TOKEN_ALREADY_REVOKED = "This token was already revoked."
TOKEN_DAYS_OUT_OF_RANGE = f"A token lasts from 1 to {MAX_TOKEN_DAYS} days."
TOKEN_ACCESS_UNKNOWN = "Choose read-only or read-and-write access."
TOKEN_READ_ONLY = "This token is read-only: it may only read (GET), not change anything."
TOKEN_CANNOT_MAKE_TOKENS = "A token cannot create tokens: create one on your account page, signed in."
TOKEN_NEEDS_RECENT_SIGN_IN = (
    "Creating a token needs a recent sign-in: confirm your password on the account page and try again."
)


def api_token_issue(
    *, actor: Any, user: User, name: str, access: str = TokenAccess.READ, days: int | None = None
) -> tuple[ApiToken, str]:
    """A named token for the user, audited (its prefix, never the token). Pages, API and command."""
    name = name.strip()
    days = settings.API_TOKEN_DAYS if days is None else days
    errors = {}
    if not name:
        errors["name"] = TOKEN_NAME_NEEDED
    if not 1 <= days <= MAX_TOKEN_DAYS:
        errors["days"] = TOKEN_DAYS_OUT_OF_RANGE
    if access not in TokenAccess.values:
        errors["access"] = TOKEN_ACCESS_UNKNOWN
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row, token = api_token_create(user=user, name=name, access=access, days=days)
        audit_record(
            actor=actor,
            action="create",
            obj=row,
            summary=f"Issued API token {row.prefix}… “{name}” ({row.get_access_display().lower()}, "
            f"until {row.expires_at:%Y-%m-%d}) for {user.get_username()}",
        )
    return row, token


def token_creation_refusal(request: HttpRequest) -> str | None:
    """Why this request may not create a token, or None: only a recently verified browser session may."""
    if getattr(request, "api_token", None) is not None:
        return TOKEN_CANNOT_MAKE_TOKENS
    if not session_recently_verified(request):
        return TOKEN_NEEDS_RECENT_SIGN_IN
    return None


def api_tokens_revoke_all(*, user: User, reason: str) -> int:
    """Revoke every live token of the user (their password or factors changed); how many."""
    with transaction.atomic():
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if revoked:
            audit_record(
                actor=user,
                action="update",
                obj=user,
                object_type="accounts.apitoken",
                summary=f"Revoked all {revoked} API token(s) of {user.get_username()}: {reason}",
            )
    return revoked


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
    """The active user whose live token this is (see api_token_find)."""
    found = api_token_find(token)
    return found.user if found is not None else None


def api_token_find(token: str) -> ApiToken | None:
    """The live (unrevoked, unexpired) token of an active user, with the user, their officer profile
    (and its agency) and their scope loaded: one query, with a row per membership."""
    now = timezone.now()
    rows = sql_rows.fetch_all(_token_sql(), [token_digest(token), now, True])
    if not rows:
        return None
    found, user = _token_and_user(rows[0])
    memberships = [row[-len(MEMBERSHIP_COLUMNS) :] for row in rows]
    user_scope_preload(user, [membership for membership in memberships if membership[0] is not None])
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found


def _officer_models() -> tuple[Any, Any]:
    """The officer profile and its agency, reached through the user's relation to them: they are the
    directory's models, and accounts sits below the directory (docs/architecture.md)."""
    officer: Any = User.officer.related.related_model  # type: ignore[attr-defined]
    return officer, officer._meta.get_field("agency").related_model


@cache
def _token_sql() -> str:
    """Read on every API request, so in plain SQL: the ORM's compiler costs more than the query
    (see liaison/lib/sql_rows.py)."""
    (o, a), t, u, m = _officer_models(), ApiToken, User, Membership
    c = sql_rows.column
    membership = ", ".join(f"m.{c(m, name)}" for name in MEMBERSHIP_COLUMNS)
    return (
        f"SELECT {sql_rows.columns(t, 't')}, {sql_rows.columns(u, 'u')}, "
        f"{sql_rows.columns(o, 'o')}, {sql_rows.columns(a, 'a')}, {membership} "
        f"FROM {sql_rows.table(t)} t JOIN {sql_rows.table(u)} u ON u.{c(u, 'id')} = t.{c(t, 'user')} "
        f"LEFT JOIN {sql_rows.table(o)} o ON o.{c(o, 'user')} = u.{c(u, 'id')} "
        f"LEFT JOIN {sql_rows.table(a)} a ON a.{c(a, 'id')} = o.{c(o, 'agency')} "
        f"LEFT JOIN {sql_rows.table(m)} m ON m.{c(m, 'user')} = u.{c(u, 'id')} "
        f"WHERE t.{c(t, 'digest')} = %s AND t.{c(t, 'revoked_at')} IS NULL AND t.{c(t, 'expires_at')} > %s "
        f"AND u.{c(u, 'is_active')} = %s"
    )


def _token_and_user(row: tuple) -> tuple[ApiToken, User]:
    """Build the instances and link them as select_related would (the profile cached, even when absent)."""
    Officer, Agency = _officer_models()
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


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = api_token_find(token)
        if found is None:
            return None
        if found.access == TokenAccess.READ and request.method not in SAFE_METHODS:
            raise PermissionDenied(TOKEN_READ_ONLY)
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


def api_tokens_revoke_everyone(*, actor: Any, reason: str = "") -> int:
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
