"""The e-mail that lets someone added to Liaison choose their own password.

The link is Django's password-reset link (a token signed with the secret key over the user's current
password hash and last sign-in): it works once, stops working when a password is set, and expires
after PASSWORD_RESET_TIMEOUT. The page behind it is the same "choose a new password" page a
forgotten password leads to. Nobody else ever sees or sets the person's password.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .audit import audit_record
from .models import Membership, User
from .roles import Role

logger = logging.getLogger(__name__)

SUBJECT = "You have been added to Liaison"

# Turns a path into an absolute URL (a request's build_absolute_uri).
AbsoluteUrl = Callable[[str], str]


def password_link_path(user: User) -> str:
    """The path of the one-time "choose your password" page for this user."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(user)])


def invitation_message(
    user: User, *, role: str, place: str, invited_by: Any, absolute: AbsoluteUrl
) -> mail.EmailMessage:
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    context = {
        "user": user,
        "role": role,
        "place": place,
        "invited_by": invited_by.get_full_name() or invited_by.get_username(),
        "link": absolute(password_link_path(user)),
        "sign_in": absolute(reverse("accounts:login")),
        "days": days,
    }
    body = render_to_string("accounts/email/invitation.txt", context)
    return mail.EmailMessage(SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def invitation_send(
    *,
    actor: Any,
    user: User,
    role: str,
    place: str,
    absolute: AbsoluteUrl,
    agency_id: int | None,
    district_id: int | None,
) -> None:
    """Send the invitation once the surrounding transaction commits (nothing is sent for a failed save),
    and note it in the audit log (never the link: it is as good as a password until used)."""
    message = invitation_message(user, role=role, place=place, invited_by=actor, absolute=absolute)
    audit_record(
        actor=actor,
        action="create",
        obj=user,
        object_type="accounts.invitation",
        summary=f"Sent {user.get_username()} an invitation to choose a password ({role} at {place})",
        agency_id=agency_id,
        district_id=district_id,
    )
    transaction.on_commit(lambda: _deliver(message))


def _deliver(message: mail.EmailMessage) -> None:
    """Send; a mail server that fails must not fail the request that already saved the person (the
    People page offers to send the invitation again), so the failure goes to the log."""
    try:
        message.send()
    except Exception:  # any transport error: smtplib, socket, TLS
        logger.exception("Could not send the invitation e-mail to %s", message.to)


class InvitingPlace(Protocol):
    """Where the role is held (liaison/people/people.py's Place): its name and which tenant it is."""

    @property
    def name(self) -> str: ...

    @property
    def agency_id(self) -> int | None: ...

    @property
    def district_id(self) -> int | None: ...


def membership_invitation_send(
    *, actor: Any, place: InvitingPlace, membership: Membership, absolute: AbsoluteUrl
) -> None:
    """The invitation for the person who holds `membership` at `place`."""
    invitation_send(
        actor=actor,
        user=membership.user,
        role=role_label(membership),
        place=place.name,
        absolute=absolute,
        agency_id=place.agency_id,
        district_id=place.district_id,
    )


def role_label(membership: Membership) -> str:
    """ "SRO supervisor", or "School admin (principal) at Millbrook High"."""
    label = str(Role(membership.role).label)
    return f"{label} at {membership.school.name}" if membership.school is not None else label
