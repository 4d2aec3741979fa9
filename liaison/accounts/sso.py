"""Single sign-on with OpenID Connect, one identity provider per agency or district (IdentityProvider).

The flow is the authorization-code flow with PKCE (RFC 7636), through Authlib's client: Liaison sends
the browser to the provider with a fresh `state`, `nonce` and code challenge (kept in the session,
usable once, for SSO_FLOW_MINUTES), takes the code back, exchanges it server to server, and checks
the ID token with Authlib's OpenID claims rules: signed by a key from the provider's published key
set, issued by the configured issuer, for this client, not expired, carrying the nonce.

Who signs in is decided by the provider's issuer and subject (`iss`, `sub`) alone, linked once by
the person while signed in to Liaison (never by an e-mail claim, which some providers let users
change); the e-mail domain, when the organisation sets one, only narrows who may. A provider signs
in only people whose roles all lie in its organisation, never a platform admin. The provider's
sign-in is the first factor; it is also the second only as the organisation says (mfa_counts).
Every sign-in, refusal, link and configuration change is in the audit log.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from .audit import audit_record, audit_snapshot
from .models import AuditEntry, IdentityProvider, Membership, SsoIdentity, User

logger = logging.getLogger(__name__)

FLOWS_SESSION = "liaison_sso_flows"
SSO_FLOW_MINUTES = 10
FLOWS_KEPT = 5
SECRET_ENV_PREFIX = "SSO_CLIENT_SECRET_"
SCOPES = "openid email profile"
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
CLOCK_LEEWAY_SECONDS = 60
SIGN_IN, LINK = "sign_in", "link"

NOT_COMPLETED = "Single sign-on did not complete. Start again from the sign-in page."
BAD_STATE = "This sign-in link is not valid (or was already used, or is too old). Start again."
PROVIDER_REFUSED = "{name} did not sign you in: {reason}"
PROVIDER_UNREACHABLE = "{name} could not be reached or answered wrongly. Try again, or sign in with your password."
TOKEN_NOT_VALID = "{name}'s answer could not be verified, so you are not signed in."
NOT_LINKED = (
    "Your {name} account is not linked to a Liaison login. Sign in with your password once, then link it "
    "from your account page."
)
SWITCHED_OFF = "Your Liaison login is switched off. Ask your administrator."
OUTSIDE_ORGANISATION = "{name} signs in only people whose roles are all at {org}. Sign in with your password."
WRONG_DOMAIN = "{name} signs in only addresses at {domain}."
ALREADY_LINKED_ELSEWHERE = "That {name} account is already linked to another Liaison login."
SECRET_ENV_NAME = f"The variable's name must start with {SECRET_ENV_PREFIX} and use only A–Z, 0–9 and _."
SECRET_NEEDED = "Give the client secret, or the name of the environment variable that holds it."
ISSUER_NOT_HTTPS = "The issuer must be an https:// address (as the provider's documentation gives it)."


class SsoError(Exception):
    """A refused or failed single sign-on; `message` is for the person, `reason` for the audit log."""

    def __init__(self, message: str, reason: str, user: User | None = None) -> None:
        super().__init__(message)
        self.message, self.reason, self.user = message, reason, user


@dataclass(frozen=True)
class SsoResult:
    user: User
    provider: IdentityProvider
    intent: str
    next: str
    mfa_counted: bool


# --- the client secret -------------------------------------------------------------------------------


def _fernet() -> Fernet:
    material = settings.SSO_SECRET_KEY or f"liaison.accounts.sso:{settings.SECRET_KEY}"
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(material.encode()).digest()))


def secret_encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode() if secret else ""


def secret_env_name_valid(name: str) -> bool:
    return re.fullmatch(SECRET_ENV_PREFIX + r"[A-Z0-9_]+", name) is not None


def provider_client_secret(provider: IdentityProvider) -> str:
    if provider.client_secret_env:
        if not secret_env_name_valid(provider.client_secret_env):
            return ""
        return os.environ.get(provider.client_secret_env, "")
    try:
        return _fernet().decrypt(provider.client_secret_encrypted.encode()).decode()
    except (InvalidToken, ValueError):
        return ""


# --- the provider's published configuration ---------------------------------------------------------------


def _get_json(provider: IdentityProvider, url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=settings.SSO_HTTP_TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as error:
        raise SsoError(PROVIDER_UNREACHABLE.format(name=provider.name), f"fetching {url} failed: {error}") from error
    if not isinstance(data, dict):
        raise SsoError(PROVIDER_UNREACHABLE.format(name=provider.name), f"{url} is not a JSON object")
    return data


def provider_metadata(provider: IdentityProvider) -> dict[str, Any]:
    """The discovery document, which must name the configured issuer exactly (OIDC Discovery §4.3)."""
    url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
    metadata = _get_json(provider, url)
    if metadata.get("issuer") != provider.issuer:
        raise SsoError(
            PROVIDER_UNREACHABLE.format(name=provider.name),
            f"the discovery document names the issuer {metadata.get('issuer')!r}, not {provider.issuer!r}",
        )
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(field), str):
            raise SsoError(PROVIDER_UNREACHABLE.format(name=provider.name), f"the discovery document lacks {field}")
    return metadata


def _oauth_session(provider: IdentityProvider, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=provider.client_id,
        client_secret=provider_client_secret(provider),
        scope=SCOPES,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


# --- starting: the browser goes to the provider -----------------------------------------------------------


def sso_begin(
    request: HttpRequest, provider: IdentityProvider, *, redirect_uri: str, intent: str, next_url: str
) -> str:
    """The provider's authorization URL for a new flow; its state, nonce and PKCE verifier are kept in
    the session (a few flows at once, for several tabs), each usable once."""
    metadata = provider_metadata(provider)
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    url, _ = _oauth_session(provider, redirect_uri).create_authorization_url(
        metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
    )
    flows = dict(request.session.get(FLOWS_SESSION) or {})
    flows[state] = {
        "provider": str(provider.uuid),
        "nonce": nonce,
        "verifier": verifier,
        "intent": intent,
        "next": next_url,
        "redirect_uri": redirect_uri,
        "at": int(time.time()),
    }
    newest = sorted(flows.items(), key=lambda item: item[1]["at"])[-FLOWS_KEPT:]
    request.session[FLOWS_SESSION] = dict(newest)
    return url


# --- coming back: code, token, identity -----------------------------------------------------------------


def _flow_taken(request: HttpRequest, state: str) -> dict[str, Any]:
    flows = dict(request.session.get(FLOWS_SESSION) or {})
    flow = flows.pop(state, None) if state else None
    request.session[FLOWS_SESSION] = flows
    if not isinstance(flow, dict):
        raise SsoError(BAD_STATE, "the state did not match a sign-in this browser started")
    if time.time() - flow["at"] > SSO_FLOW_MINUTES * 60:
        raise SsoError(BAD_STATE, "the sign-in took longer than the flow may last")
    return flow


def _id_token_claims(provider: IdentityProvider, metadata: dict[str, Any], token: dict[str, Any], nonce: str) -> Any:
    name = provider.name
    raw = token.get("id_token")
    if not isinstance(raw, str):
        raise SsoError(TOKEN_NOT_VALID.format(name=name), "the token response has no ID token")
    keys = _get_json(provider, metadata["jwks_uri"])
    try:
        decoded = jwt.decode(raw, KeySet.import_key_set(keys), algorithms=ID_TOKEN_ALGORITHMS)  # type: ignore[arg-type]
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            options={
                "iss": {"essential": True, "value": provider.issuer},
                "aud": {"essential": True, "value": provider.client_id},
                "sub": {"essential": True},
                "exp": {"essential": True},
            },
            params={"nonce": nonce, "client_id": provider.client_id, "access_token": token.get("access_token")},
        )
        claims.validate(leeway=CLOCK_LEEWAY_SECONDS)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise SsoError(TOKEN_NOT_VALID.format(name=name), f"the ID token was refused: {error!r}") from error
    if not claims.get("nonce"):
        raise SsoError(TOKEN_NOT_VALID.format(name=name), "the ID token carries no nonce")
    return claims


def _mfa_counted(provider: IdentityProvider, claims: Any) -> bool:
    if provider.mfa_counts == IdentityProvider.MfaCounts.ATTESTED:
        return True
    if provider.mfa_counts == IdentityProvider.MfaCounts.AMR:
        amr = claims.get("amr") or []
        return isinstance(amr, list) and "mfa" in amr
    return False


def organisation_name(provider: IdentityProvider) -> str:
    place = provider.agency or provider.district
    return place.name if place is not None else ""


def roles_all_in_organisation(user: User, provider: IdentityProvider) -> bool:
    """Whether every role the person holds lies in the provider's agency or district (and they have one)."""
    if user.is_superuser or user.is_staff:
        return False
    memberships = Membership.objects.filter(user=user)
    if provider.agency_id is not None:
        inside = Q(agency_id=provider.agency_id)
    else:
        inside = Q(district_id=provider.district_id) | Q(school__district_id=provider.district_id)
    return memberships.exists() and not memberships.exclude(inside).exists()


def _email_allowed(provider: IdentityProvider, claims: Any) -> bool:
    domain = provider.allowed_email_domain.strip().lstrip("@").lower()
    if not domain:
        return True
    email = str(claims.get("email") or "").lower()
    verified = claims.get("email_verified")
    return email.endswith("@" + domain) and verified is not False


def sso_complete(request: HttpRequest, params: dict[str, str]) -> SsoResult:
    """Check the provider's answer (state, code → tokens, ID token) and find the person by (iss, sub).

    For a link (started while signed in) the identity is tied to the signed-in person instead.
    Raises SsoError, with what to tell the person and what to audit.
    """
    flow = _flow_taken(request, params.get("state", ""))
    provider = IdentityProvider.objects.filter(uuid=flow["provider"], enabled=True).first()
    if provider is None:
        raise SsoError(BAD_STATE, "the provider was switched off or removed during the sign-in")
    request.sso_provider = provider  # type: ignore[attr-defined]  # for the refusal's audit entry
    if params.get("error"):
        reason = str(params.get("error_description") or params["error"])[:200]
        raise SsoError(PROVIDER_REFUSED.format(name=provider.name, reason=reason), f"the provider answered {reason}")
    if not params.get("code"):
        raise SsoError(NOT_COMPLETED, "the provider sent no code")
    metadata = provider_metadata(provider)
    try:
        token = _oauth_session(provider, flow["redirect_uri"]).fetch_token(
            metadata["token_endpoint"], code=params["code"], code_verifier=flow["verifier"]
        )
    except (AuthlibBaseError, requests.RequestException, ValueError) as error:
        raise SsoError(PROVIDER_UNREACHABLE.format(name=provider.name), f"the code exchange failed: {error}") from error
    claims = _id_token_claims(provider, metadata, dict(token), flow["nonce"])
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    if not _email_allowed(provider, claims):
        raise SsoError(
            WRONG_DOMAIN.format(name=provider.name, domain=provider.allowed_email_domain),
            f"the e-mail claim is outside {provider.allowed_email_domain}",
        )
    if flow["intent"] == LINK:
        user = _link(request, provider, issuer, subject)
    else:
        user = _signing_in(provider, issuer, subject)
    return SsoResult(user, provider, flow["intent"], flow["next"], _mfa_counted(provider, claims))


def _signing_in(provider: IdentityProvider, issuer: str, subject: str) -> User:
    identity = SsoIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    if identity is None or identity.provider_id != provider.pk:
        raise SsoError(NOT_LINKED.format(name=provider.name), f"no Liaison login is linked to subject {subject!r}")
    user = identity.user
    if not user.is_active:
        raise SsoError(SWITCHED_OFF, "the login is switched off", user)
    if not roles_all_in_organisation(user, provider):
        raise SsoError(
            OUTSIDE_ORGANISATION.format(name=provider.name, org=organisation_name(provider)),
            "the person holds a role outside the provider's organisation",
            user,
        )
    SsoIdentity.objects.filter(pk=identity.pk).update(last_used_at=timezone.now())
    return user


def _link(request: HttpRequest, provider: IdentityProvider, issuer: str, subject: str) -> User:
    user: Any = request.user
    if not user.is_authenticated:
        raise SsoError(BAD_STATE, "a link came back to a browser no longer signed in")
    if not roles_all_in_organisation(user, provider):
        raise SsoError(
            OUTSIDE_ORGANISATION.format(name=provider.name, org=organisation_name(provider)),
            "the person holds a role outside the provider's organisation",
            user,
        )
    try:
        with transaction.atomic():
            SsoIdentity.objects.filter(provider=provider, user=user).delete()
            identity = SsoIdentity.objects.create(user=user, provider=provider, issuer=issuer, subject=subject)
            audit_record(
                actor=user,
                action=AuditEntry.Action.CREATE,
                obj=identity,
                summary=f"{user.get_username()} linked their {provider.name} account (subject {subject})",
                **_tenant(provider),
            )
    except IntegrityError as error:
        raise SsoError(
            ALREADY_LINKED_ELSEWHERE.format(name=provider.name), f"subject {subject!r} is linked to another login", user
        ) from error
    return user


# --- the audit log ----------------------------------------------------------------------------------------


def _tenant(provider: IdentityProvider) -> dict[str, int | None]:
    return {"agency_id": provider.agency_id, "district_id": provider.district_id}


def audit_sso_sign_in(result: SsoResult) -> None:
    counted = "counted as the second factor" if result.mfa_counted else "first factor only"
    audit_record(
        actor=result.user,
        action=AuditEntry.Action.LOGIN,
        obj=result.user,
        object_type="accounts.sso",
        summary=f"Signed in through {result.provider.name} ({counted})",
        **_tenant(result.provider),
    )


def audit_sso_refused(request: HttpRequest, error: SsoError) -> None:
    provider: IdentityProvider | None = getattr(request, "sso_provider", None)
    name = provider.name if provider is not None else "single sign-on"
    audit_record(
        actor=None,
        action=AuditEntry.Action.LOGIN_FAILED,
        obj=error.user,
        object_type="accounts.sso",
        summary=f"Sign-in through {name} refused: {error.reason}",
        **(_tenant(provider) if provider is not None else {}),
    )


# --- the organisation's admins configure it ------------------------------------------------------------------

SECRET_FIELDS = {"client_secret_encrypted"}


def _snapshot(provider: IdentityProvider) -> dict[str, Any]:
    data = audit_snapshot(provider)
    for field in SECRET_FIELDS:
        data[field] = "(set)" if data.get(field) else ""
    data.pop("updated_at", None)
    return data


def provider_save(
    *,
    actor: Any,
    provider: IdentityProvider,
    client_secret: str = "",
) -> IdentityProvider:
    """Create or change an organisation's provider (its admin's page); audited, the secret never logged.

    An empty `client_secret` keeps the stored one; a secret from the environment replaces it.
    """
    provider.issuer = provider.issuer.strip()
    if not provider.issuer.startswith("https://") and not settings.DEBUG and not _insecure_allowed():
        raise ValidationError({"issuer": ISSUER_NOT_HTTPS})
    if provider.client_secret_env and not secret_env_name_valid(provider.client_secret_env):
        raise ValidationError({"client_secret_env": SECRET_ENV_NAME})
    before = _snapshot(IdentityProvider.objects.get(pk=provider.pk)) if provider.pk else None
    if provider.client_secret_env:
        provider.client_secret_encrypted = ""
    elif client_secret:
        provider.client_secret_encrypted = secret_encrypt(client_secret)
    if not provider.client_secret_env and not provider.client_secret_encrypted:
        raise ValidationError({"client_secret": SECRET_NEEDED})
    with transaction.atomic():
        provider.save()
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
            obj=provider,
            summary=f"{'Changed' if before else 'Set up'} single sign-on through {provider.name}"
            + (" (new client secret)" if client_secret else ""),
            before=before,
            after=_snapshot(provider),
            **_tenant(provider),
        )
    return provider


def _insecure_allowed() -> bool:
    # Authlib's own switch for plain-http OAuth, set only by the test suite's local provider.
    return bool(os.environ.get("AUTHLIB_INSECURE_TRANSPORT"))


# A new provider's settings page starts from these.
PROVIDER_DEFAULTS = {"mfa_counts": IdentityProvider.MfaCounts.NEVER, "enabled": True}


def provider_new(*, agency_id: int | None, district_id: int | None) -> IdentityProvider:
    """An organisation's provider not yet saved (its settings page fills it, then `provider_save`)."""
    return IdentityProvider(agency_id=agency_id, district_id=district_id)


def provider_of(*, agency_id: int | None = None, district_id: int | None = None) -> IdentityProvider | None:
    if agency_id is not None:
        return IdentityProvider.objects.filter(agency_id=agency_id).first()
    return IdentityProvider.objects.filter(district_id=district_id).first() if district_id is not None else None


def providers_for_sign_in() -> Any:
    return IdentityProvider.objects.filter(enabled=True).order_by("name")


def providers_on_sign_in_page() -> list[IdentityProvider]:
    """The buttons the sign-in page offers. The password form must never fail because of them: if
    they cannot be read (a database not yet migrated), the page shows none and says so in the log."""
    try:
        with transaction.atomic():  # a savepoint, so PostgreSQL's transaction survives a failure
            return list(providers_for_sign_in())
    except DatabaseError:
        logger.warning("The sign-in page could not list the identity providers", exc_info=True)
        return []


def identities_of(user: Any) -> Any:
    return SsoIdentity.objects.filter(user=user).select_related("provider")


def providers_to_link(user: Any) -> list[IdentityProvider]:
    """The enabled providers of the organisations all of whose roles the person holds there."""
    linked = set(SsoIdentity.objects.filter(user=user).values_list("provider_id", flat=True))
    return [p for p in providers_for_sign_in() if p.pk not in linked and roles_all_in_organisation(user, p)]
