"""Who is told when work starts waiting for them: the notifications a domain event sends.

The domain apps do not know notifications exist. When the app registry is ready (`apps.py`) this
module listens for the rows that mean someone must act — a version submitted for signature, a
review opened or commented on, an enforcement action on a mentee — and announces each to the people
it waits on, once. A summary is written here from fixed sentences naming the school or the MOU:
never the justification, a comment, a note or anything about the student (the e-mail goes outside
Liaison; the link leads back in, where access is checked again).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone

from liaison.accounts.models import Membership, User
from liaison.accounts.roles import Role
from liaison.agreements.models import AgreementVersion, Review, ReviewComment, Signatory
from liaison.agreements.selectors import Reminder, mou_reminders
from liaison.notifications.services import Announcement, notification_send
from liaison.notifications.vocabulary import Kind
from liaison.programs.models import MenteeEnforcementNotice

SIGNATURE = "Version {number} of the MOU “{title}” awaits your signature."
REVIEW_OPENED = "An enforcement action at {school} was flagged ({outcome}) and awaits review."
REVIEW_COMMENT = "A review of an enforcement action at {school} has a new comment."
MENTEE_NOTICE = "Officer {officer} recorded an enforcement action on a student they mentor, at {school}."
MOU_DUE = "{message}"


def _members(query: Q) -> list[User]:
    memberships = Membership.objects.filter(query, user__is_active=True).select_related("user")
    return [m.user for m in memberships]


def managers_of(agency_id: int) -> list[User]:
    """The agency's admins and SRO supervisors: who reviews flagged actions and reads mentee notices."""
    return _members(Q(role__in=[Role.AGENCY_ADMIN, Role.SUPERVISOR], agency_id=agency_id))


def signers_for(agency_id: int, district_id: int) -> list[User]:
    """Who signs an MOU between them: the agency's admins (the chief) and the district's (the superintendent)."""
    return _members(
        Q(role=Role.AGENCY_ADMIN, agency_id=agency_id) | Q(role=Role.DISTRICT_ADMIN, district_id=district_id)
    )


def _unsigned_parties_signers(version: AgreementVersion) -> list[User]:
    parties = set(version.signatories.filter(signed_at__isnull=True).values_list("party", flat=True))
    agreement = version.agreement
    users = []
    if Signatory.Party.AGENCY_HEAD in parties:
        users += _members(Q(role=Role.AGENCY_ADMIN, agency_id=agreement.agency_id))
    if Signatory.Party.SUPERINTENDENT in parties:
        users += _members(Q(role=Role.DISTRICT_ADMIN, district_id=agreement.district_id))
    return users


def version_submitted(*, version: AgreementVersion) -> None:
    agreement = version.agreement
    notification_send(
        users=_unsigned_parties_signers(version),
        announcement=Announcement(
            kind=Kind.SIGNATURE,
            summary=SIGNATURE.format(number=version.number, title=agreement.title),
            url=reverse("agreements:detail", args=[agreement.uuid]),
            key=f"signature:{version.uuid}",
        ),
    )


def review_opened(*, review: Review) -> None:
    notification_send(
        users=managers_of(review.agency_id),
        announcement=Announcement(
            kind=Kind.REVIEW_OPENED,
            summary=REVIEW_OPENED.format(school=review.school.name, outcome=review.get_outcome_display()),
            url=reverse("agreements:review_detail", args=[review.uuid]),
            key=f"review:{review.uuid}",
        ),
    )


def review_commented(*, comment: ReviewComment) -> None:
    """The officer whose action it is and the agency's managers, except whoever wrote the comment."""
    review = comment.review
    officer_user = review.interaction.officer.user
    users = [u for u in [officer_user, *managers_of(review.agency_id)] if u is not None and u.pk != comment.author_id]
    notification_send(
        users=users,
        announcement=Announcement(
            kind=Kind.REVIEW_COMMENT,
            summary=REVIEW_COMMENT.format(school=review.school.name),
            url=reverse("agreements:review_detail", args=[review.uuid]),
            key=f"comment:{comment.pk}",
        ),
    )


def mentee_notice_created(*, notice: MenteeEnforcementNotice) -> None:
    officer = notice.officer
    notification_send(
        users=managers_of(notice.agency_id),
        announcement=Announcement(
            kind=Kind.MENTEE_NOTICE,
            summary=MENTEE_NOTICE.format(officer=str(officer), school=notice.interaction.school.name),
            url=reverse("programs:notices"),
            key=f"notice:{notice.uuid}",
        ),
    )


def mou_due(*, reminders: Iterable[Reminder]) -> int:
    """The day's MOU reminders (reviews due, versions expiring, schools with no MOU) for the people who
    sign: in-app, and in their daily digest. Each reminder is announced once per due date."""
    sent = 0
    for reminder in reminders:
        target = reminder.agreement
        url = reverse("agreements:detail", args=[target.uuid]) if target else reverse("agreements:list")
        item = reminder.version.uuid if reminder.version else (reminder.school.uuid if reminder.school else "")
        sent += len(
            notification_send(
                users=signers_for(reminder.agency.pk, reminder.district.pk),
                announcement=Announcement(
                    kind=Kind.MOU_DUE,
                    summary=MOU_DUE.format(message=reminder.message),
                    url=url,
                    key=f"mou:{reminder.kind}:{item}:{reminder.due.isoformat()}",
                ),
            )
        )
    return sent


def mou_due_today(*, today: datetime.date | None = None) -> int:
    return mou_due(reminders=mou_reminders(today=today or timezone.localdate(), agency=None))


# --- the signals ---------------------------------------------------------------------------------


def _on_version_saved(sender: Any, instance: AgreementVersion, update_fields: Any = None, **_: Any) -> None:
    if update_fields and "submitted_at" in update_fields and instance.submitted_at is not None:
        version_submitted(version=instance)


def _on_review_saved(sender: Any, instance: Review, created: bool = False, raw: bool = False, **_: Any) -> None:
    if created and not raw:
        review_opened(review=instance)


def _on_comment_saved(sender: Any, instance: ReviewComment, created: bool = False, raw: bool = False, **_: Any) -> None:
    if created and not raw:
        review_commented(comment=instance)


def _on_notice_saved(
    sender: Any, instance: MenteeEnforcementNotice, created: bool = False, raw: bool = False, **_: Any
) -> None:
    if created and not raw:
        mentee_notice_created(notice=instance)


def notices_connect() -> None:
    post_save.connect(_on_version_saved, sender=AgreementVersion, dispatch_uid="notify_version_submitted")
    post_save.connect(_on_review_saved, sender=Review, dispatch_uid="notify_review_opened")
    post_save.connect(_on_comment_saved, sender=ReviewComment, dispatch_uid="notify_review_comment")
    post_save.connect(_on_notice_saved, sender=MenteeEnforcementNotice, dispatch_uid="notify_mentee_notice")
