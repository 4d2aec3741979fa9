"""Sign-ins, sign-outs, failed sign-ins, lockouts and unlocks in the audit log.

Written from Django's auth signals and the lockout module's signal, so
every sign-in door (the login page, /admin/, a future single sign-on or MFA step) is covered
without each view remembering to. Never the password; the attempted username only in the summary.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from .audit import audit_record
from .lockout import account_locked_out
from .models import AuditEntry, Membership, User

REASON_UNKNOWN_USER = "no such username"
REASON_INACTIVE = "the login is switched off"
REASON_WRONG_PASSWORD = "wrong password"
REASON_LOCKED = "the login is locked after too many failures"


def _client(request: HttpRequest | None) -> str:
    return (request.META.get("REMOTE_ADDR", "") if request is not None else "") or "an unknown address"


def tenant_of(user: User | None) -> dict[str, int | None]:
    """The agency or district whose admins see this person's sign-ins (their first role's place)."""
    if user is None:
        return {"agency_id": None, "district_id": None}
    membership = (
        Membership.objects.filter(user=user).select_related("school").order_by("id").first()
        if user.pk is not None
        else None
    )
    if membership is None:
        return {"agency_id": None, "district_id": None}
    district_id = membership.district_id or (membership.school.district_id if membership.school else None)
    return {"agency_id": membership.agency_id, "district_id": district_id}


def _record(action: str, *, actor: User | None, subject: User | None, summary: str) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=subject,
        object_type="accounts.user",
        summary=summary,
        **tenant_of(subject),
    )


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def audit_sign_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    _record(AuditEntry.Action.LOGIN, actor=user, subject=user, summary=f"Signed in from {_client(request)}")


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def audit_sign_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is None or not user.is_authenticated:
        return
    _record(AuditEntry.Action.LOGOUT, actor=user, subject=user, summary=f"Signed out from {_client(request)}")


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def audit_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")[:150]
    user = User.objects.filter(username=username).first() if username else None
    reason = _failure_reason(request, user)
    summary = f"Failed sign-in as {username!r} from {_client(request)}: {reason}"
    _record(AuditEntry.Action.LOGIN_FAILED, actor=None, subject=user, summary=summary)


def _failure_reason(request: HttpRequest | None, user: User | None) -> str:
    if request is not None and getattr(request, "sign_in_refusal", None) is not None:
        return REASON_LOCKED
    if user is None:
        return REASON_UNKNOWN_USER
    if not user.is_active:
        return REASON_INACTIVE
    return REASON_WRONG_PASSWORD


@receiver(account_locked_out, dispatch_uid="audit_lockout")
def audit_lockout(sender: Any, user: User, request: HttpRequest | None, until: Any, **kwargs: Any) -> None:
    summary = (
        f"Login {user.get_username()!r} locked for new browsers until {until:%Y-%m-%d %H:%M} UTC"
        f" (last from {_client(request)})"
    )
    _record(AuditEntry.Action.LOGIN_LOCKED, actor=None, subject=user, summary=summary)
