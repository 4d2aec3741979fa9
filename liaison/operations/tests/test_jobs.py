"""The maintenance jobs: what each deletes, and what it keeps."""

from __future__ import annotations

import datetime

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.utils import timezone

from liaison.accounts.models import SignInLock
from liaison.agreements.jobs import mou_reminders_email
from liaison.operations.jobs import sessions_clear_expired, sign_in_attempts_prune


def test_expired_sessions_are_deleted_and_live_ones_kept(db):
    live = SessionStore()
    live.create()
    expired = SessionStore()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert sessions_clear_expired() == "1 expired session(s) deleted"
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_sign_in_records_older_than_ninety_days_are_deleted(db, world):
    now = timezone.now()
    old = SignInLock.objects.create(user=world.users["officer"], last_failure_at=now - datetime.timedelta(days=91))
    recent = SignInLock.objects.create(user=world.users["supervisor"], last_failure_at=now)
    sign_in_attempts_prune()
    assert list(SignInLock.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk != recent.pk


def test_the_daily_mou_reminders_job_mails_like_the_command(db, world):
    # The cast's schools have an officer and no MOU in force: a reminder for each party's admins.
    admin = world.users["agency_admin"]
    admin.email = "chief@example.org"
    admin.save(update_fields=["email"])
    result = mou_reminders_email()
    assert result.endswith("e-mailed 1 person(s)")
    assert [message.to for message in mail.outbox] == [["chief@example.org"]]
