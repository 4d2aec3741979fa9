"""A new e-mail address takes effect only when confirmed from it, by the person signed in; the old one is told.

The address decides where password resets go, so whoever could set it could take the login over
(an admin setting an address they read, then resetting the password). So for anyone who has
chosen a password, a change is only a request: a link goes to the new address, the person opens it
signed in as themselves and confirms, and the old address hears of the request and of the change.
Someone who has not yet used their invitation has nothing to take over: their address changes at
once (the way to fix a mistyped invitation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import mail, signing
from django.db import transaction
from django.urls import reverse

from .audit import audit_record
from .models import User

SALT = "liaison.accounts.email_change"
LINK_DAYS = 3
REQUESTED_SUBJECT = "Confirm your new Liaison e-mail address"
NOTICE_SUBJECT = "A change to your Liaison e-mail address"
LINK_NOT_VALID = "This confirmation link is not valid any more: ask for the change again."
LINK_NOT_YOURS = "This confirmation link is for another login: sign in as the person it was sent to."

AbsoluteUrl = Callable[[str], str]


def email_change_pending(user: User) -> bool:
    """Whether a change must wait for confirmation (the person has chosen a password)."""
    return user.has_usable_password()


def email_change_request(*, actor: Any, user: User, new_email: str, absolute: AbsoluteUrl) -> None:
    """Send the confirmation link to the new address and tell the old one; audited. Nothing changes yet."""
    token = signing.dumps({"u": user.pk, "old": user.email, "new": new_email}, salt=SALT)
    link = absolute(reverse("accounts:email_confirm", args=[token]))
    who = actor.get_full_name() or actor.get_username() if actor is not None else "Liaison"
    confirm = (
        f"{who} asked to change the e-mail address of your Liaison login {user.username} to this one.\n\n"
        f"To confirm, open this link within {LINK_DAYS} days, signed in as {user.username}:\n{link}\n\n"
        "If you do not know about this, ignore this message: nothing changes."
    )
    notice = (
        f"{who} asked to change the e-mail address of your Liaison login {user.username} to {new_email}.\n\n"
        "It changes only if confirmed from that address by you, signed in. If you did not ask for this, "
        "tell your agency's or district's administrator."
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="update",
            obj=user,
            object_type="accounts.email",
            summary=f"Asked to change the e-mail address of {user.get_username()} (waits for confirmation)",
        )
        transaction.on_commit(lambda: _send(REQUESTED_SUBJECT, confirm, new_email))
        if user.email:
            transaction.on_commit(lambda: _send(NOTICE_SUBJECT, notice, user.email))


def email_change_confirm(*, user: Any, token: str) -> str:
    """Apply a confirmed change for the signed-in person; the new address. ValueError names the problem."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_DAYS * 86400)
    except signing.BadSignature:
        raise ValueError(LINK_NOT_VALID) from None
    if data.get("u") != user.pk:
        raise ValueError(LINK_NOT_YOURS)
    if data.get("old") != user.email:
        raise ValueError(LINK_NOT_VALID)  # already changed since: the link is used up
    old, new = user.email, data["new"]
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(email=new)
        audit_record(
            actor=user,
            action="update",
            obj=user,
            object_type="accounts.email",
            summary=f"{user.get_username()} confirmed a new e-mail address",
            before={"email": old},
            after={"email": new},
        )
        if old:
            body = f"The e-mail address of your Liaison login {user.username} is now {new}, confirmed from it."
            transaction.on_commit(lambda: _send(NOTICE_SUBJECT, body, old))
    user.email = new
    return new


def _send(subject: str, body: str, to: str) -> None:
    mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to]).send()
