"""A second factor at sign-in: an authenticator app (TOTP), with recovery codes (django-otp's devices).

Whoever has a factor must use it at every sign-in. Roles that read student-level records
(MFA_REQUIRED_ROLES) must set one up: from their first sign-in they have MFA_GRACE_DAYS to do so,
after which every page leads to the set-up page. The state is worked out once at sign-in and kept
in the session (MFA_SESSION), so checking it costs no query per request.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import audit_record
from .models import Passkey, User
from .reauth import MFA_SESSION, session_mark_verified
from .recovery_codes import recovery_code_use, recovery_codes_delete, recovery_codes_exist, recovery_codes_replace
from .tokens import api_tokens_revoke_all

VERIFIED, PENDING, GRACE, NONE = "verified", "pending", "grace", "none"
TOTP_NAME = "Authenticator app"

WRONG_CODE = "That code is not right (or was already used). Try the current code from your app."
MFA_RESET_SUBJECT = "Your Liaison second factor was reset"
MFA_RESET_BODY = (
    "{actor} reset the second factor (authenticator app, passkeys and recovery codes) of your Liaison "
    "login {username}.\n\n"
    "At your next sign-in you will be asked to set up an authenticator app again. Your API tokens were "
    "revoked.\n\nIf you did not ask for this, tell {actor} or your agency's security contact at once."
)


# --- who must use a second factor ---------------------------------------------------------------------


def mfa_required(user: Any) -> bool:
    """Whether the user's roles read student-level records (MFA_REQUIRED_ROLES decides which)."""
    required = set(settings.MFA_REQUIRED_ROLES)
    if user.is_superuser and "platform_admin" in required:
        return True
    return user.memberships.filter(role__in=required).exists()


def users_with_factor(user_ids: list[int]) -> set[int]:
    """Which of these people have an authenticator set up (one query)."""
    found = TOTPDevice.objects.filter(user_id__in=user_ids, confirmed=True).values_list("user_id", flat=True)
    return set(found) | set(Passkey.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))


def totp_enrolled(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_enrolled(user: Any) -> bool:
    """An authenticator app or a passkey (recovery codes alone are not a factor)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists() or Passkey.objects.filter(user=user).exists()


def _grace_until(user: User) -> datetime.datetime:
    """The end of the user's grace period, started at their first sign-in that needed a factor."""
    if user.mfa_grace_until is None:
        user.mfa_grace_until = timezone.now() + datetime.timedelta(days=settings.MFA_GRACE_DAYS)
        User.objects.filter(pk=user.pk).update(mfa_grace_until=user.mfa_grace_until)
    return user.mfa_grace_until


def _state_at_sign_in(user: User) -> dict[str, Any]:
    if mfa_enrolled(user):
        return {"state": PENDING}
    if mfa_required(user):
        return {"state": GRACE, "until": int(_grace_until(user).timestamp())}
    return {"state": NONE}


@receiver(user_logged_in, dispatch_uid="liaison.accounts.mfa.state_at_sign_in")
def _on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[MFA_SESSION] = _state_at_sign_in(user)


def session_mfa_state(request: HttpRequest) -> dict[str, Any]:
    return request.session.get(MFA_SESSION) or {"state": NONE}


def session_verified(request: HttpRequest) -> bool:
    """Whether this session proved a second factor (what /admin/ requires)."""
    return session_mfa_state(request).get("state") == VERIFIED


def session_must_verify(request: HttpRequest) -> bool:
    return session_mfa_state(request).get("state") == PENDING


def session_must_enrol(request: HttpRequest) -> bool:
    state = session_mfa_state(request)
    return state.get("state") == GRACE and timezone.now().timestamp() >= state.get("until", 0)


def session_grace_ends(request: HttpRequest) -> datetime.datetime | None:
    state = session_mfa_state(request)
    if state.get("state") != GRACE:
        return None
    return datetime.datetime.fromtimestamp(state["until"], tz=datetime.UTC)


def _session_verified_now(request: HttpRequest) -> None:
    request.session[MFA_SESSION] = {"state": VERIFIED}
    session_mark_verified(request)


# --- using a factor -------------------------------------------------------------------------------------


def mfa_check_code(user: Any, code: str) -> bool:
    """A code from the user's authenticator app, or one of their recovery codes (used up by this)."""
    code = "".join(code.split()).lower()
    if not code:
        return False
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            return True
    return recovery_code_use(user, code)


def mfa_verify(request: HttpRequest, code: str) -> bool:
    """Check a code for the signed-in user; on success the session counts as verified from now."""
    if not mfa_check_code(request.user, code):
        return False
    _session_verified_now(request)
    return True


# --- setting up and resetting -----------------------------------------------------------------------------


def totp_pending_device(user: Any) -> TOTPDevice:
    """The not-yet-confirmed authenticator the set-up page shows (the same one until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def totp_confirm(request: HttpRequest, code: str) -> list[str] | None:
    """Confirm the pending authenticator with a code from it; the new recovery codes, or None if wrong.

    A new factor replaces any earlier one, and revokes the user's API tokens (made under the old one).
    """
    user: Any = request.user
    device = totp_pending_device(user)
    if not device.verify_token("".join(code.split())):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_replace(user)
        audit_record(
            actor=user,
            action="update",
            obj=user,
            object_type="accounts.mfa",
            summary=f"{user.get_username()} set up an authenticator app",
        )
        api_tokens_revoke_all(user=user, reason="the second factor changed")
    _session_verified_now(request)
    return codes


def passkey_added(request: HttpRequest, passkey: Passkey) -> list[str] | None:
    """A new passkey is a new factor: the user's API tokens are revoked, the session counts as
    verified (the passkey was just used), and a first factor brings recovery codes (returned)."""
    user: Any = request.user
    with transaction.atomic():
        api_tokens_revoke_all(user=user, reason="the second factor changed")
        first = not recovery_codes_exist(user)
        codes = _recovery_codes_replace(user) if first else None
    _session_verified_now(request)
    return codes


def passkey_verified(request: HttpRequest) -> None:
    _session_verified_now(request)


def _recovery_codes_replace(user: Any) -> list[str]:
    # With a new first factor (audited by the caller): the set comes with it.
    return recovery_codes_replace(user, audit=False)


def mfa_reset(*, actor: Any, user: User, agency_id: int | None = None, district_id: int | None = None) -> None:
    """An admin clears a person's lost factor: they must set one up again at their next sign-in.

    Audited, the person's tokens revoked, and the person told by e-mail (after the commit).
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        recovery_codes_delete(user)
        Passkey.objects.filter(user=user).delete()
        User.objects.filter(pk=user.pk).update(
            mfa_grace_until=timezone.now() + datetime.timedelta(days=settings.MFA_GRACE_DAYS)
        )
        audit_record(
            actor=actor,
            action="update",
            obj=user,
            object_type="accounts.mfa",
            summary=f"Reset the second factor of {user.get_username()}",
            agency_id=agency_id,
            district_id=district_id,
        )
        api_tokens_revoke_all(user=user, reason="their second factor was reset")
        if user.email:
            body = MFA_RESET_BODY.format(actor=actor.get_full_name() or actor.get_username(), username=user.username)
            transaction.on_commit(lambda: send_mail(MFA_RESET_SUBJECT, body, None, [user.email]))


# --- removing a factor ------------------------------------------------------------------------------------

LAST_FACTOR_NEEDED = (
    "Your role needs a second factor, and this is your last one: add another passkey or an authenticator "
    "app first, then remove this one."
)


def factor_removal_refusal(user: Any, *, totp: bool = False, passkey: Passkey | None = None) -> str | None:
    """Why removing this factor is refused (it is the last one of a person whose role needs one), or None."""
    totp_left = totp_enrolled(user) and not totp
    others = Passkey.objects.filter(user=user)
    passkeys_left = (others.exclude(pk=passkey.pk) if passkey is not None else others).exists()
    if not (totp_left or passkeys_left) and mfa_required(user):
        return LAST_FACTOR_NEEDED
    return None


def factor_remove(*, user: Any, totp: bool = False, passkey: Passkey | None = None) -> None:
    """The person removes their authenticator app or one of their passkeys (the view checks a recent
    second factor). Refused for the last factor of a role that needs one. Audited; the person's API
    tokens are revoked (the factors changed); with no factor left, the recovery codes go too."""
    refusal = factor_removal_refusal(user, totp=totp, passkey=passkey)
    if refusal is not None:
        raise ValidationError(refusal)
    with transaction.atomic():
        if totp:
            TOTPDevice.objects.filter(user=user).delete()
            audit_record(
                actor=user,
                action="delete",
                obj=user,
                object_type="accounts.mfa",
                summary=f"{user.get_username()} removed their authenticator app",
            )
        if passkey is not None:
            audit_record(
                actor=user,
                action="delete",
                obj=passkey,
                summary=f"{user.get_username()} removed the passkey “{passkey.name}”",
            )
            passkey.delete()
        if not mfa_enrolled(user):
            recovery_codes_delete(user)
        api_tokens_revoke_all(user=user, reason="the second factor changed")


def session_verified_by_provider(request: HttpRequest) -> None:
    """A single sign-on whose provider's second factor the organisation counts (sso.py)."""
    _session_verified_now(request)
