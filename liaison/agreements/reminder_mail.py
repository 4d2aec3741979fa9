"""The daily reminders by e-mail: each person who signs for a party to an MOU — the agency's admins
and the district's admins — gets one message a day listing the reminders that concern them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.db.models import Q

from liaison.accounts.models import Membership, User
from liaison.accounts.roles import Role

from .selectors import Reminder

SUBJECT = "Liaison: {count} MOU reminder(s)"
GREETING = "Hello {name},\n\nThese MOUs or schools need attention:\n"
FOOTER = "\nSee them all on the MOU reminders page in Liaison.\n"


@dataclass
class Mailing:
    """Who is written to, and who should have been but has no e-mail address."""

    messages: list[mail.EmailMessage] = field(default_factory=list)
    without_address: list[str] = field(default_factory=list)  # usernames


def _line(reminder: Reminder) -> str:
    return f"- {reminder.due.isoformat()}  {reminder.kind.label}: {reminder.message}"


def _signers(reminders: Sequence[Reminder]) -> dict[int, list[User]]:
    """The active agency admins and district admins behind the reminders, by reminder index."""
    agencies = {r.agency.pk for r in reminders}
    districts = {r.district.pk for r in reminders}
    memberships = Membership.objects.filter(
        Q(role=Role.AGENCY_ADMIN, agency_id__in=agencies) | Q(role=Role.DISTRICT_ADMIN, district_id__in=districts),
        user__is_active=True,
    ).select_related("user")
    by_party: dict[tuple[str, int], list[User]] = {}
    for m in memberships:
        party = ("agency", m.agency_id) if m.role == Role.AGENCY_ADMIN else ("district", m.district_id)
        by_party.setdefault(party, []).append(m.user)  # type: ignore[arg-type]
    return {
        i: by_party.get(("agency", r.agency.pk), []) + by_party.get(("district", r.district.pk), [])
        for i, r in enumerate(reminders)
    }


def reminder_mailing(reminders: Sequence[Reminder]) -> Mailing:
    """One message per person, soonest reminder first (the order they come in)."""
    per_user: dict[int, tuple[User, list[Reminder]]] = {}
    for i, users in _signers(reminders).items():
        for user in users:
            per_user.setdefault(user.pk, (user, []))[1].append(reminders[i])
    mailing = Mailing()
    for user, theirs in sorted(per_user.values(), key=lambda entry: entry[0].username):
        if not user.email:
            mailing.without_address.append(user.username)
            continue
        body = GREETING.format(name=user.get_full_name() or user.username)
        body += "\n".join(_line(r) for r in theirs) + "\n" + FOOTER
        subject = SUBJECT.format(count=len(theirs))
        mailing.messages.append(mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    return mailing


def reminders_send(reminders: Sequence[Reminder]) -> Mailing:
    """Send the day's messages over one connection; returns what was sent and who could not be reached."""
    mailing = reminder_mailing(reminders)
    if mailing.messages:
        with mail.get_connection() as connection:
            connection.send_messages(mailing.messages)
    return mailing
