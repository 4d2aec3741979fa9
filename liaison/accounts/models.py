"""Users, their memberships (role + scope), API tokens and the append-only audit log."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac

from liaison.lib.states import STATE_CHOICES

from .roles import Role

MEMBERSHIP_SCOPE_MISMATCH = "This role needs exactly one {scope}."
AUDIT_IS_APPEND_ONLY = "Audit entries cannot be changed or deleted."


class User(AbstractUser):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # When a person whose roles need a second factor must have set one up (mfa.py); started at the
    # first sign-in that needed it.
    mfa_grace_until = models.DateTimeField(null=True, blank=True)
    # Raised by "sign out everywhere": part of every session's check value, so raising it ends them all.
    session_epoch = models.PositiveIntegerField(default=0)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Epoch 0 gives Django's own value, so sessions made before this field survive the upgrade.
        value = self.password if not self.session_epoch else f"{self.password}:{self.session_epoch}"
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every way a password is set (changed, reset, by an admin, a command) passes here with
        # _password filled in: a stolen token must not outlive the password it was made under.
        password_changed = self.pk is not None and getattr(self, "_password", None) is not None
        super().save(*args, **kwargs)
        if password_changed:
            from .tokens import api_tokens_revoke_all

            api_tokens_revoke_all(user=self, reason="the password changed")


# Which scope column each role must fill; the others stay empty.
ROLE_SCOPE = {
    Role.AGENCY_ADMIN: "agency",
    Role.SUPERVISOR: "agency",
    Role.OFFICER: "agency",
    Role.DISTRICT_ADMIN: "district",
    Role.SCHOOL_ADMIN: "school",
}


def _scope_only(field: str) -> Q:
    others = sorted({"agency", "district", "school"} - {field})
    q = Q(**{f"{field}__isnull": False}) & Q(state="")
    for other in others:
        q &= Q(**{f"{other}__isnull": True})
    return q


def _state_only() -> Q:
    return Q(agency__isnull=True, district__isnull=True, school__isnull=True) & ~Q(state="")


class Membership(models.Model):
    """Ties a user to an agency, district or school with one role."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    agency = models.ForeignKey("directory.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(
        "directory.District", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    school = models.ForeignKey("directory.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # A state-wide evaluator (docs/state-view.md): every agency and district in the state, only as
    # aggregates through the disclosure rules. Empty for every other membership.
    state = models.CharField(max_length=2, choices=STATE_CHOICES, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="membership_scope_fits_role",
                condition=(
                    (Q(role__in=[Role.AGENCY_ADMIN, Role.SUPERVISOR, Role.OFFICER]) & _scope_only("agency"))
                    | (Q(role=Role.DISTRICT_ADMIN) & _scope_only("district"))
                    | (Q(role=Role.SCHOOL_ADMIN) & _scope_only("school"))
                    | (Q(role=Role.EVALUATOR) & (_scope_only("agency") | _scope_only("district") | _state_only()))
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()}"

    def clean(self) -> None:
        scope = ROLE_SCOPE.get(Role(self.role)) if self.role else None
        filled = [name for name in ("agency", "district", "school") if getattr(self, f"{name}_id")]
        if self.state:
            filled.append("state")
        if scope and filled != [scope]:
            raise ValidationError({scope: MEMBERSHIP_SCOPE_MISMATCH.format(scope=scope)})
        if self.role == Role.EVALUATOR and filled not in (["agency"], ["district"], ["state"]):
            raise ValidationError({"agency": MEMBERSHIP_SCOPE_MISMATCH.format(scope="agency, district or state")})


class TokenAccess(models.TextChoices):
    READ = "read", "Read only"
    READ_WRITE = "read_write", "Read and write"


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 digest is stored; the token is shown once.

    It works until `expires_at` (chosen at creation, at most API_TOKEN_MAX_DAYS ahead) unless revoked
    first; a read-only token is refused any request that is not GET, HEAD or OPTIONS.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, default="")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    access = models.CharField(max_length=16, choices=TokenAccess.choices)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'})"


class SignInLock(models.Model):
    """Failed sign-ins to one account from browsers that have not signed in to it before (lockout.py).

    Only such browsers are locked out: one that signed in to the account before carries a device
    cookie and is judged by its own failures, so nobody can lock the owner out from elsewhere.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="sign_in_lock")
    failures = models.PositiveIntegerField(default=0)
    lockouts = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True, db_index=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.failures} failure(s), locked until {self.locked_until or '—'}"


class Passkey(models.Model):
    """A WebAuthn credential (a passkey, a platform authenticator, a security key): a second factor."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(max_length=100)
    credential_id = models.CharField(max_length=1400, unique=True)  # base64url, as browsers send it
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"


class AuditEntry(models.Model):
    """One change to a record, or one read or export of sensitive data. Never updated or deleted."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        READ = "read", "Read"
        EXPORT = "export", "Exported"
        IMPORT = "import", "Imported"
        LOGIN_LOCKED = "login_locked", "Login locked"
        LOGIN = "login", "Signed in"
        LOGOUT = "logout", "Signed out"
        LOGIN_FAILED = "login_failed", "Sign-in failed"
        UNLOCK = "unlock", "Login unlocked"
        REDACT = "redact", "Redacted"
        RESTORE = "restore", "Restored from backup"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=64)
    object_uuid = models.UUIDField(null=True, blank=True)
    summary = models.CharField(max_length=300, blank=True, default="")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # Tenant keys: who may read this entry.
    agency = models.ForeignKey("directory.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        "directory.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set once, by a lawful expungement: summary, before and after are emptied; the seal keeps the
    # payload's hash, so the chain still verifies (accounts/audit_chain.py).
    redacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["object_type", "object_uuid"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValidationError(AUDIT_IS_APPEND_ONLY)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValidationError(AUDIT_IS_APPEND_ONLY)


class AuditSeal(models.Model):
    """An entry's place in the hash chain: link = sha256(payload hash, previous link).

    Written by the sealer (audit_chain.audit_seal) in the order entries became visible, never by the
    writers, so no write waits for the chain. Append-only like the entries.
    """

    position = models.BigIntegerField(unique=True)
    entry = models.OneToOneField(AuditEntry, on_delete=models.PROTECT, related_name="seal")
    payload_hash = models.CharField(max_length=64)
    link = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.position} {self.link[:12]}"


class AuditVerification(models.Model):
    """One run of audit_verify: what /healthz reports as the chain's last verification."""

    checked_at = models.DateTimeField(db_index=True)
    ok = models.BooleanField()
    entries = models.BigIntegerField(default=0)
    head = models.CharField(max_length=64, blank=True, default="")
    problem = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'FAILED'}"


class RecoveryCode(models.Model):
    """One single-use recovery code (recovery_codes.py). Only a salted SHA-256 digest is kept: the codes
    are random (60 bits) and shown once, so a stolen database yields none of them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "digest"], name="recovery_code_once_per_user")]

    def __str__(self) -> str:
        return f"recovery code of {self.user} ({'used' if self.used_at else 'unused'})"


class IdentityProvider(models.Model):
    """An agency's or district's OpenID Connect provider for single sign-on (sso.py).

    People are matched by the provider's issuer and subject (SsoIdentity), never by e-mail. The
    client secret is stored encrypted (client_secret_encrypted) or read from an environment variable
    named SSO_CLIENT_SECRET_… (client_secret_env), so it is never in the database in plaintext.
    """

    class MfaCounts(models.TextChoices):
        NEVER = "never", "No: people give Liaison's own second factor after the provider"
        AMR = "amr", "When the provider's ID token says a second factor was used (amr claim)"
        ATTESTED = "attested", "Always: we attest that the provider enforces a second factor for everyone"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey("directory.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(
        "directory.District", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=100)
    issuer = models.CharField(max_length=300)
    client_id = models.CharField(max_length=300)
    client_secret_encrypted = models.TextField(blank=True, default="")
    client_secret_env = models.CharField(max_length=100, blank=True, default="")
    allowed_email_domain = models.CharField(max_length=253, blank=True, default="")
    mfa_counts = models.CharField(max_length=16, choices=MfaCounts.choices, default=MfaCounts.NEVER)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="identity_provider_one_organisation",
                condition=(
                    Q(agency__isnull=False, district__isnull=True) | Q(agency__isnull=True, district__isnull=False)
                ),
            ),
            models.UniqueConstraint(fields=["agency"], name="identity_provider_one_per_agency"),
            models.UniqueConstraint(fields=["district"], name="identity_provider_one_per_district"),
        ]

    def __str__(self) -> str:
        return self.name


class SsoIdentity(models.Model):
    """A person's account at an identity provider: (issuer, subject), linked once by the person."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sso_identities")
    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="identities")
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_unique_subject"),
            models.UniqueConstraint(fields=["provider", "user"], name="sso_identity_one_per_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.issuer}"
