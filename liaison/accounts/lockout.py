"""Lockout that an attacker cannot turn against the owner, and a limit on password spraying.

OWASP's device cookies: a browser that has signed in to an account carries a signed cookie naming
the account. Such a browser is judged only by its own failures (LOGIN_FAILURE_LIMIT of them in an
hour and it is trusted no more). Failures from every other browser count against the account, and
lock it — for those other browsers only — for LOGIN_LOCKOUT_MINUTES, doubling with each lock up to
LOGIN_LOCKOUT_MAX_HOURS. Failures from unknown browsers are also counted per client address across
all accounts (LOGIN_ADDRESS_FAILURE_LIMIT an hour): a station or school behind one address signs in
from its own browsers, which this limit does not touch, so only a stranger spraying passwords meets it.

The gate is an authentication backend (LockoutBackend, first in AUTHENTICATION_BACKENDS), so the
pages' sign-in and /admin/ alike pass it. A refused attempt raises PermissionDenied there, which
Django answers with its standard user_login_failed signal; a new lock sends `account_locked_out`.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import Signal, receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from liaison.ratelimits import store
from liaison.ratelimits.client import client_address

from .audit import audit_record
from .models import SignInLock, User

DEVICE_COOKIE = "liaison_devices"
DEVICE_SALT = "liaison.accounts.lockout.devices"
DEVICES_KEPT = 10  # accounts one browser is trusted for (a shared desk computer)
HOUR = 3600
LOCKS_FORGOTTEN_AFTER = datetime.timedelta(days=1)

LOCKED_FOR_NEW_BROWSERS = (
    "Too many failed sign-ins to this account from browsers it has not been used on before. "
    "A browser you have signed in with before can still sign in; otherwise wait until {until} (UTC) "
    "or ask your administrator to unlock it."
)
TOO_MANY_FROM_NETWORK = (
    "Too many failed sign-ins from this network. A browser you have signed in with before can still "
    "sign in; otherwise try again within the hour."
)
UNLOCKED = "{name} can sign in again from any browser."

# Sent when an account becomes locked for unknown browsers: (user, request, until).
account_locked_out = Signal()


@dataclass(frozen=True)
class Refusal:
    message: str


# --- device cookies ----------------------------------------------------------------------------------


def _devices(request: HttpRequest) -> list[list[Any]]:
    """[user id, nonce] pairs from the signed cookie; nothing if it is missing, forged or too old."""
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return []
    max_age = settings.DEVICE_TRUST_DAYS * 86400
    try:
        entries = signing.loads(raw, salt=DEVICE_SALT, max_age=max_age)
    except signing.BadSignature:
        return []
    return [entry for entry in entries if isinstance(entry, list) and len(entry) == 2]


def _device_nonce(request: HttpRequest, user: Any) -> str | None:
    return next((nonce for user_id, nonce in _devices(request) if user_id == user.pk), None)


def _device_key(nonce: str) -> str:
    return f"sign-in-device:{nonce}"


def device_trusted(request: HttpRequest, user: Any) -> bool:
    """Whether this browser signed in to the account before and has not failed too often since."""
    nonce = _device_nonce(request, user)
    if nonce is None:
        return False
    return store.peek(_device_key(nonce), window_seconds=HOUR) < settings.LOGIN_FAILURE_LIMIT


def device_cookie_set(request: HttpRequest, response: HttpResponse, user: Any) -> None:
    """After a sign-in: this browser is trusted for the account from now on (newest first)."""
    nonce = _device_nonce(request, user) or secrets.token_urlsafe(16)
    others = [entry for entry in _devices(request) if entry[0] != user.pk]
    entries = [[user.pk, nonce], *others][:DEVICES_KEPT]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(entries, salt=DEVICE_SALT, compress=True),
        max_age=settings.DEVICE_TRUST_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# --- the gate ----------------------------------------------------------------------------------------


def _address_key(request: HttpRequest) -> str:
    return f"sign-in-failures-from:{client_address(request)}"


def _unknown_name_key(username: str) -> str:
    return f"sign-in-unknown-user:{username.casefold()}"


def _account(username: str | None) -> User | None:
    return User.objects.filter(username=username).first() if username else None


def sign_in_refusal(request: HttpRequest, username: str | None) -> Refusal | None:
    """Why this attempt is refused before its password is even checked, or None."""
    user = _account(username)
    if user is not None and device_trusted(request, user):
        return None
    if store.peek(_address_key(request), window_seconds=HOUR) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        return Refusal(TOO_MANY_FROM_NETWORK)
    now = timezone.now()
    if user is None:
        # A made-up name locks like a real one, so a lock tells nobody which names exist.
        window = settings.LOGIN_LOCKOUT_MINUTES * 60
        if username and store.peek(_unknown_name_key(username), window_seconds=window) >= settings.LOGIN_FAILURE_LIMIT:
            return Refusal(LOCKED_FOR_NEW_BROWSERS.format(until=f"{now + datetime.timedelta(seconds=window):%H:%M}"))
        return None
    locked_until = SignInLock.objects.filter(user=user).values_list("locked_until", flat=True).first()
    if locked_until is not None and locked_until > now:
        return Refusal(LOCKED_FOR_NEW_BROWSERS.format(until=f"{locked_until:%H:%M}"))
    return None


class LockoutBackend(BaseBackend):
    """Authenticates nobody; refuses attempts sign_in_refusal forbids (Django then stops and sends
    user_login_failed). Must come first in AUTHENTICATION_BACKENDS."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, **kwargs: Any) -> None:
        if request is None:
            return None
        refusal = sign_in_refusal(request, username)
        if refusal is not None:
            request.sign_in_refusal = refusal  # type: ignore[attr-defined]
            raise PermissionDenied(refusal.message)
        return None


# --- counting failures and successes -------------------------------------------------------------------


def _lock_length(lockouts: int) -> datetime.timedelta:
    first = datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    longest = datetime.timedelta(hours=settings.LOGIN_LOCKOUT_MAX_HOURS)
    return min(first * 2 ** min(lockouts - 1, 20), longest)


def _account_failure(request: HttpRequest, user: User) -> None:
    """One more failure from an unknown browser; the lock (longer each time) when there are enough."""
    now = timezone.now()
    with transaction.atomic():
        lock, _ = SignInLock.objects.select_for_update().get_or_create(user=user)
        stale = lock.last_failure_at is None or now - lock.last_failure_at > LOCKS_FORGOTTEN_AFTER
        if stale and (lock.locked_until is None or now - lock.locked_until > LOCKS_FORGOTTEN_AFTER):
            lock.failures, lock.lockouts = 0, 0
        lock.failures += 1
        lock.last_failure_at = now
        newly_locked = lock.failures >= settings.LOGIN_FAILURE_LIMIT
        if newly_locked:
            lock.lockouts += 1
            lock.failures = 0
            lock.locked_until = now + _lock_length(lock.lockouts)
        lock.save()
    if newly_locked:
        account_locked_out.send(sender=User, user=user, request=request, until=lock.locked_until)


def sign_in_failed(request: HttpRequest, username: str | None) -> None:
    """Count a wrong password: against the browser if it is trusted, else the account and the address."""
    user = _account(username)
    if user is not None:
        nonce = _device_nonce(request, user)
        if nonce is not None and device_trusted(request, user):
            store.hit(_device_key(nonce), window_seconds=HOUR)
            return
    store.hit(_address_key(request), window_seconds=HOUR)
    if user is not None:
        _account_failure(request, user)
    elif username:
        store.hit(_unknown_name_key(username), window_seconds=settings.LOGIN_LOCKOUT_MINUTES * 60)


def sign_in_succeeded(request: HttpRequest, user: Any) -> None:
    """The right password: a trusted browser's failures are forgotten; from a new browser, so are the
    account's (it is the owner who got in)."""
    nonce = _device_nonce(request, user)
    if nonce is not None:
        store.reset(_device_key(nonce), window_seconds=HOUR)
    else:
        SignInLock.objects.filter(user=user).update(failures=0)


@receiver(user_login_failed, dispatch_uid="liaison.accounts.lockout.failed")
def _on_login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any) -> None:
    if request is None or getattr(request, "sign_in_refusal", None) is not None:
        return
    sign_in_failed(request, credentials.get("username"))


@receiver(user_logged_in, dispatch_uid="liaison.accounts.lockout.succeeded")
def _on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    # Whoever has a second factor has not finished signing in yet: the password alone (perhaps a
    # phished one) neither clears the account's failures nor earns trust; sign_in_completed does,
    # once the factor is given.
    from .mfa import mfa_enrolled

    if request is not None and not mfa_enrolled(user):
        sign_in_succeeded(request, user)


def sign_in_completed(request: HttpRequest, response: HttpResponse, user: Any) -> None:
    """The whole sign-in (the password, and the second factor if the person has one) is done: the
    account's failures are forgotten and this browser is trusted for it from now on."""
    sign_in_succeeded(request, user)
    device_cookie_set(request, response, user)


# --- locked accounts, for their admins -------------------------------------------------------------------


def locked_user_ids(user_ids: list[int]) -> dict[int, datetime.datetime]:
    """Which of these people are locked out of new browsers now, and until when (one query)."""
    rows = SignInLock.objects.filter(user_id__in=user_ids, locked_until__gt=timezone.now())
    return {user_id: until for user_id, until in rows.values_list("user_id", "locked_until") if until is not None}


def sign_in_unlock(*, actor: Any, user: User, agency_id: int | None = None, district_id: int | None = None) -> None:
    """Lift the lock and forget the failures (an admin who has checked with the person); audited."""
    with transaction.atomic():
        SignInLock.objects.filter(user=user).update(failures=0, lockouts=0, locked_until=None)
        audit_record(
            actor=actor,
            action="unlock",
            obj=user,
            object_type="accounts.user",
            summary=f"Unlocked sign-in for {user.get_username()}",
            agency_id=agency_id,
            district_id=district_id,
        )
