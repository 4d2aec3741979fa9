"""Ending every session and revoking every token: one command each, audited."""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command

from liaison.accounts.models import ApiToken, AuditEntry
from liaison.accounts.tokens import api_token_create


def test_ending_all_sessions_signs_everyone_out_and_is_audited(db, world, capsys):
    for _ in range(3):
        SessionStore().create()
    call_command("end_all_sessions", reason="SECRET_KEY rotated")
    assert Session.objects.count() == 0
    assert "Ended 3 session(s)" in capsys.readouterr().out
    entry = AuditEntry.objects.get(object_type="sessions.session")
    assert (entry.action, entry.summary) == ("delete", "Ended all 3 session(s): SECRET_KEY rotated")


def test_revoking_all_tokens_stops_every_token_and_is_audited(db, world, client, capsys):
    _, token = api_token_create(user=world.users["officer"])
    assert client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    call_command("revoke_all_api_tokens", reason="leak")
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()
    assert client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    entry = AuditEntry.objects.filter(object_type="accounts.apitoken").latest("id")
    assert entry.summary.startswith("Revoked all ") and entry.summary.endswith(": leak")
