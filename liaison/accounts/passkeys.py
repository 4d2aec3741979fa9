"""Passkeys and security keys (WebAuthn, through py_webauthn) as a second factor.

The browser is asked for options (a fresh challenge kept in the session), the authenticator signs
them, and the answer is verified against the challenge, the relying party (this host) and the
origin. A passkey proves possession with one tap; it is then as good as an authenticator code.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .audit import audit_record
from .models import Passkey

REGISTER_CHALLENGE = "liaison_webauthn_register"
AUTH_CHALLENGE = "liaison_webauthn_authenticate"

PASSKEY_NOT_ACCEPTED = "The passkey's answer could not be verified. Try again."
PASSKEY_UNKNOWN = "This passkey is not registered for your login."
PASSKEY_NAME_NEEDED = "Name the passkey (e.g. “work laptop”, “blue key”) to recognise it later."


class PasskeyError(Exception):
    pass


def _rp_id(request: HttpRequest) -> str:
    return settings.WEBAUTHN_RP_ID or request.get_host().split(":")[0]


def _origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _descriptors(user: Any) -> list[PublicKeyCredentialDescriptor]:
    ids = Passkey.objects.filter(user=user).values_list("credential_id", flat=True)
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(found)) for found in ids]


def passkey_registration_options(request: HttpRequest) -> str:
    """The options JSON for navigator.credentials.create; remembers its challenge."""
    user: Any = request.user
    options = generate_registration_options(
        rp_id=_rp_id(request),
        rp_name=settings.OTP_TOTP_ISSUER,
        user_name=user.get_username(),
        user_id=user.uuid.bytes,
        user_display_name=user.get_full_name() or user.get_username(),
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED
        ),
    )
    request.session[REGISTER_CHALLENGE] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def passkey_register(request: HttpRequest, *, name: str, credential: dict[str, Any]) -> Passkey:
    """Verify the browser's answer to the registration options and keep the new credential."""
    name = name.strip()
    if not name:
        raise PasskeyError(PASSKEY_NAME_NEEDED)
    challenge = request.session.pop(REGISTER_CHALLENGE, None)
    if not challenge:
        raise PasskeyError(PASSKEY_NOT_ACCEPTED)
    try:
        verified = verify_registration_response(
            credential=json.dumps(credential),
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=_rp_id(request),
            expected_origin=_origin(request),
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyError(PASSKEY_NOT_ACCEPTED) from error
    user: Any = request.user
    with transaction.atomic():
        passkey = Passkey.objects.create(
            user=user,
            name=name[:100],
            credential_id=bytes_to_base64url(verified.credential_id),
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
        )
        audit_record(
            actor=user,
            action="create",
            obj=passkey,
            summary=f"{user.get_username()} added the passkey “{passkey.name}”",
        )
    return passkey


def passkey_authentication_options(request: HttpRequest) -> str:
    """The options JSON for navigator.credentials.get, limited to the signed-in user's passkeys."""
    options = generate_authentication_options(
        rp_id=_rp_id(request),
        allow_credentials=_descriptors(request.user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    request.session[AUTH_CHALLENGE] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def passkey_authenticate(request: HttpRequest, *, credential: dict[str, Any]) -> Passkey:
    """Verify a signed challenge from one of the user's passkeys; its sign count moves on."""
    challenge = request.session.pop(AUTH_CHALLENGE, None)
    user: Any = request.user
    raw_id = credential.get("rawId") or credential.get("id") if isinstance(credential, dict) else None
    passkey = Passkey.objects.filter(user=user, credential_id=raw_id).first() if raw_id else None
    if passkey is None:
        raise PasskeyError(PASSKEY_UNKNOWN)
    if not challenge:
        raise PasskeyError(PASSKEY_NOT_ACCEPTED)
    try:
        verified = verify_authentication_response(
            credential=json.dumps(credential),
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=_rp_id(request),
            expected_origin=_origin(request),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyError(PASSKEY_NOT_ACCEPTED) from error
    Passkey.objects.filter(pk=passkey.pk).update(sign_count=verified.new_sign_count, last_used_at=timezone.now())
    return passkey


def passkeys_of(user: Any) -> Any:
    return Passkey.objects.filter(user=user).order_by("created_at", "id")
